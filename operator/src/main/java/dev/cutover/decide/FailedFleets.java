package dev.cutover.decide;

import dev.cutover.api.Failure;
import dev.cutover.ec2.ManagedInstance;
import dev.cutover.observe.Fleet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What becomes of a staging fleet given up: an unapproved fleet whose approval expired
 * (promotion.approvalTimeout), and a fleet that failed verification, kept for debugging
 * (verification.keepFailedFor) before it is terminated. Both clocks count from timestamps in
 * status (the verification of the staging fleet, the failure), so a restarted operator goes on
 * where the last one stopped; production is never touched by either.
 */
final class FailedFleets {

  /** The reason status gives a failed fleet kept for debugging. */
  static final String KEPT_FOR_DEBUGGING = "KeptForDebugging";
  /** The termination reason of a fleet whose approval expired (drained, see Draft.DRAINED). */
  static final String APPROVAL_EXPIRED = FailureReason.ApprovalExpired.name();
  static final String CLEANED_UP = "FailedReleaseCleanedUp";

  private FailedFleets() {}

  /**
   * When a verified fleet that is not approved is abandoned: the end of its soak plus
   * promotion.approvalTimeout. Nothing when approved (or Auto) or without a timeout.
   */
  static Optional<Instant> approvalExpiry(Draft d, Instant verifiedAt) {
    if (verifiedAt == null || Gates.approved(d.spec)) {
      return Optional.empty();
    }
    return d.spec.promotion.approvalTimeoutLength()
        .map(timeout -> verifiedAt.plus(d.spec.promotion.soakLength()).plus(timeout));
  }

  /** What the failure says when an approval expired. */
  static String approvalExpired(Draft d, Instant expiry) {
    return "it was verified but not approved within promotion.approvalTimeout ("
        + d.spec.promotion.approvalTimeout + ", until " + expiry + "); the fleet is abandoned.";
  }

  /**
   * Until when a fleet failing for this reason is kept for debugging, if it is: a fleet that
   * failed verification, with verification.keepFailedFor above 0s. A fleet whose approval
   * expired is not: it did not fail, and the point of the timeout is that it goes.
   */
  static Optional<Instant> keepUntil(Draft d, FailureReason reason) {
    Duration keep = d.spec.verification.keepFailedLength();
    // An aborted fleet did not fail either: the person who gave it up wants it gone.
    if (reason == FailureReason.ApprovalExpired || reason == FailureReason.Aborted
        || keep.isZero()) {
      return Optional.empty();
    }
    return Optional.of(d.now.plus(keep));
  }

  /** Until when the last failure keeps this fleet for debugging, if that time has not come. */
  static Optional<Instant> keptUntil(Draft d, String fleetId) {
    Failure f = d.lastFailure;
    if (f == null || f.keptUntil == null || !Objects.equals(fleetId, f.fleetId)) {
      return Optional.empty();
    }
    Instant until = Instant.parse(f.keptUntil);
    return d.now.isBefore(until) ? Optional.of(until) : Optional.empty();
  }

  /** The termination reason of the instances of a failed fleet. */
  static String cleanupReason(Failure f) {
    return f != null && FailureReason.ApprovalExpired.is(f.reason) ? APPROVAL_EXPIRED
        : f != null && FailureReason.Aborted.is(f.reason) ? ABORTED : CLEANED_UP;
  }

  /** The termination reason of an aborted fleet's instances (terminated at once, no drain). */
  static final String ABORTED = FailureReason.Aborted.name();

  /**
   * Instances of an attempt that was abandoned (approval expired) or kept for debugging, when
   * the spec changed since without naming another fleet (an approval after the expiry, a new
   * keepFailedFor): they are not reused by the new attempt (they were told to go, or people
   * may have changed them while debugging). They were launched no later than the failure.
   */
  static List<ManagedInstance> leftovers(Draft d, Fleet fleet) {
    if (fleet == null || d.held.stream().anyMatch(k -> k.fleet().id().equals(fleet.id()))) {
      // Held because its role is unknown (status was lost): it may have served before.
      return List.of();
    }
    // A retry stages the version from scratch: the failed attempt's instances go first.
    Optional<Instant> failedAt = Retries.replacedAttemptFailedAt(d, fleet.id());
    Failure f = d.last.lastFailure;
    if (f != null && f.at != null && fleet.id().equals(f.fleetId)
        && (f.keptUntil != null || FailureReason.ApprovalExpired.is(f.reason))) {
      Instant at = Instant.parse(f.at);
      failedAt = Optional.of(failedAt.filter(r -> r.isAfter(at)).orElse(at));
    }
    if (failedAt.isEmpty()) {
      return List.of();
    }
    Instant last = failedAt.get();
    return fleet.notGone().stream()
        .filter(i -> i.launchTime() != null && !i.launchTime().isAfter(last)).toList();
  }

  /** How the person gets the version again after the failure. */
  static String retry(Draft d, String reason) {
    if (FailureReason.ApprovalExpired.is(reason)) {
      return " set promotion.approvedVersion to " + d.spec.version + " to launch and verify it "
          + "again (it switches once verified), or change the spec otherwise" + retryAsIs(d)
          + ".";
    }
    return " change the spec to try again" + retryAsIs(d) + ".";
  }

  /** The retry that stages the same spec again, named for people. */
  static String retryAsIs(Draft d) {
    return ", or stage " + d.spec.version + " again from scratch with `kubectl cutover retry "
        + d.release.getMetadata().getName() + "` (a new " + dev.cutover.api.Release
            .RETRY_ANNOTATION + " token)";
  }

  /** What status says about a failed fleet kept for debugging. */
  static String kept(Instant until) {
    return " The failed fleet is kept for debugging until " + until
        + " (verification.keepFailedFor); it never receives production traffic.";
  }
}
