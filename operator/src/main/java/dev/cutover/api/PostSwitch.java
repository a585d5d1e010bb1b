package dev.cutover.api;

import java.time.Duration;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Checks of the new active fleet right after the switch. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PostSwitch {

  @Default("true")
  @JsonPropertyDescription("Keep running the verification checks on the new active fleet for "
      + "the window after the switch. Default true.")
  public Boolean verify;

  @io.fabric8.generator.annotation.Size(max = 10)
  @io.fabric8.generator.annotation.ValidationRule(
      value = "self.all(m, self.exists_one(n, n.name == m.name))",
      message = "metric check names must be unique")
  @JsonPropertyDescription("Metric checks of the new active fleet during the window: one that reaches its failure "
      + "limit fails the release like a failing HTTP check (revert when revertOnFailure).")
  public java.util.List<MetricCheck> metrics;

  public static final String DEFAULT_WINDOW = "2m";

  @Default(DEFAULT_WINDOW)
  @Size(max = 32)
  @ValidationRule(value = Durations.RULE + " && duration(self) <= duration('24h')",
      message = "window must be a duration such as 2m, at most 24h")
  @JsonPropertyDescription("How long after the switch the checks keep running. Default 2m.")
  public String window;

  @Default("true")
  @JsonPropertyDescription("When a post-switch check fails, move the Elastic IP back to the "
      + "retained previous fleet (one call) and mark the release Degraded. Default true.")
  public Boolean revertOnFailure;

  /** verify, true unless set to false (the CRD's default). */
  public boolean verifies() {
    return !Boolean.FALSE.equals(verify);
  }

  /** revertOnFailure, true unless set to false (the CRD's default). */
  public boolean reverts() {
    return !Boolean.FALSE.equals(revertOnFailure);
  }

  /** window, or its default. */
  public Duration windowLength() {
    return Durations.parse(window, Durations.parse(DEFAULT_WINDOW, null));
  }
}
