package dev.cutover.decide;

import dev.cutover.api.Phase;
import dev.cutover.observe.Fleet;
import dev.cutover.ec2.ManagedInstance;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The fleets that serve or would serve again: the active fleet healed to fleetSize (slots
 * refilled, surplus and duplicates removed, the Elastic IP kept on a running instance), its
 * post-switch checks, and the retained fleet kept until its time.
 */
final class Production {

  /** Which of two instances in one slot stays: the older, then the lower id. */
  static final Comparator<ManagedInstance> KEEP_FIRST = Comparator
      .comparing(ManagedInstance::launchTime, Comparator.nullsLast(Comparator.naturalOrder()))
      .thenComparing(ManagedInstance::id);

  private Production() {}

  /** desired == active: heal it and watch it after a switch. */
  static Health live(Draft d, Roles roles) {
    Fleet active = roles.active();
    Optional<Health> afterSwitch = postSwitch(d, roles);
    if (afterSwitch.isPresent()) {
      return afterSwitch.get();
    }
    int size = d.spec.fleetSize;
    boolean healBlocked = d.failureBlocks(active.id());
    Heal heal = heal(d, active, !healBlocked);
    serving(d, active);
    boolean available = d.serves(active);
    if (healBlocked) {
      d.phase = Phase.Degraded;
      return Health.stalled(available, d.lastFailure.reason,
          "Cannot restore " + size + " instances of " + active.version() + ": "
              + d.lastFailure.message);
    }
    if (!available && !d.plansAssociate()) {
      d.phase = Phase.Degraded;
      return Health.progressing(false, "ProductionLost", "No running instance of "
          + active.version() + " holds the Elastic IP; " + (heal.launched() > 0
              ? "relaunching " + heal.launched() + " instance" + (heal.launched() == 1 ? "" : "s")
              : "waiting for one to run") + ".");
    }
    d.phase = Phase.Live;
    if (!available) {
      return Health.progressing(false, "Healing", "Moving the Elastic IP back to a "
          + "running instance of " + active.version() + ".");
    }
    if (heal.complete() && active.running().size() == size && !d.plansAssociate()) {
      return Health.ready(active.version() + " serves " + d.eip.map(e -> e.publicIp()).orElse("the Elastic IP")
              + " with " + size + " instance" + (size == 1 ? "" : "s") + ".");
    }
    return Health.progressing(true, "Scaling",
        "Bringing " + active.version() + " to " + size + " running instance"
            + (size == 1 ? "" : "s") + " (" + active.running().size() + " running).");
  }

  /** What healing planned: how many instances it launches, and whether nothing was off. */
  record Heal(int launched, boolean complete) {}

  /**
   * Brings the active fleet to one running instance per slot below fleetSize: surplus slots,
   * second instances in a slot and stopped instances go, missing slots are launched (with
   * {@code launch} false, only reported). The Elastic IP first moves off anything that goes.
   */
  static Heal heal(Draft d, Fleet active, boolean launch) {
    int size = d.spec.fleetSize;
    String holder = d.holder();
    List<ManagedInstance> surplus = new ArrayList<>();
    List<ManagedInstance> duplicates = new ArrayList<>();
    for (ManagedInstance i : active.alive()) {
      if (i.slot() >= size) {
        surplus.add(i);
      } else if (!keeper(active, i.slot(), holder).equals(i)) {
        duplicates.add(i);
      }
    }
    List<ManagedInstance> stopped = active.stopped();
    List<Integer> missing = IntStream.range(0, size)
        .filter(slot -> active.aliveInSlot(slot).isEmpty()).boxed().toList();

    Set<String> leaving = new HashSet<>();
    surplus.forEach(i -> leaving.add(i.id()));
    duplicates.forEach(i -> leaving.add(i.id()));
    stopped.forEach(i -> leaving.add(i.id()));
    if (!keepElasticIpOn(d, active, leaving)) {
      String stays = addressKeeperUntilReplaced(d, active, holder, leaving);
      surplus.removeIf(i -> i.id().equals(stays));
      duplicates.removeIf(i -> i.id().equals(stays));
      stopped = stopped.stream().filter(i -> !i.id().equals(stays)).toList();
    }
    d.terminate(surplus, active.version(), "ScaledIn");
    d.terminate(duplicates, active.version(), "DuplicateInSlot");
    d.terminate(stopped, active.version(), "ReplacedStopped");
    int launched = 0;
    if (launch && !missing.isEmpty() && Launches.launch(d, active, active.id(),
        active.version(), missing, active.alive().isEmpty() ? "Relaunched" : "ScaledOut")) {
      launched = missing.size();
    }
    return new Heal(launched, missing.isEmpty() && leaving.isEmpty());
  }

  /**
   * No staying instance runs yet. The address stays on its holder if that one runs, else it
   * goes to a running instance that was to leave (better than a stopped one), and whichever
   * holds it stays until a replacement runs. Returns that instance (null when there is none).
   */
  private static String addressKeeperUntilReplaced(Draft d, Fleet active, String holder,
      Set<String> leaving) {
    if (active.running().stream().anyMatch(i -> i.id().equals(holder))) {
      return holder;
    }
    Optional<ManagedInstance> runner = active.running().stream()
        .filter(i -> leaving.contains(i.id()) && !d.terminating.contains(i.id()))
        .findFirst();
    if (runner.isPresent() && d.associate(runner.get().id(), d.versionOf(holder),
        active.version(), SwitchReason.Healed)) {
      return runner.get().id();
    }
    return holder;
  }

