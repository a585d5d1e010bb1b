package dev.cutover.decide;

import dev.cutover.api.ActionError;
import dev.cutover.api.Phase;
import dev.cutover.api.RoleLayout;
import java.util.LinkedHashMap;
import java.util.Map;
import dev.cutover.observe.Fleet;
import dev.cutover.ec2.ManagedInstance;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A new fleet beside production, from launch to the switch: launched, booted, checked, soaked,
 * approved, switched. The deadline covers the way to verification and only that: once verified,
 * a fleet is never aborted by the clock; if its checks fail later (outside the soak) it waits in
 * Verifying until they pass again.
 */
final class Staging {

  /** Instances of a staging attempt launched this long before its recorded start still count. */
  static final Duration CLOCK_SKEW = Duration.ofMinutes(1);
  /** Time a fleet found without its status record gets to be verified. */
  static final Duration RECOVERY_GRACE = Duration.ofMinutes(5);

  private Staging() {}

  static Health run(Draft d, Roles roles) {
    String id = roles.desiredId();
    Fleet fleet = d.world.fleets().get(id);
    Fleet active = roles.active();
    boolean available = d.serves(active);
    int size = d.systemSize();

    List<ManagedInstance> leftovers = FailedFleets.leftovers(d, fleet);
    if (!leftovers.isEmpty()) {
      return replaceLeftovers(d, leftovers, available);
    }
    Instant startedAt = startedAt(d, id, fleet);
    Instant verifiedAt = verifiedBefore(d, id).orElse(null);
    Instant deadline = startedAt.plus(d.spec.verification.deadlineLength());
    List<ManagedInstance> members = members(d, fleet);
    List<ManagedInstance> lost = lost(d, fleet, startedAt);
    if (!kept(roles, fleet)) {
      removeExtras(d, fleet, members);
    }

    Optional<Health> failed = givenUp(d, fleet, id, lost, verifiedAt, deadline, available);
    if (failed.isPresent()) {
      return failed.get();
    }
    if (verifiedAt == null) {
      d.wakeAt(deadline);
    }
    d.trial(id, members, startedAt, deadline, verifiedAt);

    Map<String, List<Integer>> missing = new LinkedHashMap<>();
    for (RoleLayout role : d.layout) {
      List<Integer> slots = IntStream.range(0, role.size())
          .filter(slot -> members.stream().noneMatch(i -> i.holds(role.name(), slot)))
          .boxed().toList();
      if (!slots.isEmpty()) {
        missing.put(role.name(), slots);
      }
    }
    if (!missing.isEmpty()) {
      d.phase = Phase.Provisioning;
      return launchMissing(d, fleet, id, missing, startedAt, deadline, available);
    }
    if (!Gates.booted(members)) {
      d.phase = Phase.Provisioning;
      return progressing(available, "Booting", members.stream().filter(i -> i.state()
          == dev.cutover.ec2.InstanceState.RUNNING).count() + " of " + size
          + " instances of " + d.spec.version + " running.");
    }
    return verify(d, roles, fleet, members, verifiedAt, available);
  }

  /**
   * The attempt given up last (its approval expired, or kept for debugging) goes before the
   * same fleet is launched again: a new attempt begins once EC2 lists its instances gone.
   */
  private static Health replaceLeftovers(Draft d, List<ManagedInstance> leftovers,
      boolean available) {
    String fleetId = leftovers.get(0).fleetId();
    var failed = d.last.lastFailure;
    var retry = Retries.replacedAttemptFailedAt(d, fleetId).map(at -> d.lastRetry)
        .filter(r -> failed == null || !fleetId.equals(failed.fleetId));
    String failedAt = retry.map(r -> r.failedAt).orElse(failed == null ? null : failed.at);
    String reason = retry.map(r -> r.failure).orElse(failed == null ? null : failed.reason);
    var failure = new dev.cutover.api.Failure();
    failure.reason = reason;
    d.terminate(leftovers, d.spec.version, FailedFleets.cleanupReason(failure));
    d.phase = Phase.Provisioning;
    d.wakeAt(d.now.plusSeconds(5));
    return progressing(available, "ReplacingFailedAttempt", "Terminating " + leftovers.size()
        + " instance" + (leftovers.size() == 1 ? "" : "s") + " of " + d.spec.version
        + " left from the attempt given up at " + failedAt + " (" + reason + ") before "
        + "launching it again" + retry.map(r -> " (retry " + r.token + ")").orElse("") + ".");
  }

