package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.time.Duration;

/**
 * How instances Cutover no longer needs are let go: an optional HTTP call to each, then a wait
 * before TerminateInstances. Applies to a retained fleet at its expiry, the retained fleet's
 * scale-down, surplus after a scale-in and a superseded staging fleet; never to an instance a
 * production address points at.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.timeout)",
    message = "drain.timeout is required: how long Cutover waits after the drain call before it "
        + "terminates an instance, e.g. 30s or 2m",
    fieldPath = ".timeout", reason = "FieldValueRequired")
public class Drain {

  @Size(max = 32)
  @ValidationRule(value = Durations.RULE + " && duration(self) <= duration('1h')",
      message = "drain.timeout must be a duration such as 30s or 2m, from 0s to at most 1h")
  @JsonPropertyDescription("How long an instance drains before it is terminated, counted from "
      + "the drain call (e.g. 30s, 2m; at most 1h). Required.")
  public String timeout;

  @JsonPropertyDescription("HTTP call sent once to each instance when its drain starts, to its "
      + "private IP. Optional: without it the instances only wait. The endpoint should be "
      + "idempotent: after an operator restart the call may be sent again.")
  public DrainCall http;

  /** timeout as a duration (zero when absent: the CRD requires it). */
  public Duration timeoutLength() {
    return Durations.parse(timeout, Duration.ZERO);
  }
}
