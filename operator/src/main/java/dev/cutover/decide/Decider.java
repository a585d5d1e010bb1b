package dev.cutover.decide;

import dev.cutover.act.LaunchRequest;
import dev.cutover.api.ActiveFleet;
import dev.cutover.api.DeletionPolicy;
import dev.cutover.api.ElasticIpStatus;
import dev.cutover.api.Failure;
import dev.cutover.api.FleetInstance;
import dev.cutover.api.HistoryEntry;
import dev.cutover.api.HttpCheck;
import dev.cutover.api.InstanceTemplate;
import dev.cutover.api.Phase;
import dev.cutover.api.PreviousFleet;
import dev.cutover.api.Promotion;
import dev.cutover.api.Release;
import dev.cutover.api.ReleaseSpec;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.api.StagingFleet;
import dev.cutover.decide.Action.AllocateAddress;
import dev.cutover.decide.Action.Associate;
import dev.cutover.decide.Action.Launch;
import dev.cutover.decide.Action.ReleaseAddress;
import dev.cutover.decide.Action.Terminate;
import dev.cutover.observe.ElasticIp;
import dev.cutover.observe.Fleet;
import dev.cutover.observe.HttpCheckResult;
import dev.cutover.observe.InstanceState;
import dev.cutover.observe.ManagedInstance;
import dev.cutover.observe.ManagedInstance.StatusChecks;
import dev.cutover.observe.ObservedWorld;
import dev.cutover.observe.Tags;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The blue/green policy, whole and pure: {@link #decide} turns a Release, the EC2 world observed
 * for it and the current time into a {@link Plan}. No I/O, no clock of its own.
 *
 * <p>Who is who is re-derived every time: the active fleet is the one the Elastic IP points at;
 * the desired fleet is named by the hash of version and template; the previous fleet is the one
 * status remembers as retained (or the one that was active until a switch the status has not
 * recorded yet). Every other fleet of the Release is terminated.
 */
public final class Decider {

  /** Instances of a staging attempt launched this long before its recorded start still count. */
  static final Duration CLOCK_SKEW = Duration.ofMinutes(1);
  static final int HISTORY_LIMIT = 10;
  /** A missing Elastic IP may be created by its owner at any time: look again this often. */
  static final Duration RECHECK_MISSING_ADDRESS = Duration.ofSeconds(30);

  private final Release release;
  private final ReleaseSpec spec;
  private final ReleaseStatus last;
  private final ObservedWorld world;
  private final Instant now;
  private final Map<String, Fleet> fleets;
  private final Optional<ElasticIp> eip;
  private final List<Action> actions = new ArrayList<>();
  private final ReleaseStatus next = new ReleaseStatus();
  private final Set<String> terminating = new HashSet<>();
  private final List<ManagedInstance> checkTargets = new ArrayList<>();
  private Instant wakeAt;

  private Decider(Release release, ObservedWorld world, Instant now) {
    this.release = release;
    this.spec = release.getSpec();
    this.last = release.getStatus() == null ? new ReleaseStatus() : release.getStatus();
    this.world = world;
    this.now = now;
    this.fleets = world.fleets();
    this.eip = world.elasticIp();
  }

  public static Plan decide(Release release, ObservedWorld world, Instant now) {
    Decider d = new Decider(release, world, now);
    return release.isMarkedForDeletion() ? d.deletion() : d.reconcile();
  }

  // ---------------------------------------------------------------- the release

  private Plan reconcile() {
    String desiredId = FleetIds.fleetId(spec.version, spec.template);
    Fleet active = activeFleet().orElse(null);
    Fleet previous = previousFleet(active).orElse(null);

    next.history = new ArrayList<>(last.history == null ? List.of() : last.history);
    next.lastFailure = last.lastFailure;
    recordSwitchSeenInEc2(active);
    next.elasticIp = elasticIpStatus(eip.map(ElasticIp::instanceId).orElse(null));

    if (eip.isEmpty() && !Boolean.TRUE.equals(spec.elasticIp.allocate)) {
      describeActive(active);
      describePrevious(previous);
      wakeAt(now.plus(RECHECK_MISSING_ADDRESS));
      return plan(Phase.Failed, new Health(false, false, true, false, "ElasticIpNotFound",
          "Elastic IP " + spec.elasticIp.allocationId + " was not found in this account and "
              + "region; nothing is launched until it exists or the spec names another."));
    }
    if (eip.isEmpty()) {
      actions.add(new AllocateAddress(addressTags()));
    }

    terminateFleetsWithoutRole(desiredId, active, previous);
    Health health;
    if (active != null && desiredId.equals(active.id())) {
      retainPrevious(previous);
      health = live(active, previous);
    } else if (previous != null && desiredId.equals(previous.id()) && active != null) {
      health = switchBack(active, previous);
    } else {
      retainPrevious(previous);
      health = staging(desiredId, active);
    }
    if (Boolean.TRUE.equals(spec.paused)) {
      int withheld = actions.size();
      actions.clear();
      return plan(next.phase, new Health(health.ready(), false, false, health.available(),
          "Paused", "Paused: observing only" + (withheld == 0 ? "."
              : "; " + withheld + " change" + (withheld == 1 ? " is" : "s are")
                  + " waiting for paused: false.")));
    }
    return plan(next.phase, health);
  }

  /** The fleet the Elastic IP points at; else the one status says was active, if it lives. */
  private Optional<Fleet> activeFleet() {
    Optional<Fleet> holder = eip.map(ElasticIp::instanceId).flatMap(world::instance)
        .map(ManagedInstance::fleetId).map(fleets::get).filter(Fleet::hasAlive);
    if (holder.isPresent()) {
      return holder;
    }
    return Optional.ofNullable(last.activeFleet).map(a -> fleets.get(a.id))
        .filter(Fleet::hasAlive);
  }

  private Optional<Fleet> previousFleet(Fleet active) {
    String activeId = active == null ? null : active.id();
    if (last.previousFleet != null && !last.previousFleet.id.equals(activeId)) {
      Fleet f = fleets.get(last.previousFleet.id);
      if (f != null && !f.notGone().isEmpty()) {
        return Optional.of(f);
      }
    }
    // The Elastic IP moved but status was not written (a crash right after the switch): the
    // fleet status calls active is the previous one now.
    if (last.activeFleet != null && !last.activeFleet.id.equals(activeId)) {
      Fleet f = fleets.get(last.activeFleet.id);
      if (f != null && f.hasAlive()) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  private Instant previousExpiry(Fleet previous) {
    if (last.previousFleet != null && last.previousFleet.id.equals(previous.id())
        && last.previousFleet.expiresAt != null) {
      return Instant.parse(last.previousFleet.expiresAt);
    }
    return now.plus(ttl());
  }

  private void recordSwitchSeenInEc2(Fleet active) {
    if (active != null && last.activeFleet != null && !active.id().equals(last.activeFleet.id)) {
      addHistory(last.activeFleet.version, active.version(), "Switched");
    }
  }

  // ---------------------------------------------------------------- the roles

  private void terminateFleetsWithoutRole(String desiredId, Fleet active, Fleet previous) {
    for (Fleet fleet : fleets.values()) {
      boolean hasRole = fleet.id().equals(desiredId)
          || active != null && fleet.id().equals(active.id())
          || previous != null && fleet.id().equals(previous.id());
      if (!hasRole && !fleet.notGone().isEmpty()) {
        terminate(fleet.notGone(), fleet.version(), "Superseded");
      }
    }
  }

  private void retainPrevious(Fleet previous) {
    if (previous == null) {
      return;
    }
    Instant expiresAt = previousExpiry(previous);
    if (!now.isBefore(expiresAt)) {
      terminate(previous.notGone(), previous.version(), "RetentionExpired");
      return;
    }
    int keep = spec.retention.previousFleetSize == null ? 0 : spec.retention.previousFleetSize;
    List<ManagedInstance> alive = previous.alive();
    if (keep > 0 && alive.size() > keep) {
      terminate(alive.subList(keep, alive.size()), previous.version(), "RetainedScaledDown");
    }
    describePrevious(previous, expiresAt);
    wakeAt(expiresAt);
  }

  // ---------------------------------------------------------------- desired == active

  private Health live(Fleet active, Fleet previous) {
    Optional<Health> reverted = postSwitchCheck(active, previous);
    if (reverted.isPresent()) {
      return reverted.get();
    }
    int size = spec.fleetSize;
    boolean healBlocked = failureBlocks(active.id());
    List<ManagedInstance> alive = active.alive();

    List<ManagedInstance> surplus = alive.stream().filter(i -> i.slot() >= size).toList();
    List<ManagedInstance> stopped = active.stopped();
    List<Integer> missing = IntStream.range(0, size)
        .filter(slot -> active.aliveInSlot(slot).isEmpty()).boxed().toList();

    Set<String> leaving = new HashSet<>();
    surplus.forEach(i -> leaving.add(i.id()));
    stopped.forEach(i -> leaving.add(i.id()));
    if (!keepElasticIpOn(active, leaving, "Healed")) {
      // No other running instance to take the Elastic IP yet: its holder stays until one does.
      String holder = eip.map(ElasticIp::instanceId).orElse(null);
      surplus = surplus.stream().filter(i -> !i.id().equals(holder)).toList();
    }
    if (!surplus.isEmpty()) {
      terminate(surplus, active.version(), "ScaledIn");
    }
    if (!stopped.isEmpty()) {
      terminate(stopped, active.version(), "ReplacedStopped");
    }
    if (!missing.isEmpty() && !healBlocked) {
      launch(active.id(), active.version(), missing,
          alive.isEmpty() && surplus.isEmpty() ? "Relaunched" : "ScaledOut",
          deadInSlots(active, missing));
    }
    describeActive(active);
    next.phase = Phase.Live;

    boolean available = servesProduction(active);
    if (healBlocked) {
      next.phase = Phase.Degraded;
      return new Health(false, false, true, available, next.lastFailure.reason,
          "Cannot restore " + size + " instances of " + active.version() + ": "
              + next.lastFailure.message);
    }
    boolean complete = missing.isEmpty() && surplus.isEmpty() && stopped.isEmpty()
        && active.running().size() == size && available && isOnActive(active);
    if (complete) {
      return new Health(true, false, false, true, "Live",
          active.version() + " serves " + eip.map(ElasticIp::publicIp).orElse("the Elastic IP")
              + " with " + size + " instance" + (size == 1 ? "" : "s") + ".");
    }
    return new Health(false, false, false, available, "Scaling",
        "Bringing " + active.version() + " to " + size + " running instance"
            + (size == 1 ? "" : "s") + " (" + active.running().size() + " running).");
  }

  /**
   * Within postSwitch.window after a switch the new active fleet keeps being checked; a failure
   * moves the Elastic IP back to the retained fleet (one call) when revertOnFailure allows it.
   */
  private Optional<Health> postSwitchCheck(Fleet active, Fleet previous) {
    if (!Boolean.TRUE.equals(spec.postSwitch.verify) || last.activeFleet == null
        || !active.id().equals(last.activeFleet.id) || last.activeFleet.since == null) {
      return Optional.empty();
    }
    Instant windowEnds = Instant.parse(last.activeFleet.since)
        .plus(GoDurations.parse(spec.postSwitch.window, Duration.ofMinutes(2)));
    if (!now.isBefore(windowEnds)) {
      return Optional.empty();
    }
    wakeAt(windowEnds);
    HttpCheck http = spec.verification.http;
    if (http != null) {
      checkTargets.addAll(active.running());
    }
    Optional<String> problem = active.running().stream().map(i -> checkProblem(i, http))
        .flatMap(Optional::stream).findFirst();
    if (problem.isEmpty()) {
      return Optional.empty();
    }
    Failure failure = failure(active.id(), active.version(), "PostSwitchCheckFailed",
        "after the switch, " + problem.get());
    next.lastFailure = failure;
    Optional<ManagedInstance> back = previous == null ? Optional.empty() : previous.primary();
    if (Boolean.TRUE.equals(spec.postSwitch.revertOnFailure) && back.isPresent()
        && eip.isPresent()) {
      actions.add(new Associate(eip.get(), back.get().id(), active.version(),
          previous.version(), "Reverted"));
      next.activeFleet = activeFleet(previous, back.get().id(), now);
      next.elasticIp = elasticIpStatus(back.get().id());
      addHistory(active.version(), previous.version(), "Reverted");
      next.phase = Phase.Degraded;
      return Optional.of(new Health(false, false, true, true, "PostSwitchCheckFailed",
          "Reverted to " + previous.version() + ": " + failure.message + " " + spec.version
              + " is not tried again until the spec changes."));
    }
    describeActive(active);
    next.phase = Phase.Degraded;
    return Optional.of(new Health(false, false, true, servesProduction(active),
        "PostSwitchCheckFailed", "Serving " + active.version() + " although "
            + failure.message + " No retained fleet to revert to."));
  }

  /** Why an instance fails its checks now, if it does. */
  private Optional<String> checkProblem(ManagedInstance i, HttpCheck http) {
    if (Boolean.TRUE.equals(spec.verification.instanceStatusChecks)
        && i.statusChecks() == StatusChecks.IMPAIRED) {
      return Optional.of("EC2 status checks of " + i.id() + " report impaired.");
    }
    if (http != null) {
      HttpCheckResult r = world.http(i.id());
      if (r.failing(threshold(http))) {
        return Optional.of("the HTTP check of " + i.id() + " failed " + r.consecutiveFailures()
            + " times in a row (" + r.last() + ").");
      }
    }
    return Optional.empty();
  }

  private static int threshold(HttpCheck http) {
    return http.successThreshold == null ? 3 : http.successThreshold;
  }

  /**
   * Points the Elastic IP at a running active instance that is staying, if it is not already.
   * Returns false when no such instance exists (the Elastic IP stays where it is).
   */
  private boolean keepElasticIpOn(Fleet active, Set<String> leaving, String reason) {
    if (eip.isEmpty()) {
      return true;
    }
    String holder = eip.get().instanceId();
    boolean fine = active.running().stream()
        .anyMatch(i -> i.id().equals(holder) && !leaving.contains(i.id()));
    if (fine) {
      return true;
    }
    Optional<ManagedInstance> target = active.running().stream()
        .filter(i -> !leaving.contains(i.id())).findFirst();
    target.ifPresent(t -> actions.add(new Associate(eip.get(), t.id(), versionOf(holder),
        active.version(), reason)));
    return target.isPresent();
  }

  // ---------------------------------------------------------------- desired == previous

  private Health switchBack(Fleet active, Fleet previous) {
    Optional<ManagedInstance> target = previous.primary();
    if (target.isEmpty()) {
      describeActive(active);
      describePrevious(previous, previousExpiry(previous));
      next.phase = Phase.Switching;
      return new Health(false, true, false, servesProduction(active), "WaitingForRetainedFleet",
          "Switching back to " + previous.version() + " as soon as one of its instances runs.");
    }
    actions.add(new Associate(eip.get(), target.get().id(), active.version(),
        previous.version(), "SwitchedBack"));
    return switched(active, previous, target.get(), "SwitchedBack");
  }

  /** Status after a switch to {@code to}: {@code from} becomes the retained fleet. */
  private Health switched(Fleet from, Fleet to, ManagedInstance primary, String reason) {
    next.activeFleet = activeFleet(to, primary.id(), now);
    next.elasticIp = elasticIpStatus(primary.id());
    if (from != null) {
      describePrevious(from, now.plus(ttl()));
      wakeAt(now.plus(ttl()));
    }
    addHistory(from == null ? null : from.version(), to.version(), reason);
    next.stagingFleet = null;
    next.phase = Phase.Live;
    return new Health(false, false, false, true, reason,
        "Moved " + eip.map(ElasticIp::publicIp).orElse("the Elastic IP") + " to "
            + to.version() + (from == null ? "." : " from " + from.version() + "."));
  }

  // ---------------------------------------------------------------- a new fleet

  private Health staging(String desiredId, Fleet active) {
    if (active != null) {
      keepElasticIpOn(active, Set.of(), "Healed");
      describeActive(active);
    }
    boolean available = active != null && servesProduction(active);
    Fleet fleet = fleets.get(desiredId);

    if (failureBlocks(desiredId)) {
      if (fleet != null && !fleet.notGone().isEmpty()) {
        terminate(fleet.notGone(), spec.version, "FailedReleaseCleanedUp");
      }
      boolean reverted = "PostSwitchCheckFailed".equals(next.lastFailure.reason);
      next.phase = reverted ? Phase.Degraded : Phase.Failed;
      return new Health(false, false, true, available, next.lastFailure.reason,
          (reverted ? spec.version + " was reverted: " : "Release of " + spec.version
              + " failed: ") + next.lastFailure.message
              + (reverted ? " Production is served by the previous version;"
                  : " Production is untouched;") + " change the spec to try again.");
    }

    Instant startedAt = stagingStart(desiredId, fleet);
    List<ManagedInstance> attempt = fleet == null ? List.of() : fleet.instances().stream()
        .filter(i -> i.state().isAlive() || !i.launchTime().isBefore(startedAt.minus(CLOCK_SKEW)))
        .toList();
    List<ManagedInstance> alive = attempt.stream().filter(i -> i.state().isAlive())
        .sorted(Comparator.comparingInt(ManagedInstance::slot)).toList();
    Instant deadline = startedAt.plus(GoDurations.parse(spec.verification.deadline,
        Duration.ofMinutes(15)));
    describeStaging(desiredId, alive, startedAt, deadline);

    Optional<ManagedInstance> dead = attempt.stream().filter(i -> !i.state().isAlive())
        .findFirst();
    if (dead.isPresent()) {
      return fail(desiredId, alive, "InstanceLost", "instance " + dead.get().id() + " (slot "
          + dead.get().slot() + ") is " + dead.get().state().ec2Name() + ".", available);
    }
    List<Integer> missing = IntStream.range(0, spec.fleetSize)
        .filter(slot -> alive.stream().noneMatch(i -> i.slot() == slot)).boxed().toList();
    if (!missing.isEmpty()) {
      launch(desiredId, spec.version, missing, "Staging", deadInSlots(fleet, missing));
      next.phase = Phase.Provisioning;
      wakeAt(deadline);
      return progressing(available, "Launching",
          "Launching " + missing.size() + " instance" + (missing.size() == 1 ? "" : "s")
              + " of " + spec.version + " beside production.");
    }
    List<ManagedInstance> surplus = alive.stream().filter(i -> i.slot() >= spec.fleetSize)
        .toList();
    if (!surplus.isEmpty()) {
      terminate(surplus, spec.version, "ScaledIn");
    }
    Optional<Instant> verifiedBefore = Optional.ofNullable(last.stagingFleet)
        .filter(s -> desiredId.equals(s.id) && s.verifiedAt != null)
        .map(s -> Instant.parse(s.verifiedAt));
    Duration soak = GoDurations.parse(spec.promotion.soak, Duration.ZERO);
    // The deadline covers boot, checks and soak; waiting for a person's approval is not timed.
    boolean soaked = verifiedBefore.map(v -> !now.isBefore(v.plus(soak))).orElse(false);
    if (!soaked) {
      if (!now.isBefore(deadline)) {
        return fail(desiredId, alive, "DeadlineExceeded", "not verified within "
            + spec.verification.deadline + " of launch.", available);
      }
      wakeAt(deadline);
    }
    List<ManagedInstance> members = alive.stream().filter(i -> i.slot() < spec.fleetSize)
        .toList();
    if (members.stream().anyMatch(i -> i.state() != InstanceState.RUNNING)) {
      next.phase = Phase.Provisioning;
      return progressing(available, "Booting", count(members, InstanceState.RUNNING) + " of "
          + spec.fleetSize + " instances of " + spec.version + " running.");
    }
    if (Boolean.TRUE.equals(spec.verification.instanceStatusChecks)) {
      Optional<ManagedInstance> impaired = members.stream()
          .filter(i -> i.statusChecks() == StatusChecks.IMPAIRED).findFirst();
      if (impaired.isPresent()) {
        return fail(desiredId, alive, "InstanceImpaired", "EC2 status checks of "
            + impaired.get().id() + " report impaired.", available);
      }
      long ok = members.stream().filter(i -> i.statusChecks() == StatusChecks.OK).count();
      if (ok < members.size()) {
        next.phase = Phase.Verifying;
        return progressing(available, "StatusChecks", ok + " of " + members.size()
            + " instances of " + spec.version + " pass EC2 status checks.");
      }
    }

    HttpCheck http = spec.verification.http;
    if (http != null) {
      checkTargets.addAll(members);
      describeStaging(desiredId, alive, startedAt, deadline);
      boolean soaking = verifiedBefore.isPresent() && !soaked;
      Optional<ManagedInstance> failed = members.stream()
          .filter(i -> world.http(i.id()).consecutiveFailures() > 0).findFirst();
      if (soaking && failed.isPresent()) {
        return fail(desiredId, alive, "CheckFailedDuringSoak", "the HTTP check of "
            + failed.get().id() + " failed during the soak ("
            + world.http(failed.get().id()).last() + ").", available);
      }
      long passed = members.stream().filter(i -> world.http(i.id()).passed(threshold(http)))
          .count();
      if (passed < members.size()) {
        next.phase = Phase.Verifying;
        return progressing(available, "HttpChecks", passed + " of " + members.size()
            + " instances of " + spec.version + " pass the HTTP check.");
      }
    }

    Instant verifiedAt = verifiedBefore.orElse(now);
    next.stagingFleet.verifiedAt = verifiedAt.toString();
    Instant soakEnds = verifiedAt.plus(soak);
    if (now.isBefore(soakEnds)) {
      next.phase = Phase.Verifying;
      wakeAt(soakEnds);
      return progressing(available, "Soaking", spec.version + " is verified and soaks until "
          + soakEnds + ".");
    }
    if (awaitsApproval()) {
      next.phase = Phase.AwaitingPromotion;
      return progressing(available, "AwaitingPromotion", spec.version + " is verified; set "
          + "promotion.approvedVersion to " + spec.version + " to switch. Staging addresses: "
          + members.stream().map(i -> i.privateIp() == null ? i.id() : i.privateIp())
              .collect(Collectors.joining(", ")) + ".");
    }

    ManagedInstance target = members.get(0);
    actions.add(new Associate(eip.orElse(null), target.id(),
        active == null ? null : active.version(), spec.version, "Promoted"));
    if (eip.isEmpty()) {
      // The address is allocated in this same plan; associate on the next pass.
      actions.remove(actions.size() - 1);
      next.phase = Phase.Switching;
      return progressing(available, "AllocatingAddress", "Allocating the Elastic IP.");
    }
    Fleet staged = fleets.get(desiredId);
    return switched(active, staged, target, "Promoted");
  }

  private Instant stagingStart(String desiredId, Fleet fleet) {
    if (last.stagingFleet != null && desiredId.equals(last.stagingFleet.id)
        && last.stagingFleet.startedAt != null) {
      return Instant.parse(last.stagingFleet.startedAt);
    }
    // Launched before status could record it (a crash in between): the instances say when.
    return fleet == null ? now : fleet.alive().stream().map(ManagedInstance::launchTime)
        .filter(Objects::nonNull).min(Comparator.naturalOrder()).orElse(now);
  }

  private boolean awaitsApproval() {
    return spec.promotion.mode == Promotion.Mode.Manual
        && !spec.version.equals(spec.promotion.approvedVersion);
  }

  private Health fail(String fleetId, List<ManagedInstance> alive, String reason, String message,
      boolean available) {
    if (!alive.isEmpty()) {
      terminate(alive, spec.version, "FailedReleaseCleanedUp");
    }
    next.lastFailure = failure(fleetId, spec.version, reason, message);
    next.phase = Phase.Failed;
    next.stagingFleet = null;
    return new Health(false, false, true, available, reason, "Release of " + spec.version
        + " failed: " + message + " Production is untouched; change the spec to try again.");
  }

  private Failure failure(String fleetId, String version, String reason, String message) {
    Failure failure = new Failure();
    failure.fleetId = fleetId;
    failure.version = version;
    failure.generation = release.getMetadata().getGeneration();
    failure.reason = reason;
    failure.message = message;
    failure.at = now.toString();
    return failure;
  }

  /** A failure recorded for this fleet at this generation is not retried. */
  private boolean failureBlocks(String fleetId) {
    Failure f = next.lastFailure;
    return f != null && fleetId.equals(f.fleetId)
        && Objects.equals(f.generation, release.getMetadata().getGeneration());
  }

  private Health progressing(boolean available, String reason, String message) {
    return new Health(false, true, false, available, reason, message);
  }

  // ---------------------------------------------------------------- deletion

  private Plan deletion() {
    next.phase = Phase.Deleting;
    if (spec.deletionPolicy == DeletionPolicy.Retain) {
      return new Plan(List.of(), next, new Health(false, false, false, false, "Retained",
          "Deleted with deletionPolicy Retain: instances and Elastic IP left as they are."),
          Optional.empty(), true, List.of());
    }
    List<ManagedInstance> remaining = world.instances().stream()
        .filter(i -> !i.state().isGone()).toList();
    if (!remaining.isEmpty()) {
      actions.add(new Terminate(remaining.stream().map(ManagedInstance::id).toList(),
          "every version", "Deleted"));
    }
    Optional<ElasticIp> owned = eip.filter(a -> release.getMetadata().getUid()
        .equals(a.ownerReleaseUid()));
    owned.ifPresent(a -> actions.add(new ReleaseAddress(a)));
    boolean complete = actions.isEmpty();
    return new Plan(List.copyOf(actions), next, new Health(false, !complete, false, false,
        "Deleting", "Terminating " + remaining.size() + " instances."),
        complete ? Optional.empty() : Optional.of(now.plusSeconds(5)), complete, List.of());
  }

  // ---------------------------------------------------------------- building blocks

  private void launch(String fleetId, String version, List<Integer> slots, String purpose,
      List<String> deadInSlots) {
    InstanceTemplate t = spec.template;
    boolean perSlot = t.userData != null && t.userData.contains("${SLOT}");
    Map<String, List<Integer>> bySubnet = new TreeMap<>();
    Map<Integer, List<Integer>> single = new LinkedHashMap<>();
    for (int slot : slots) {
      if (perSlot) {
        single.put(slot, List.of(slot));
      } else {
        bySubnet.computeIfAbsent(t.subnetIds.get(slot % t.subnetIds.size()),
            s -> new ArrayList<>()).add(slot);
      }
    }
    List<List<Integer>> groups = perSlot ? new ArrayList<>(single.values())
        : new ArrayList<>(bySubnet.values());
    for (List<Integer> group : groups) {
      String subnet = t.subnetIds.get(group.get(0) % t.subnetIds.size());
      String token = FleetIds.clientToken(release.getMetadata().getUid(), fleetId,
          String.valueOf(release.getMetadata().getGeneration()), group.toString(),
          String.join(",", deadInSlots));
      Map<String, String> tags = new LinkedHashMap<>();
      if (t.tags != null) {
        tags.putAll(t.tags);
      }
      tags.put(Tags.NAME, release.getMetadata().getName() + " " + version);
      tags.put(Tags.MANAGED_BY, Tags.MANAGED_BY_VALUE);
      tags.put(Tags.RELEASE_UID, release.getMetadata().getUid());
      tags.put(Tags.RELEASE, releaseKey());
      tags.put(Tags.FLEET, fleetId);
      tags.put(Tags.VERSION, version);
      tags.put(Tags.SLOT, group.stream().map(String::valueOf).collect(Collectors.joining(",")));
      actions.add(new Launch(new LaunchRequest(token, t.imageId, t.instanceType, subnet,
          t.securityGroupIds, t.keyName, t.iamInstanceProfile,
          userData(t.userData, version, fleetId, perSlot ? group.get(0) : null), tags,
          group.size()), fleetId, version, group, purpose));
    }
  }

  private String userData(String template, String version, String fleetId, Integer slot) {
    if (template == null) {
      return null;
    }
    String data = template.replace("${VERSION}", version).replace("${RELEASE}", releaseKey())
        .replace("${FLEET}", fleetId);
    return slot == null ? data : data.replace("${SLOT}", String.valueOf(slot));
  }

  /** Instances that held these slots and died: part of the launch token of their replacement. */
  private static List<String> deadInSlots(Fleet fleet, List<Integer> slots) {
    if (fleet == null) {
      return List.of();
    }
    return fleet.instances().stream()
        .filter(i -> !i.state().isAlive() && slots.contains(i.slot()))
        .map(ManagedInstance::id).sorted().toList();
  }

  private void terminate(List<ManagedInstance> instances, String version, String reason) {
    List<String> ids = instances.stream().map(ManagedInstance::id)
        .filter(terminating::add).toList();
    if (!ids.isEmpty()) {
      actions.add(new Terminate(ids, version, reason));
    }
  }

  private boolean servesProduction(Fleet active) {
    return eip.map(ElasticIp::instanceId)
        .map(holder -> active.running().stream().anyMatch(i -> i.id().equals(holder)))
        .orElse(false);
  }

  private boolean isOnActive(Fleet active) {
    return servesProduction(active) && actions.stream().noneMatch(a -> a instanceof Associate);
  }

  private String versionOf(String instanceId) {
    return instanceId == null ? null
        : world.instance(instanceId).map(ManagedInstance::version).orElse("another instance");
  }

  private static long count(List<ManagedInstance> instances, InstanceState state) {
    return instances.stream().filter(i -> i.state() == state).count();
  }

  private Duration ttl() {
    return GoDurations.parse(spec.retention.previousFleetTTL, Duration.ofHours(2));
  }

  private String releaseKey() {
    return release.getMetadata().getNamespace() + "/" + release.getMetadata().getName();
  }

  private Map<String, String> addressTags() {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(Tags.NAME, release.getMetadata().getName());
    tags.put(Tags.MANAGED_BY, Tags.MANAGED_BY_VALUE);
    tags.put(Tags.RELEASE_UID, release.getMetadata().getUid());
    tags.put(Tags.RELEASE, releaseKey());
    return tags;
  }

  private void wakeAt(Instant at) {
    if (at != null && (wakeAt == null || at.isBefore(wakeAt))) {
      wakeAt = at;
    }
  }

  private void addHistory(String from, String to, String reason) {
    next.history.add(new HistoryEntry(from, to, now.toString(), reason));
    while (next.history.size() > HISTORY_LIMIT) {
      next.history.remove(0);
    }
  }

  // ---------------------------------------------------------------- status parts

  private void describeActive(Fleet active) {
    if (active == null) {
      return;
    }
    String holder = eip.map(ElasticIp::instanceId).orElse(null);
    String since = last.activeFleet != null && active.id().equals(last.activeFleet.id)
        ? last.activeFleet.since : now.toString();
    next.activeFleet = activeFleet(active, holder, Instant.parse(since));
  }

  private ActiveFleet activeFleet(Fleet fleet, String primary, Instant since) {
    ActiveFleet a = new ActiveFleet();
    a.id = fleet.id();
    a.version = fleet.version();
    a.instanceIds = fleet.alive().stream().map(ManagedInstance::id)
        .filter(id -> !terminating.contains(id)).toList();
    a.primaryInstanceId = primary;
    a.since = since.toString();
    return a;
  }

  private void describePrevious(Fleet previous) {
    if (previous != null) {
      describePrevious(previous, previousExpiry(previous));
    }
  }

  private void describePrevious(Fleet previous, Instant expiresAt) {
    PreviousFleet p = new PreviousFleet();
    p.id = previous.id();
    p.version = previous.version();
    p.instanceIds = previous.alive().stream().map(ManagedInstance::id)
        .filter(id -> !terminating.contains(id)).toList();
    p.expiresAt = expiresAt.toString();
    next.previousFleet = p;
  }

  private void describeStaging(String id, List<ManagedInstance> alive, Instant startedAt,
      Instant deadline) {
    StagingFleet s = new StagingFleet();
    s.id = id;
    s.version = spec.version;
    s.startedAt = startedAt.toString();
    s.deadline = deadline.toString();
    s.instances = alive.stream().map(i -> {
      FleetInstance fi = new FleetInstance();
      fi.id = i.id();
      fi.slot = i.slot();
      fi.state = i.state().ec2Name();
      fi.privateIp = i.privateIp();
      fi.publicIp = i.publicIp();
      fi.checks = "status " + i.statusChecks().name().toLowerCase(java.util.Locale.ROOT)
          + (spec.verification.http == null ? ""
              : ", " + world.http(i.id()).describe(threshold(spec.verification.http)));
      return fi;
    }).toList();
    next.stagingFleet = s;
  }

  private ElasticIpStatus elasticIpStatus(String instanceId) {
    if (eip.isEmpty()) {
      return null;
    }
    ElasticIpStatus e = new ElasticIpStatus();
    e.allocationId = eip.get().allocationId();
    e.publicIp = eip.get().publicIp();
    e.instanceId = instanceId;
    e.allocatedByCutover = release.getMetadata().getUid().equals(eip.get().ownerReleaseUid())
        ? Boolean.TRUE : null;
    return e;
  }

  private Plan plan(Phase phase, Health health) {
    next.phase = phase;
    return new Plan(List.copyOf(actions), next, health, Optional.ofNullable(wakeAt), false,
        List.copyOf(checkTargets));
  }
}
