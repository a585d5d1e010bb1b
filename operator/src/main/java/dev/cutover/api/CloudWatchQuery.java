package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

/**
 * A CloudWatch alarm (a failure while in ALARM) or one metric statistic over the last period
 * (compared with successCondition).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.alarmName) != (has(self.namespace) && has(self.metricName))",
    message = "cloudWatch needs alarmName, or namespace and metricName, not both",
    reason = "FieldValueInvalid")
public class CloudWatchQuery {

  @Size(min = 1, max = 255)
  @JsonPropertyDescription("An alarm: a measurement fails while it is in ALARM, succeeds in OK "
      + "(INSUFFICIENT_DATA counts as neither).")
  public String alarmName;

  @Size(min = 1, max = 255)
  @JsonPropertyDescription("Metric namespace, e.g. AWS/ApplicationELB or MyApp.")
  public String namespace;

  @Size(min = 1, max = 255)
  @JsonPropertyDescription("Metric name.")
  public String metricName;

  @Size(max = 30)
  @JsonPropertyDescription("Dimensions; values may use ${FLEET}, ${VERSION} and ${RELEASE}.")
  public Map<@Size(min = 1, max = 255) String, @Size(min = 1, max = 1024) String> dimensions;

  @ValidationRule(value = "self in ['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount']",
      message = "statistic must be Average, Sum, Minimum, Maximum or SampleCount")
  @JsonPropertyDescription("Average (default), Sum, Minimum, Maximum or SampleCount.")
  public String statistic;

  @Size(max = 32)
  @ValidationRule(value = Durations.RULE + " && duration(self) >= duration('1s') "
      + "&& duration(self) <= duration('1h')",
      message = "period must be a duration from 1s to 1h, such as 60s")
  @JsonPropertyDescription("The period of the statistic, the latest of which is the result. "
      + "Default 60s.")
  public String period;
}
