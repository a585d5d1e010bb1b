package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.time.Duration;

/**
 * A release judged by what it does: a query measured every interval, each measurement a success
 * when it satisfies the condition, and the check failed once failures reach the limit.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.prometheus) != has(self.cloudWatch)",
    message = "a metric check needs exactly one provider: prometheus or cloudWatch",
    reason = "FieldValueInvalid")
@ValidationRule(value = "has(self.successCondition) || has(self.cloudWatch) "
    + "&& has(self.cloudWatch.alarmName)",
    message = "successCondition is required (except for a CloudWatch alarm, which fails while "
        + "in ALARM)",
    fieldPath = ".successCondition", reason = "FieldValueRequired")
public class MetricCheck {

  public static final String DEFAULT_INTERVAL = "30s";

  /** How failures count towards the limit. */
  public enum FailureMode { Consecutive, Total }

  @Required
  @Size(min = 1, max = 63)
  @ValidationRule(value = "self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')",
      message = "a metric check name must be lowercase letters, digits and '-' (for example "
          + "error-rate)")
  @JsonPropertyDescription("Name of the check, shown in status and in failure reasons.")
  public String name;

  @Size(max = 32)
  @ValidationRule(value = Durations.RULE + " && duration(self) >= duration('1s') "
      + "&& duration(self) <= duration('1h')",
      message = "interval must be a duration from 1s to 1h, such as 30s")
  @JsonPropertyDescription("Time between measurements. Default 30s.")
  public String interval;

  @Size(max = 64)
  @ValidationRule(value = "self.matches('^\\\\s*(<|<=|>|>=|==|!=)\\\\s*-?[0-9]+(\\\\.[0-9]+)?"
      + "([eE][-+]?[0-9]+)?\\\\s*$')",
      message = "successCondition must be a comparison with a number, such as '< 0.05' or "
          + "'>= 99.5'")
  @JsonPropertyDescription("When a measurement is a success: the result compared with a "
      + "number, e.g. \"< 0.05\" (operators <, <=, >, >=, ==, !=). A query that returns no "
      + "value counts as neither success nor failure.")
  public String successCondition;

  @Min(1)
  @Max(100)
  @JsonPropertyDescription("How many failed measurements fail the check. Default 3.")
  public Integer failureLimit;

  @JsonPropertyDescription("Consecutive (default): failures in a row; Total: failures since "
      + "the check began.")
  public FailureMode failureMode;

  @JsonPropertyDescription("An instant PromQL query.")
  public PrometheusQuery prometheus;

  @JsonPropertyDescription("A CloudWatch alarm or metric, read with the credentials of the "
      + "Release's account.")
  public CloudWatchQuery cloudWatch;

  public Duration intervalLength() {
    return Durations.parse(interval, Durations.parse(DEFAULT_INTERVAL, null));
  }

  public int limit() {
    return failureLimit == null ? 3 : failureLimit;
  }

  public boolean consecutive() {
    return failureMode != FailureMode.Total;
  }
}
