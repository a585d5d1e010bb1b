package dev.cutover.decide;

import dev.cutover.api.Phase;
import dev.cutover.api.RoleLayout;
import java.util.LinkedHashMap;
import java.util.Map;
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
 * The fleets that serve or would serve again: the active fleet healed to its size (slots of
 * each role refilled, surplus and duplicates removed, every address kept on a running instance), its
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
    int size = d.systemSize();
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
      return Health.ready(active.version() + " serves " + served(d) + " with " + size
          + " instance" + (size == 1 ? "" : "s") + ".");
    }
    return Health.progressing(true, "Scaling",
        "Bringing " + active.version() + " to " + size + " running instance"
            + (size == 1 ? "" : "s") + " (" + active.running().size() + " running).");
  }

  /** The production addresses, for messages: "52.1.2.3", or "52.1.2.3, 52.1.2.4". */
  static String served(Draft d) {
    List<String> ips = d.bindings.stream().map(b -> b.address().map(a -> a.publicIp()))
        .flatMap(Optional::stream).toList();
    return ips.isEmpty() ? "the Elastic IP" : String.join(", ", ips);
  }

  /** What healing planned: how many instances it launches, and whether nothing was off. */
  record Heal(int launched, boolean complete) {}

  /**
   * Brings the active fleet to one running instance per slot of each role: surplus slots (and
   * roles the spec no longer has), second instances in a slot and stopped instances go, missing
   * slots are launched (with {@code launch} false, only reported). Every address first moves
   * off anything that goes.
   */
  static Heal heal(Draft d, Fleet active, boolean launch) {
    Set<String> holders = new HashSet<>();
    d.bindings.forEach(b -> {
      if (b.holder() != null) {
        holders.add(b.holder());
      }
    });
    List<ManagedInstance> surplus = new ArrayList<>();
    List<ManagedInstance> duplicates = new ArrayList<>();
    for (ManagedInstance i : active.alive()) {
      RoleLayout role = d.role(i.role());
      if (role == null || i.slot() >= role.size()) {
        surplus.add(i);
      } else if (!keeper(active, i, holders).equals(i)) {
        duplicates.add(i);
      }
    }
    List<ManagedInstance> stopped = new ArrayList<>(active.stopped());
    Map<String, List<Integer>> missing = new LinkedHashMap<>();
    for (RoleLayout role : d.layout) {
      List<Integer> slots = IntStream.range(0, role.size())
          .filter(slot -> active.aliveInSlot(role.name(), slot).isEmpty()).boxed().toList();
      if (!slots.isEmpty()) {
        missing.put(role.name(), slots);
      }
    }

    Set<String> leaving = new HashSet<>();
    surplus.forEach(i -> leaving.add(i.id()));
    duplicates.forEach(i -> leaving.add(i.id()));
    stopped.forEach(i -> leaving.add(i.id()));
    for (Addresses.Binding unplaced : Addresses.keepOn(d, active, leaving)) {
      String stays = addressKeeperUntilReplaced(d, active, unplaced, leaving);
      surplus.removeIf(i -> i.id().equals(stays));
      duplicates.removeIf(i -> i.id().equals(stays));
      stopped.removeIf(i -> i.id().equals(stays));
    }
    d.terminate(surplus, active.version(), "ScaledIn");
    d.terminate(duplicates, active.version(), "DuplicateInSlot");
    d.terminate(stopped, active.version(), "ReplacedStopped");
    int launched = 0;
    int wanted = missing.values().stream().mapToInt(List::size).sum();
    if (launch && wanted > 0 && Launches.launch(d, active, active.id(), active.version(),
        missing, active.alive().isEmpty() ? "Relaunched" : "ScaledOut")) {
      launched = wanted;
    }
    return new Heal(launched, missing.isEmpty() && leaving.isEmpty());
  }

  /**
   * No staying instance of the address's role runs yet. The address stays on its holder if
   * that one runs, else it goes to a running instance of the role that was to leave (better
   * than a stopped one), and whichever holds it stays until a replacement runs. Returns that
   * instance (null when there is none).
   */
  private static String addressKeeperUntilReplaced(Draft d, Fleet active,
      Addresses.Binding address, Set<String> leaving) {
    String holder = d.plannedHolders.getOrDefault(
        address.address().get().allocationId(), address.holder());
    if (active.running().stream().anyMatch(i -> i.id().equals(holder))) {
      return holder;
    }
    Optional<ManagedInstance> runner = active.running().stream()
        .filter(i -> i.role().equals(address.role()) && leaving.contains(i.id())
            && !d.terminating.contains(i.id()) && !d.draining(i.id())
            && !Addresses.holdsAnother(d, address, i.id()))
        .findFirst();
    if (runner.isPresent() && d.associate(address, runner.get().id(), d.versionOf(holder),
        active.version(), SwitchReason.Healed)) {
      return runner.get().id();
    }
    return holder;
  }

  /** The instance that keeps a slot: an address's holder, else the oldest. */
  private static ManagedInstance keeper(Fleet fleet, ManagedInstance member,
      Set<String> holders) {
    List<ManagedInstance> inSlot = fleet.alive().stream()
        .filter(i -> i.holds(member.role(), member.slot())).toList();
    return inSlot.stream().filter(i -> holders.contains(i.id())).min(KEEP_FIRST)
        .orElseGet(() -> inSlot.stream().min(KEEP_FIRST).orElseThrow());
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
    boolean metrics = d.spec.postSwitch.metrics != null && !d.spec.postSwitch.metrics.isEmpty();
    if (!d.spec.postSwitch.verifies() && !metrics || active == null || d.last.activeFleet == null
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
    if (ends.isPresent()) {
      d.wakeAt(ends.get());
      List<ManagedInstance> checked = Addresses.checked(d, active.running());
      if (d.spec.verification.http != null) {
        d.checkTargets.addAll(checked);
      }
      var measured = Metrics.measure(d, dev.cutover.observe.MetricTarget.POST_SWITCH, active,
          active.running(), d.spec.postSwitch.metrics);
      Optional<String> problem = checked.stream().filter(i -> d.spec.postSwitch.verifies())
          .map(i -> Gates.servingProblem(d.spec, d.world, i)).flatMap(Optional::stream)
          .findFirst().or(() -> Metrics.failed(d, measured));
      if (problem.isPresent()) {
        return Optional.of(revert(d, roles, "after the switch, " + problem.get()));
      }
    }
    // After the checks: a pass that reverts calls no postSwitch hook.
    HookGates.Gate hook = HookGates.afterSwitch(d, active);
    if (hook.failed() && !d.failureBlocks(active.id())) {
      return Optional.of(revert(d, roles, "after the switch, " + lowerFirst(hook.message())
          + "."));
    }
    if (!hook.passed() && hook.record() != null) {
      d.hookReports.add(capitalized(hook.message()) + ".");
    }
    return Optional.empty();
  }

  private static String lowerFirst(String s) {
    return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }

  private static String capitalized(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  /**
   * The active fleet failed after the switch (a check, or the postSwitch hook under Abort):
   * the Elastic IP moves back to the retained fleet when revertOnFailure allows it and the
   * retained fleet is still there; otherwise production is healed and the failure reported.
   */
  private static Health revert(Draft d, Roles roles, String message) {
    Fleet active = roles.active();
    var failure = d.failure(active.id(), active.version(),
        FailureReason.PostSwitchCheckFailed.name(), message);
    d.lastFailure = failure;
    d.phase = Phase.Degraded;
    Fleet retained = roles.retained();
    Optional<ManagedInstance> back = retained == null || !d.now.isBefore(roles.retainedExpiry())
        ? Optional.empty() : Addresses.entry(d, retained);
    if (d.spec.postSwitch.reverts() && back.isPresent()
        && Addresses.moveAll(d, active, retained, back.get(), SwitchReason.Reverted)) {
      d.intendSwitch(active, retained, SwitchReason.Reverted);
      d.serving(retained, back.get().id(), d.now);
      d.addressHolder = back.get().id();
      d.retaining(null, null);
      d.addHistory(active.version(), retained.version(), SwitchReason.Reverted.name());
      return Health.stalled(true, FailureReason.PostSwitchCheckFailed.name(),
          "Reverted to " + retained.version() + ": " + failure.message + " " + d.spec.version
              + " is not tried again until the spec changes.");
    }
    // Nothing to revert to: production is still healed (the address kept on a running instance).
    heal(d, active, false);
    serving(d, active);
    return Health.stalled(d.serves(active) || d.plansAssociate(),
        FailureReason.PostSwitchCheckFailed.name(), "Serving " + active.version() + " although "
            + failure.message + " No retained fleet to revert to.");
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
      HookGates.Gate hook = HookGates.beforeTermination(d, previous, expiresAt);
      if (hook.passed()) {
        d.terminate(previous.notGone(), previous.version(), "RetentionExpired");
        return;
      }
      // Under Abort a failed hook keeps the fleet; the gate planned the next call at its time.
      d.hookReports.add(capitalized(hook.message()) + "; " + previous.version()
          + " is kept until it succeeds.");
      d.retaining(previous, expiresAt);
      return;
    }
    int keep = d.spec.retention.keep();
    Optional<Instant> window = d.spec.postSwitch.reverts() ? windowEnds(d, roles.active())
        : Optional.empty();
    List<ManagedInstance> beyond = new ArrayList<>();
    for (RoleLayout role : d.layout) {
      List<ManagedInstance> alive = previous.alive().stream()
          .filter(i -> i.role().equals(role.name())).toList();
      if (keep > 0 && alive.size() > keep) {
        beyond.addAll(alive.subList(keep, alive.size()));
      }
    }
    if (!beyond.isEmpty()) {
      Instant fresh = d.now.minus(Draft.LISTING_DELAY);
      if (window.isPresent()) {
        d.wakeAt(window.get());
      } else if (!d.world.polledSince(fresh)) {
        // Scaling down is never urgent: it waits for a fresh poll, so that it never keeps an
        // instance that died since the last one while terminating the last one alive.
        d.wakeAt(d.now.plusSeconds(1));
      } else {
        d.terminate(beyond, previous.version(), "RetainedScaledDown");
      }
    }
    d.retaining(previous, expiresAt);
    d.wakeAt(expiresAt);
  }
}