  /**
   * The attempt fails when more instances died than it has slots, past its deadline, or when a
   * verified fleet was not approved in time.
   */
  private static Optional<Health> givenUp(Draft d, Fleet fleet, String id,
      List<ManagedInstance> lost, Instant verifiedAt, Instant deadline, boolean available) {
    if (lost.size() > d.systemSize()) {
      return Optional.of(fail(d, fleet, FailureReason.InstancesKeepFailing, lost.size()
          + " instances of this attempt were lost (" + lost.get(lost.size() - 1).id() + " is "
          + lost.get(lost.size() - 1).state().ec2Name() + ").", available));
    }
    if (Gates.pastDeadline(verifiedAt, deadline, d.now)) {
      return Optional.of(fail(d, fleet, FailureReason.DeadlineExceeded, "not verified within "
          + d.spec.verification.deadline + " of launch" + launchProblem(d, id) + ".",
          available));
    }
    Optional<Instant> expiry = FailedFleets.approvalExpiry(d, verifiedAt);
    if (expiry.isPresent() && !d.now.isBefore(expiry.get())) {
      return Optional.of(fail(d, fleet, FailureReason.ApprovalExpired,
          FailedFleets.approvalExpired(d, expiry.get()), available));
    }
    // Also while its checks fail again after the verification: the approval's time runs on.
    expiry.ifPresent(d::wakeAt);
    return Optional.empty();
  }

  /** Instances of this attempt that died: stopped ones, and gone ones launched since it began. */
  private static List<ManagedInstance> lost(Draft d, Fleet fleet, Instant startedAt) {
    if (fleet == null) {
      return List.of();
    }
    return fleet.instances().stream()
        .filter(i -> inLayout(d, i) && !i.state().isAlive()
            && !Retries.ofReplacedAttempt(d, fleet, i)
            && (!i.state().isGone() || !i.launchTime().isBefore(startedAt.minus(CLOCK_SKEW))))
        .toList();
  }

  private static Health launchMissing(Draft d, Fleet fleet, String id,
      Map<String, List<Integer>> slots, Instant startedAt, Instant deadline, boolean available) {
    int missing = slots.values().stream().mapToInt(List::size).sum();
    if (recentlyLaunched(d, id)) {
      // Status says this attempt launched moments ago; a poll that old may not list it yet
      // (and a restarted operator has no write-through): look again before launching more.
      return progressing(available, "LaunchUnconfirmed", "Waiting for EC2 to list the "
          + "instances of " + d.spec.version + " launched at " + startedAt + ".");
    }
    if (Launches.launch(d, fleet, id, d.spec.version, slots, "Staging")) {
      return progressing(available, "Launching", "Launching " + missing + " instance"
          + (missing == 1 ? "" : "s") + " of " + d.spec.version + " beside production.");
    }
    if (d.launchesWithheld) {
      return progressing(available, "LaunchWithheld", "Not launching " + missing
          + " instance" + (missing == 1 ? "" : "s") + " of " + d.spec.version + ".");
    }
    Optional<ActionError> e = d.heldFor("RunInstances/" + id);
    if (e.isEmpty()) {
      return progressing(available, "LaunchUnconfirmed", "The last launch of "
          + d.spec.version + " may have happened although its answer was lost; waiting "
          + "for EC2 to list its instances before launching again.");
    }
    return progressing(available, "LaunchRefused", "EC2 refused to launch "
        + d.spec.version + " (" + e.get().code + ": " + e.get().message
        + "); trying again at " + e.get().retryAt + ", until the deadline " + deadline + ".");
  }

