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
@ValidationRule(
    value = "self.mode == 'Manual' || !has(self.approvalTimeout)",
    message = "promotion.approvalTimeout is only used with promotion.mode: Manual",
    fieldPath = ".approvalTimeout",
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

  @Size(max = 32)
  @ValidationRule(value = Durations.RULE + " && duration(self) >= duration('1s')"
      + " && duration(self) <= duration('720h')",
      message = "approvalTimeout must be a duration such as 30m, 8h or 72h, from 1s to 720h")
  @JsonPropertyDescription("With mode Manual, how long a verified fleet waits for its approval, "
      + "counted from the end of the soak. Past it the fleet is abandoned (a failure, reason "
      + "ApprovalExpired) and terminated; production stays untouched. Approving afterwards "
      + "changes the spec, so the version is launched and verified again. Default: wait "
      + "forever.")
  public String approvalTimeout;

  /** approvalTimeout, or nothing when a verified fleet waits for its approval forever. */
  public java.util.Optional<Duration> approvalTimeoutLength() {
    return java.util.Optional.ofNullable(Durations.parse(approvalTimeout, null));
  }

  /** soak, or its default. */
  public Duration soakLength() {
    return Durations.parse(soak, Durations.parse(DEFAULT_SOAK, null));
  }
}
