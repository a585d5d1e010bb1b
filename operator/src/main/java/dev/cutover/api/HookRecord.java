package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * The last call of one lifecycle webhook for one event of one fleet. Written with the status
 * after the call, before anything follows from its answer: a success recorded here is never
 * called again.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HookRecord {

  @JsonPropertyDescription("preSwitch, postSwitch or preTerminate.")
  public String event;

  @JsonPropertyDescription("The fleet the event is about.")
  public String fleetId;

  @JsonPropertyDescription("The version that fleet runs.")
  public String version;

  @JsonPropertyDescription("The Idempotency-Key header sent with every call for this event.")
  public String idempotencyKey;

  /** The call is being made: written before it, replaced by its answer after it. */
  public static final String PENDING = "Pending";

  @JsonPropertyDescription("Pending (written before the call, so a call whose answer was never "
      + "recorded is made again with the same Idempotency-Key), Succeeded or Failed.")
  public String outcome;

  @JsonPropertyDescription("Calls made for this event so far.")
  public Integer attempts;

  @JsonPropertyDescription("HTTP status of the last answer, if there was one.")
  public Integer httpStatus;

  @JsonPropertyDescription("What went wrong with the last call.")
  public String message;

  @JsonPropertyDescription("When the last call was made (RFC 3339).")
  public String at;

  @JsonPropertyDescription("When a failed call is made again; absent once the hook has "
      + "failed for good.")
  public String retryAt;

  public boolean succeeded() {
    return "Succeeded".equals(outcome);
  }

  public boolean pending() {
    return PENDING.equals(outcome);
  }
}
