package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * The last EC2 call that failed, and when it is tried again. It belongs to the action that
 * failed (and its fleet, for a launch): no other fleet is blamed, and the same action is not
 * tried again before retryAt, so a refusal never becomes a hot loop.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ActionError {

  @JsonPropertyDescription("The action that failed, e.g. RunInstances/3f2a9c01bd or "
      + "TerminateInstances.")
  public String action;

  @JsonPropertyDescription("The EC2 operation, e.g. RunInstances.")
  public String operation;

  @JsonPropertyDescription("The AWS error code, e.g. InsufficientInstanceCapacity.")
  public String code;

  @JsonPropertyDescription("The AWS error message.")
  public String message;

  @JsonPropertyDescription("True for throttling, 5xx and network errors.")
  public Boolean retryable;

  @JsonPropertyDescription("Consecutive failures of this action with this code.")
  public Integer attempts;

  @JsonPropertyDescription("When it last failed (RFC 3339).")
  public String at;

  @JsonPropertyDescription("Not tried again before this time (RFC 3339).")
  public String retryAt;
}
