package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * A change Cutover is about to make, written to status before the EC2 call that makes it: after
 * a crash or a lost status write between the call and the next status, the next reconcile knows
 * what the call was meant to do (which fleet served just before a switch; that an address was
 * already requested).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Intent {

  /** What the intended call does. */
  public enum Kind {
    /** AssociateAddress from one fleet to another (Promoted, SwitchedBack, Reverted). */
    Switch,
    /** AllocateAddress for elasticIp.allocate. */
    AllocateAddress
  }

  @JsonPropertyDescription("Switch or AllocateAddress.")
  public Kind kind;

  @JsonPropertyDescription("Fleet id that served before the switch.")
  public String fromFleet;

  @JsonPropertyDescription("Version that served before the switch.")
  public String fromVersion;

  @JsonPropertyDescription("Fleet id the switch moves production to.")
  public String toFleet;

  @JsonPropertyDescription("Version the switch moves production to.")
  public String toVersion;

  @JsonPropertyDescription("Why: Promoted, SwitchedBack or Reverted.")
  public String reason;

  @JsonPropertyDescription("When the intent was recorded (RFC 3339).")
  public String at;
}