  private static Health verify(Draft d, Roles roles, Fleet fleet, List<ManagedInstance> members,
      Instant verifiedBefore, boolean available) {
    Instant soakEnds = verifiedBefore == null ? null
        : verifiedBefore.plus(d.spec.promotion.soakLength());
    boolean soaked = Gates.soaked(verifiedBefore, soakEnds, d.now);
    List<ManagedInstance> checkedNow = Addresses.checked(d, members);
    Optional<String> impaired = Gates.impaired(d.spec, members);
    if (impaired.isPresent() && !soaked) {
      return fail(d, fleet, FailureReason.InstanceImpaired, impaired.get(), available);
    }
    Optional<String> failing = Gates.httpFailing(d.spec, d.world, checkedNow);
    if (verifiedBefore != null && !soaked && failing.isPresent()) {
      return fail(d, fleet, FailureReason.CheckFailedDuringSoak, failing.get().replace("failed (",
          "failed during the soak ("), available);
    }
    // Measured from boot through the soak: a check that reaches its limit fails the fleet.
    var measured = Metrics.measure(d, dev.cutover.observe.MetricTarget.VERIFICATION, fleet,
        members, soaked ? null : d.spec.verification.metrics);
    Optional<String> metricFailed = Metrics.failed(d, measured);
    if (metricFailed.isPresent()) {
      return fail(d, fleet, FailureReason.MetricCheckFailed, metricFailed.get(), available);
    }
    d.phase = Phase.Verifying;
    // Not before: a fleet that fails is terminated whole, never kept for its preview.
    Addresses.preview(d, fleet);
    List<ManagedInstance> checked = Addresses.checked(d, members);
    if (d.spec.verification.http != null) {
      d.checkTargets.addAll(checked);
    }
    Optional<Health> pending = checksPending(d, members, checked, impaired.isPresent(),
        verifiedBefore, available);
    if (pending.isPresent()) {
      return pending.get();
    }
    Optional<String> metricsPending = Metrics.pending(d, measured);
    if (metricsPending.isPresent() && verifiedBefore == null) {
      return progressing(available, "MetricChecks", metricsPending.get() + " for "
          + d.spec.version + ".");
    }
    Instant verifiedAt = verifiedBefore == null ? d.now : verifiedBefore;
    d.trial = d.trial.verifiedAt(verifiedAt);
    return promoteWhenSoakedAndApproved(d, roles, fleet, members, verifiedAt, available);
  }

  /** Progress while EC2 status checks or HTTP checks have not yet passed on every member. */
  private static Optional<Health> checksPending(Draft d, List<ManagedInstance> members,
      List<ManagedInstance> checked, boolean impaired, Instant verifiedBefore,
      boolean available) {
    if (impaired || !Gates.statusChecksPass(d.spec, members)) {
      long ok = members.stream().filter(i -> i.statusChecks()
          == dev.cutover.ec2.ManagedInstance.StatusChecks.OK).count();
      return Optional.of(progressing(available, "StatusChecks", ok + " of " + members.size()
          + " instances of " + d.spec.version + " pass EC2 status checks"
          + againSince(verifiedBefore)));
    }
    if (d.spec.verification.http != null && checked.isEmpty()) {
      boolean listed = d.preview.flatMap(Addresses.Binding::address).isPresent();
      return Optional.of(progressing(available, "HttpChecks", listed
          ? "Waiting for the preview address to point at " + d.spec.version
              + " before checking it through that address."
          : "The preview address " + d.spec.preview.allocationId + " was not found in this "
              + "account and region; the check through it waits for it."));
    }
    if (!Gates.httpChecksPass(d.spec, d.world, checked)) {
      int threshold = d.spec.verification.http.threshold();
      long passed = checked.stream().filter(i -> d.world.http(i.id()).passed(threshold))
          .count();
      return Optional.of(progressing(available, "HttpChecks", passed + " of " + checked.size()
          + " instances of " + d.spec.version + " pass the HTTP check"
          + againSince(verifiedBefore)));
    }
    return Optional.empty();
  }

