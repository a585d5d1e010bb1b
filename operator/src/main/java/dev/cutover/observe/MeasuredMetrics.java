package dev.cutover.observe;

import java.util.Map;

/**
 * The latest measurements of a Release's metric checks and what they measure ({@code
 * signature} of the {@link MetricTarget}); none when nothing is measured.
 */
public record MeasuredMetrics(String signature, Map<String, MetricResult> byCheck) {

  public static final MeasuredMetrics NONE = new MeasuredMetrics("", Map.of());

  /** The result of a check if these measurements are of {@code target}, else not yet. */
  public MetricResult of(MetricTarget target, String check) {
    return target.signature().equals(signature)
        ? byCheck.getOrDefault(check, MetricResult.NOT_YET) : MetricResult.NOT_YET;
  }
}
