package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A release that failed; the same fleet is not tried again until the spec changes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Failure {

  @JsonPropertyDescription("Fleet id of the failed fleet.")
  public String fleetId;

  @JsonPropertyDescription("Version of the failed fleet.")
  public String version;

  @JsonPropertyDescription("metadata.generation at the failure; a new generation retries.")
  public Long generation;

  @JsonPropertyDescription("CamelCase reason, e.g. DeadlineExceeded, InstanceTerminated, or an "
      + "AWS error code.")
  public String reason;

  @JsonPropertyDescription("What happened, in a sentence.")
  public String message;

  @JsonPropertyDescription("When (RFC 3339).")
  public String at;

  @JsonPropertyDescription("Set when the failed fleet is kept for debugging "
      + "(verification.keepFailedFor): when it is terminated (RFC 3339).")
  public String keptUntil;

  @JsonPropertyDescription("Aborted only: a digest of the spec that was aborted, spec.paused "
      + "left out: pausing or resuming does not end an abort, any other spec change does.")
  public String specDigest;

  @JsonPropertyDescription("The cutover.dev/retry token the Release already carried when it "
      + "failed: it does not retry this failure; a new token does.")
  public String retryTokenAtFailure;
}