  private static Health promoteWhenSoakedAndApproved(Draft d, Roles roles, Fleet fleet,
      List<ManagedInstance> members, Instant verifiedAt, boolean available) {
    Instant soakUntil = verifiedAt.plus(d.spec.promotion.soakLength());
    if (d.now.isBefore(soakUntil)) {
      d.wakeAt(soakUntil);
      return progressing(available, "Soaking", d.spec.version + " is verified and soaks until "
          + soakUntil + ".");
    }
    if (!Gates.approved(d.spec)) {
      d.phase = Phase.AwaitingPromotion;
      Optional<Instant> expiry = FailedFleets.approvalExpiry(d, verifiedAt);
      expiry.ifPresent(d::wakeAt);
      return progressing(available, "AwaitingPromotion", d.spec.version + " is verified; set "
          + "promotion.approvedVersion to " + d.spec.version + " to switch"
          + expiry.map(at -> " before " + at + " (promotion.approvalTimeout), when the fleet "
              + "is abandoned").orElse("") + ". Staging addresses: "
          + members.stream().map(i -> i.privateIp() == null ? i.id() : i.privateIp())
              .collect(Collectors.joining(", ")) + ".");
    }
    return Switches.promote(d, roles, fleet,
        Addresses.entry(d, fleet).orElse(members.get(0)), available);
  }

  private static String againSince(Instant verifiedBefore) {
    return verifiedBefore == null ? "."
        : "; verified at " + verifiedBefore + ", the switch waits until every check passes "
            + "again.";
  }

  /** One live instance per slot of each role: the oldest. */
  private static List<ManagedInstance> members(Draft d, Fleet fleet) {
    if (fleet == null) {
      return List.of();
    }
    List<ManagedInstance> members = new ArrayList<>();
    for (RoleLayout role : d.layout) {
      for (int slot = 0; slot < role.size(); slot++) {
        int s = slot;
        fleet.alive().stream().filter(i -> i.holds(role.name(), s))
            .min(Production.KEEP_FIRST).ifPresent(members::add);
      }
    }
    return members;
  }

  /** The instance holds a slot the spec has (its role exists and the slot is below its size). */
  private static boolean inLayout(Draft d, ManagedInstance i) {
    RoleLayout role = d.role(i.role());
    return role != null && i.slot() < role.size();
  }

  /**
   * Surplus slots and second instances in a slot (newest first) go. Stopped instances stay
   * until a replacement serves: they may be a retained fleet being relaunched.
   */
  /**
   * A fleet held because its role is unknown (or retained for a switch back) keeps every
   * instance while it is staged again: its surplus goes only when the hold ends.
   */
  private static boolean kept(Roles roles, Fleet fleet) {
    return fleet != null && (roles.held().keySet().stream().anyMatch(f -> f.id().equals(fleet.id()))
        || roles.retained() != null && roles.retained().id().equals(fleet.id()));
  }

  private static void removeExtras(Draft d, Fleet fleet, List<ManagedInstance> members) {
    if (fleet == null) {
      return;
    }
    List<ManagedInstance> surplus = fleet.alive().stream()
        .filter(i -> !inLayout(d, i)).toList();
    List<ManagedInstance> duplicates = fleet.alive().stream()
        .filter(i -> inLayout(d, i) && !members.contains(i)).toList();
    d.terminate(surplus, d.spec.version, "ScaledIn");
    d.terminate(duplicates, d.spec.version, "DuplicateInSlot");
  }

  private static String launchProblem(Draft d, String id) {
    return d.last.errors == null ? "" : d.last.errors.stream()
        .filter(e -> Objects.equals(e.action, "RunInstances/" + id)).findFirst()
        .map(e -> " (the last launch was refused: " + e.code + ")").orElse("");
  }

  private static boolean recentlyLaunched(Draft d, String id) {
    if (d.last.stagingFleet == null || !id.equals(d.last.stagingFleet.id)
        || d.last.stagingFleet.startedAt == null) {
      return false;
    }
    Instant listed = Instant.parse(d.last.stagingFleet.startedAt).plus(Draft.LISTING_DELAY);
    if (d.world.polledSince(listed)) {
      return false;
    }
    d.wakeAt(listed.isAfter(d.now) ? listed : d.now.plusSeconds(1));
    return true;
  }

