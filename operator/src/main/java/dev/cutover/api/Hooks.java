package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * Lifecycle webhooks: HTTP calls at fixed points of a release (compare CodeDeploy's
 * BeforeAllowTraffic and AfterAllowTraffic). Each event of each fleet is called until one call
 * succeeds; a call is repeated only after it failed, or when the operator stopped between the
 * call and recording its answer: receivers deduplicate by the Idempotency-Key header.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Hooks {

  /** The points of a release a webhook can be called at. */
  public enum Event {
    preSwitch, postSwitch, preTerminate;

    /** The policy when the hook does not name one. */
    public Webhook.FailurePolicy defaultPolicy() {
      return this == preSwitch ? Webhook.FailurePolicy.Abort : Webhook.FailurePolicy.Ignore;
    }
  }

  @JsonPropertyDescription("Called before the Elastic IP moves to a verified new version "
      + "(promotion, not a switch back or a revert: those are emergency moves and are never "
      + "held back). Its success allows the switch; failing under Abort (the default) vetoes "
      + "it: the new version fails with PreSwitchHookVetoed and production is untouched.")
  public Webhook preSwitch;

  @JsonPropertyDescription("Called once after a switch made the spec's version production "
      + "(a promotion or a switch back). Default failurePolicy Ignore: reported only.")
  public Webhook postSwitch;

  @JsonPropertyDescription("Called before the retained previous fleet is terminated at the "
      + "end of retention.previousFleetTTL (before its drain, if any). Default failurePolicy "
      + "Ignore; under Abort the fleet is kept and the hook called again until it succeeds.")
  public Webhook preTerminate;

  public Webhook of(Event event) {
    return switch (event) {
      case preSwitch -> preSwitch;
      case postSwitch -> postSwitch;
      case preTerminate -> preTerminate;
    };
  }
}
