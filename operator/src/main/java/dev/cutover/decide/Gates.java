package dev.cutover.decide;

import dev.cutover.api.HttpCheck;
import dev.cutover.api.Promotion;
import dev.cutover.api.ReleaseSpec;
import dev.cutover.ec2.InstanceState;
import dev.cutover.ec2.ManagedInstance;
import dev.cutover.ec2.ManagedInstance.StatusChecks;
import dev.cutover.observe.ObservedWorld;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The questions a staging fleet answers on its way to production, each a small pure predicate.
 * The ones that find a problem return it as a sentence; the others answer yes or no.
 */
final class Gates {

  private Gates() {}

  /** Every member is running. */
  static boolean booted(List<ManagedInstance> members) {
    return members.stream().allMatch(i -> i.state() == InstanceState.RUNNING);
  }

  /** EC2 status checks pass for every member (or are not asked for). */
  static boolean statusChecksPass(ReleaseSpec spec, List<ManagedInstance> members) {
    return !spec.verification.statusChecks()
        || members.stream().allMatch(i -> i.statusChecks() == StatusChecks.OK);
  }

  /** A member whose EC2 status checks report impaired. */
  static Optional<String> impaired(ReleaseSpec spec, List<ManagedInstance> members) {
    if (!spec.verification.statusChecks()) {
      return Optional.empty();
    }
    return members.stream().filter(i -> i.statusChecks() == StatusChecks.IMPAIRED).findFirst()
        .map(i -> "EC2 status checks of " + i.id() + " report impaired.");
  }

  /** Every member passed its HTTP check threshold times in a row (or none is configured). */
  static boolean httpChecksPass(ReleaseSpec spec, ObservedWorld world,
      List<ManagedInstance> members) {
    HttpCheck http = spec.verification.http;
    return http == null || members.stream().allMatch(i -> world.http(i.id())
        .passed(http.threshold()));
  }

  /** A member whose last HTTP check failed. */
  static Optional<String> httpFailing(ReleaseSpec spec, ObservedWorld world,
      List<ManagedInstance> members) {
    if (spec.verification.http == null) {
      return Optional.empty();
    }
    return members.stream().filter(i -> world.http(i.id()).consecutiveFailures() > 0)
        .findFirst().map(i -> "the HTTP check of " + i.id() + " failed ("
            + world.http(i.id()).last() + ").");
  }

  /** Why a serving instance fails its checks now, if it does (post-switch verification). */
  static Optional<String> servingProblem(ReleaseSpec spec, ObservedWorld world,
      ManagedInstance i) {
    if (spec.verification.statusChecks()
        && i.statusChecks() == StatusChecks.IMPAIRED) {
      return Optional.of("EC2 status checks of " + i.id() + " report impaired.");
    }
    HttpCheck http = spec.verification.http;
    if (http != null && world.http(i.id()).failing(http.threshold())) {
      return Optional.of("the HTTP check of " + i.id() + " failed "
          + world.http(i.id()).consecutiveFailures() + " times in a row ("
          + world.http(i.id()).last() + ").");
    }
    return Optional.empty();
  }

  static boolean soaked(Instant verifiedAt, Instant soakEnds, Instant now) {
    return verifiedAt != null && !now.isBefore(soakEnds);
  }

  /** Auto promotion, or a person approved exactly this version. */
  static boolean approved(ReleaseSpec spec) {
    return spec.promotion.mode != Promotion.Mode.Manual
        || spec.version.equals(spec.promotion.approvedVersion);
  }

  /** The deadline covers boot, checks and soak, and only until the fleet is verified once. */
  static boolean pastDeadline(Instant verifiedAt, Instant deadline, Instant now) {
    return verifiedAt == null && !now.isBefore(deadline);
  }
}
