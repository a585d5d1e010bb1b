package dev.cutover.observe;

import dev.cutover.api.MetricCheck;
import java.time.Instant;

/**
 * The measurements of one metric check of one fleet so far.
 *
 * @param lastValue the last value measured (null: none yet, or the last had none)
 * @param lastError why the last measurement had no value (no data, the server's error), or a
 *     CloudWatch alarm's failure (alarm in ALARM)
 */
public record MetricResult(int successes, int consecutiveFailures, int totalFailures,
    Double lastValue, String lastError, Instant measuredAt) {

  public static final MetricResult NOT_YET = new MetricResult(0, 0, 0, null, null, null);

  /** The failures that count towards the check's limit. */
  public int failures(MetricCheck check) {
    return check.consecutive() ? consecutiveFailures : totalFailures;
  }

  public boolean failed(MetricCheck check) {
    return failures(check) >= check.limit();
  }

  /** A success and fewer failures than the limit. */
  public boolean passing(MetricCheck check) {
    return successes > 0 && !failed(check);
  }

  MetricResult success(double value, Instant at) {
    return new MetricResult(successes + 1, 0, totalFailures, value, null, at);
  }

  MetricResult failure(Double value, String why, Instant at) {
    return new MetricResult(successes, consecutiveFailures + 1, totalFailures + 1, value, why,
        at);
  }

  /** No value: neither a success nor a failure. */
  MetricResult inconclusive(String why, Instant at) {
    return new MetricResult(successes, consecutiveFailures, totalFailures, null, why, at);
  }
}
