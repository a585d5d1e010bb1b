package dev.cutover.observe;

import java.time.Instant;

/**
 * The HTTP smoke check of one instance so far.
 *
 * @param passedAt when the consecutive successes reached the threshold, or null
 * @param last what the last request gave: "200", "status 500", "timed out after 2s", ...
 */
public record HttpCheckResult(int consecutiveSuccesses, int consecutiveFailures,
    Instant passedAt, String last) {

  public static final HttpCheckResult NOT_YET = new HttpCheckResult(0, 0, null, "not yet checked");

  /** A check that cannot be sent: no success, no failure, the reason in its place. */
  public static HttpCheckResult notRun(String reason) {
    return new HttpCheckResult(0, 0, null, "not run: " + reason);
  }

  public boolean passed(int threshold) {
    return consecutiveSuccesses >= threshold;
  }

  public boolean failing(int threshold) {
    return consecutiveFailures >= threshold;
  }

  public String describe(int threshold) {
    return "http " + Math.min(consecutiveSuccesses, threshold) + "/" + threshold + " (" + last
        + ")";
  }
}
