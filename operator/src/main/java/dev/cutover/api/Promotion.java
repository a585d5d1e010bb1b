package dev.cutover.api;

import java.time.Duration;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** When a verified fleet receives the Elastic IP. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.mode == 'Manual' || !has(self.approvedVersion) || self.approvedVersion == ''",
    message = "promotion.approvedVersion is only used with promotion.mode: Manual",
    fieldPath = ".approvedVersion",
    reason = "FieldValueForbidden")
public class Promotion {

  /** Who decides that a verified fleet goes live. */
  public enum Mode { Auto, Manual }

  @Default("Auto")
  @JsonPropertyDescription("Auto (default): switch as soon as the new fleet is verified (and "
      + "soaked). Manual: wait in phase AwaitingPromotion until approvedVersion equals version.")
  public Mode mode;

  @Size(max = 128)
  @JsonPropertyDescription("With mode Manual, the switch happens when this equals spec.version: "
      + "an approval that a GitOps repository records as a commit.")
  public String approvedVersion;

  public static final String DEFAULT_SOAK = "0s";

  @Default(DEFAULT_SOAK)
  @Size(max = 32)
  @ValidationRule(value = Durations.RULE + " && duration(self) <= duration('24h')",
      message = "soak must be a duration such as 0s, 5m or 1h, at most 24h")
  @JsonPropertyDescription("Time to keep checking a verified fleet before switching. Default 0s.")
  public String soak;

  /** soak, or its default. */
  public Duration soakLength() {
    return Durations.parse(soak, Durations.parse(DEFAULT_SOAK, null));
  }
}
