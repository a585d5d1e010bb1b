package dev.cutover.decide;

import dev.cutover.api.Failure;
import dev.cutover.api.Release;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.api.RetryRecord;
import dev.cutover.ec2.ManagedInstance;
import dev.cutover.observe.Fleet;
import dev.cutover.observe.Requests;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A retry asked for outside the spec (annotation {@link Release#RETRY_ANNOTATION}, an opaque
 * token): when the spec's version failed (for any reason, an abort included) and the token is
 * one not honoured before, the failure is forgotten and the version is staged again from
 * scratch. The token honoured is kept in status ({@code lastRetry}), so one token retries
 * once, also after a restart; a token the Release already carried when it failed does not
 * retry that failure (it was set for something else), and a token set while nothing failed
 * does nothing and is not recorded.
 *
 * <p>From scratch means: the instances of the failed attempt (launched no later than its
 * failure) are terminated before the version is launched again, never reused, and the new
 * launches carry the token in their ClientToken, so that EC2's idempotency does not hand back
 * the failed attempt's instances (its dead instances stop being listed after a while, and a
 * token made of fleet and slots alone would then be the first attempt's again).
 */
final class Retries {

  private Retries() {}

  /**
   * Honours a new retry token when the desired fleet's failure blocks it: the failure is
   * forgotten and the retry recorded. Paused, nothing is honoured (the token waits).
   */
  static void honour(Draft d, String desiredId) {
    String token = d.requests.retry();
    Failure failed = d.lastFailure;
    if (token == null || Boolean.TRUE.equals(d.spec.paused) || !d.failureBlocks(desiredId)
        || token.equals(honoured(d.lastRetry)) || token.equals(failed.retryTokenAtFailure)) {
      keepAbortMark(d);
      return;
    }
    RetryRecord r = new RetryRecord();
    r.token = token;
    r.at = d.now.toString();
    r.version = d.spec.version;
    r.fleetId = desiredId;
    r.generation = d.release.getMetadata().getGeneration();
    r.failure = failed.reason;
    r.failedAt = failed.at;
    // The abort annotation may still name this generation: it was retried, so it is ignored
    // from now on, until it is removed (kubectl cutover retry removes it with the same patch).
    r.abortIgnored = abortStillNamesThisGeneration(d) ? Boolean.TRUE : null;
    d.lastRetry = r;
    d.lastFailure = null;
  }

  /**
   * An abort ignored after a retry is ignored only while its annotation stays: once removed,
   * setting it again aborts again.
   */
  private static void keepAbortMark(Draft d) {
    RetryRecord r = d.lastRetry;
    if (r != null && Boolean.TRUE.equals(r.abortIgnored) && !abortStillNamesThisGeneration(d)) {
      RetryRecord cleared = copy(r);
      cleared.abortIgnored = null;
      d.lastRetry = cleared;
    }
  }

  /** The abort annotation names this generation, but a retry at it said to ignore it. */
  static boolean abortIgnored(Draft d) {
    RetryRecord r = d.lastRetry;
    return r != null && Boolean.TRUE.equals(r.abortIgnored)
        && Objects.equals(r.generation, d.release.getMetadata().getGeneration());
  }

  private static boolean abortStillNamesThisGeneration(Draft d) {
    return d.requests.abortedGeneration()
        .filter(g -> g.equals(d.release.getMetadata().getGeneration())).isPresent();
  }

  /** The retry token a failure recorded now must not be retried by: one not honoured yet. */
  static String pendingToken(Draft d) {
    return pending(d.requests, d.lastRetry);
  }

  /** The same, for a failure recorded outside a decision (a launch refused). */
  static String pendingToken(Release release) {
    ReleaseStatus status = release.getStatus();
    return pending(Requests.of(release), status == null ? null : status.lastRetry);
  }

  private static String pending(Requests requests, RetryRecord last) {
    String token = requests.retry();
    return token == null || token.equals(honoured(last)) ? null : token;
  }

  private static String honoured(RetryRecord r) {
    return r == null ? null : r.token;
  }

  /**
   * The token a launch of this fleet carries after a retry (null without one): the same for
   * the same attempt decided again, another for the next attempt.
   */
  static String attempt(Draft d, String fleetId) {
    RetryRecord r = d.lastRetry;
    return r != null && fleetId.equals(r.fleetId) ? r.token : null;
  }

  /** When the attempt a retry replaced failed, if the last retry was of this fleet. */
  static Optional<Instant> replacedAttemptFailedAt(Draft d, String fleetId) {
    RetryRecord r = d.lastRetry;
    return r == null || r.failedAt == null || !fleetId.equals(r.fleetId) ? Optional.empty()
        : Optional.of(Instant.parse(r.failedAt));
  }

  /** The instance belongs to an attempt a retry replaced (launched no later than its failure). */
  static boolean ofReplacedAttempt(Draft d, Fleet fleet, ManagedInstance i) {
    return replacedAttemptFailedAt(d, fleet.id())
        .filter(failedAt -> i.launchTime() != null && !i.launchTime().isAfter(failedAt))
        .isPresent();
  }

  private static RetryRecord copy(RetryRecord r) {
    RetryRecord c = new RetryRecord();
    c.token = r.token;
    c.at = r.at;
    c.version = r.version;
    c.fleetId = r.fleetId;
    c.generation = r.generation;
    c.failure = r.failure;
    c.failedAt = r.failedAt;
    c.abortIgnored = r.abortIgnored;
    return c;
  }
}