  private static Optional<Instant> verifiedBefore(Draft d, String id) {
    return Optional.ofNullable(d.last.stagingFleet)
        .filter(s -> id.equals(s.id) && s.verifiedAt != null)
        .map(s -> Instant.parse(s.verifiedAt));
  }

  private static Instant startedAt(Draft d, String id, Fleet fleet) {
    if (d.last.stagingFleet != null && id.equals(d.last.stagingFleet.id)
        && d.last.stagingFleet.startedAt != null) {
      return Instant.parse(d.last.stagingFleet.startedAt);
    }
    // Launched before status could record it (a crash in between): the instances say when. A
    // fleet found long after (status lost) gets a little time rather than a deadline already
    // past: it may be the fleet that served before, and it is verified, not destroyed.
    Instant launched = fleet == null ? d.now : fleet.alive().stream()
        .map(ManagedInstance::launchTime).filter(Objects::nonNull)
        .min(Comparator.naturalOrder()).orElse(d.now);
    Instant latest = d.now.minus(d.spec.verification.deadlineLength()).plus(RECOVERY_GRACE);
    latest = latest.isAfter(d.now) ? d.now : latest;
    return launched.isAfter(latest) ? launched : latest;
  }

  /** Gives the fleet up: every instance of it goes, production is untouched. */
  static Health fail(Draft d, Fleet fleet, FailureReason reason, String message,
      boolean available) {
    boolean recorded = d.last.stagingFleet != null && fleet != null
        && fleet.id().equals(d.last.stagingFleet.id);
    boolean roleUnknown = fleet != null && d.held.stream()
        .anyMatch(k -> k.fleet().id().equals(fleet.id()));
    Optional<Instant> keepUntil = FailedFleets.keepUntil(d, reason);
    boolean ours = fleet != null && !roleUnknown
        && (recorded || fleet.launchedSince(d.now.minus(CLOCK_SKEW)));
    Optional<Instant> retained = reason == FailureReason.Aborted && fleet != null
        ? Aborts.retainedUntil(d, fleet.id()) : Optional.empty();
    if (ours && retained.isPresent()) {
      // An aborted version whose fleet is the retained one, launched again: kept for a switch
      // back until the retention period ends (see Aborts).
      d.held = append(d.held, new Facts.Kept(fleet, retained.get(), Aborts.RETAINED));
      d.wakeAt(retained.get());
    } else if (ours && keepUntil.isPresent()) {
      // Kept for debugging: reported, and terminated when its time passes (Decider.failed).
      d.held = append(d.held, new Facts.Kept(fleet, keepUntil.get(),
          FailedFleets.KEPT_FOR_DEBUGGING));
      d.wakeAt(keepUntil.get());
    } else if (ours) {
      d.terminate(fleet.notGone(), d.spec.version, reason == FailureReason.ApprovalExpired
          ? FailedFleets.APPROVAL_EXPIRED : reason == FailureReason.Aborted
              ? FailedFleets.ABORTED : FailedFleets.CLEANED_UP);
    } else if (fleet != null && !roleUnknown) {
      // Found without a status record (status lost): it may have served before. Kept, and
      // said so, until the retention period passes.
      d.held = append(d.held, new Facts.Kept(fleet, d.now.plus(d.spec.retention.ttl()),
          "RoleUnknown"));
    }
    d.lastFailure = d.failure(fleet == null ? FleetIds.of(d.spec) : fleet.id(), d.spec.version, reason.name(), message);
    if (ours && keepUntil.isPresent()) {
      d.lastFailure.keptUntil = keepUntil.get().toString();
    }
    d.phase = Phase.Failed;
    d.trial = null;
    return Health.stalled(available, reason.name(), "Release of " + d.spec.version
        + " failed: " + message + " Production is untouched;"
        + FailedFleets.retry(d, reason.name())
        + (ours && keepUntil.isPresent() ? FailedFleets.kept(keepUntil.get()) : ""));
  }

  static List<Facts.Kept> append(List<Facts.Kept> kept, Facts.Kept more) {
    List<Facts.Kept> all = new ArrayList<>(kept);
    all.add(more);
    return all;
  }

  static Health progressing(boolean available, String reason, String message) {
    return Health.progressing(available, reason, message);
  }
}
