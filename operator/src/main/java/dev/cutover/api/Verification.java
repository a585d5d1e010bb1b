package dev.cutover.api;

import java.time.Duration;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** The checks a new fleet must pass before it may receive the Elastic IP. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Verification {

  @Default("true")
  @JsonPropertyDescription("Require EC2's system and instance status checks to be ok on every "
      + "instance.")
  public Boolean instanceStatusChecks;

  @JsonPropertyDescription("HTTP smoke check run against every instance of the new fleet. "
      + "Optional.")
  public HttpCheck http;

  @io.fabric8.generator.annotation.Size(max = 10)
  @io.fabric8.generator.annotation.ValidationRule(
      value = "self.all(m, self.exists_one(n, n.name == m.name))",
      message = "metric check names must be unique")
  @JsonPropertyDescription("Metric checks of the new fleet while it is verified and soaked: each must have a "
      + "successful measurement before the switch, and one that reaches its failure limit "
      + "fails the release (production untouched).")
  public java.util.List<MetricCheck> metrics;

  public static final String DEFAULT_DEADLINE = "15m";

  @Default(DEFAULT_DEADLINE)
  @Size(max = 32)
  @ValidationRule(value = Durations.RULE + " && duration(self) <= duration('24h')",
      message = "deadline must be a duration such as 90s, 15m or 1h30m, at most 24h")
  @JsonPropertyDescription("Time from launch until the new fleet must be verified (boot, checks "
      + "and soak). Past it the release is abandoned and production stays untouched. "
      + "Default 15m.")
  public String deadline;

  public static final String DEFAULT_KEEP_FAILED_FOR = "0s";

  @Default(DEFAULT_KEEP_FAILED_FOR)
  @Size(max = 32)
  @ValidationRule(value = Durations.RULE + " && duration(self) <= duration('168h')",
      message = "keepFailedFor must be a duration such as 0s, 30m or 4h, at most 168h")
  @JsonPropertyDescription("How long a new fleet that failed verification stays up for "
      + "debugging before it is terminated, counted from the failure; it is listed in "
      + "status.heldFleets (reason KeptForDebugging) and never receives production traffic. "
      + "A new version terminates it at once. Default 0s: terminated at once.")
  public String keepFailedFor;

  /** keepFailedFor, or its default. */
  public Duration keepFailedLength() {
    return Durations.parse(keepFailedFor, Durations.parse(DEFAULT_KEEP_FAILED_FOR, null));
  }

  /** instanceStatusChecks, true unless set to false (the CRD's default). */
  public boolean statusChecks() {
    return !Boolean.FALSE.equals(instanceStatusChecks);
  }

  /** deadline, or its default. */
  public Duration deadlineLength() {
    return Durations.parse(deadline, Durations.parse(DEFAULT_DEADLINE, null));
  }
}