  /** The instance that keeps a slot: the Elastic IP's holder, else the oldest. */
  private static ManagedInstance keeper(Fleet fleet, int slot, String holder) {
    List<ManagedInstance> inSlot = fleet.alive().stream().filter(i -> i.slot() == slot).toList();
    return inSlot.stream().filter(i -> i.id().equals(holder)).findFirst()
        .orElseGet(() -> inSlot.stream().min(KEEP_FIRST).orElseThrow());
  }

  /**
   * Points the Elastic IP at a running active instance that is staying, if it is not already.
   * Returns false when no such instance exists (the Elastic IP stays where it is).
   */
  static boolean keepElasticIpOn(Draft d, Fleet active, Set<String> leaving) {
    if (d.eip.isEmpty()) {
      return true;
    }
    String holder = d.holder();
    if (active.running().stream().anyMatch(i -> i.id().equals(holder)
        && !leaving.contains(i.id()))) {
      return true;
    }
    Optional<ManagedInstance> target = active.running().stream()
        .filter(i -> !leaving.contains(i.id()) && !d.terminating.contains(i.id())).findFirst();
    target.ifPresent(t -> d.associate(t.id(), d.versionOf(holder), active.version(),
        SwitchReason.Healed));
    return target.isPresent();
  }

  /** The active fleet serves, since the time status remembers (or now, for a new one). */
  static void serving(Draft d, Fleet active) {
    if (active == null) {
      return;
    }
    d.serving(active, d.holder(), d.last.activeFleet != null
        && active.id().equals(d.last.activeFleet.id) && d.last.activeFleet.since != null
        ? Instant.parse(d.last.activeFleet.since) : d.now);
  }

  /** When the post-switch window of the active fleet ends, if it is still open. */
  static Optional<Instant> windowEnds(Draft d, Fleet active) {
    if (!d.spec.postSwitch.verifies() || active == null || d.last.activeFleet == null
        || !active.id().equals(d.last.activeFleet.id) || d.last.activeFleet.since == null) {
      return Optional.empty();
    }
    Instant ends = Instant.parse(d.last.activeFleet.since).plus(d.spec.postSwitch.windowLength());
    return d.now.isBefore(ends) ? Optional.of(ends) : Optional.empty();
  }

  /**
   * Within postSwitch.window after a switch the new active fleet keeps being checked; a failure
   * moves the Elastic IP back to the retained fleet (one call) when revertOnFailure allows it and
   * the retained fleet is still there.
   */
  private static Optional<Health> postSwitch(Draft d, Roles roles) {
    Fleet active = roles.active();
    Optional<Instant> ends = windowEnds(d, active);
    if (ends.isEmpty()) {
      return Optional.empty();
    }
    d.wakeAt(ends.get());
    if (d.spec.verification.http != null) {
      d.checkTargets.addAll(active.running());
    }
    Optional<String> problem = active.running().stream()
        .map(i -> Gates.servingProblem(d.spec, d.world, i)).flatMap(Optional::stream).findFirst();
    if (problem.isEmpty()) {
      return Optional.empty();
    }
    var failure = d.failure(active.id(), active.version(),
        FailureReason.PostSwitchCheckFailed.name(),
        "after the switch, " + problem.get());
    d.lastFailure = failure;
    d.phase = Phase.Degraded;
    Fleet retained = roles.retained();
    Optional<ManagedInstance> back = retained == null || !d.now.isBefore(roles.retainedExpiry())
        ? Optional.empty() : retained.primary();
    if (d.spec.postSwitch.reverts() && back.isPresent()
        && d.associate(back.get().id(), active.version(), retained.version(),
            SwitchReason.Reverted)) {
      d.intendSwitch(active, retained, SwitchReason.Reverted);
      d.serving(retained, back.get().id(), d.now);
      d.addressHolder = back.get().id();
      d.retaining(null, null);
      d.addHistory(active.version(), retained.version(), SwitchReason.Reverted.name());
      return Optional.of(Health.stalled(true, FailureReason.PostSwitchCheckFailed.name(),
          "Reverted to " + retained.version() + ": " + failure.message + " " + d.spec.version
              + " is not tried again until the spec changes."));
    }
    // Nothing to revert to: production is still healed (the address kept on a running instance).
    heal(d, active, false);
    serving(d, active);
    return Optional.of(Health.stalled(d.serves(active) || d.plansAssociate(),
        FailureReason.PostSwitchCheckFailed.name(), "Serving " + active.version() + " although "
            + failure.message + " No retained fleet to revert to."));
  }

  /**
   * The retained fleet stays until its expiry, then goes. It is scaled down to
   * previousFleetSize only once the post-switch window has closed: a revert gets it whole.
   */
  static void retain(Draft d, Roles roles) {
    Fleet previous = roles.retained();
    if (previous == null || previous.id().equals(roles.desiredId())) {
      return;
    }
    Instant expiresAt = roles.retainedExpiry();
    if (!d.now.isBefore(expiresAt)) {
      d.terminate(previous.notGone(), previous.version(), "RetentionExpired");
      return;
    }
    int keep = d.spec.retention.keep();
    List<ManagedInstance> alive = previous.alive();
    Optional<Instant> window = d.spec.postSwitch.reverts() ? windowEnds(d, roles.active())
        : Optional.empty();
    if (keep > 0 && alive.size() > keep) {
      Instant fresh = d.now.minus(Draft.LISTING_DELAY);
      if (window.isPresent()) {
        d.wakeAt(window.get());
      } else if (!d.world.polledSince(fresh)) {
        // Scaling down is never urgent: it waits for a fresh poll, so that it never keeps an
        // instance that died since the last one while terminating the last one alive.
        d.wakeAt(d.now.plusSeconds(1));
      } else {
        d.terminate(alive.subList(keep, alive.size()), previous.version(),
            "RetainedScaledDown");
      }
    }
    d.retaining(previous, expiresAt);
    d.wakeAt(expiresAt);
  }
}
