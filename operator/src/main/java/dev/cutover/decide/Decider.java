package dev.cutover.decide;

import dev.cutover.api.DeletionPolicy;
import dev.cutover.api.HeldFleet;
import dev.cutover.api.Intent;
import dev.cutover.api.Phase;
import dev.cutover.api.Release;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.decide.Action.AllocateAddress;
import dev.cutover.decide.Action.ReleaseAddress;
import dev.cutover.ec2.ElasticIp;
import dev.cutover.observe.Fleet;
import dev.cutover.ec2.ManagedInstance;
import dev.cutover.observe.ObservedWorld;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The blue/green policy, whole and pure: {@link #decide} turns a Release, the EC2 world observed
 * for it and the current time into a {@link Plan}. No I/O, no clock of its own.
 *
 * <p>It reads as a sequence of questions. Is the Release being deleted? Does its address exist?
 * Who is who ({@link Roles})? Then exactly one path: the desired fleet serves (heal it,
 * {@link Production}); it failed (clean it up); it is the retained fleet (switch back,
 * {@link Switches}); or it is new ({@link Staging}). Paused plans nothing and reports.
 *
 * <p>When unsure which fleet served last, the policy keeps rather than terminates: it terminates
 * only what it can prove superseded.
 */
public final class Decider {

  /** A missing Elastic IP may be created by its owner at any time: look again this often. */
  static final Duration RECHECK_MISSING_ADDRESS = Duration.ofSeconds(30);
  /** How long an allocated address may stay invisible to DescribeAddresses before Cutover
   *  concludes the allocation did not happen and asks again. */
  static final Duration ALLOCATION_VISIBILITY = Duration.ofMinutes(5);

  private Decider() {}

  public static Plan decide(Release release, ObservedWorld world, Instant now) {
    Draft d = new Draft(release, world, now);
    if (release.isMarkedForDeletion()) {
      return deletion(d);
    }
    Tenants.apply(d);
    Optional<Health> noAddress = address(d).or(() -> Claims.check(d));
    String desiredId = d.templates.unknown() ? lastKnownFleet(d)
        : FleetIds.of(d.spec, d.templates.pins());
    if (noAddress.isEmpty() && !d.templates.unknown()) {
      Retries.honour(d, desiredId);
    }
    Roles roles = Roles.resolve(d, desiredId, d.spec.retention.ttl());
    d.addressHolder = d.holder();
    recordSwitchStatusMissed(d, roles.active());
    if (Roles.unconfirmedSwitch(d, roles.active() == null ? null : roles.active().id())
        != null) {
      d.keptIntent = d.last.intent;
    }
    if (noAddress.isPresent()) {
      return withoutAddress(d, roles, noAddress.get());
    }
    if (d.templates.unknown()) {
      return withoutTemplate(d, roles);
    }
    roles.superseded().forEach(f -> d.terminate(f.notGone(), f.version(), "Superseded"));
    holdUnclaimed(d, roles);

    Health health;
    Fleet active = roles.active();
    Fleet retained = roles.retained();
    if (active != null && desiredId.equals(active.id())) {
      Production.retain(d, roles);
      health = Production.live(d, roles);
    } else if (d.failureBlocks(desiredId)) {
      Production.retain(d, roles);
      health = failed(d, roles);
    } else if (Aborts.applies(d, roles)) {
      Production.retain(d, roles);
      health = Aborts.abort(d, roles);
    } else if (Aborts.waitsForSwitch(d, roles)) {
      Production.retain(d, roles);
      health = Aborts.waitForSwitch(d, roles);
    } else if (retained != null && desiredId.equals(retained.id())
        && Addresses.hasEntryRole(d, retained)) {
      health = Switches.switchBack(d, roles);
    } else {
      health = stageBesideProduction(d, roles);
    }
    keepRefused(d);
    if (Boolean.TRUE.equals(d.spec.paused)) {
      return paused(d, roles);
    }
    return d.plan(withReports(d, health), false);
  }

  /** What the pass found beside its progress: a hand-moved address, rules holding it back. */
  private static Health withReports(Draft d, Health health) {
    Health reported = d.elsewhere.isEmpty() ? health : Claims.movedByHand(d, health);
    if (d.templateHeld) {
      reported = Health.progressing(reported.available(), "LaunchTemplateUnavailable",
          "Launches wait: " + String.join("; ", d.templates.problems()) + ". Meanwhile: "
              + reported.message());
    }
    reported = Tenants.withheld(d, reported).orElse(reported);
    Optional<String> badAbort = Aborts.unreadable(d).or(() -> Aborts.notApplied(d));
    if (badAbort.isPresent()) {
      reported = reported.withAvailability(reported.available(), reported.message()
          + badAbort.get());
    }
    if (!d.hookReports.isEmpty()) {
      reported = reported.withAvailability(reported.available(), reported.message() + " "
          + String.join(" ", d.hookReports));
    }
    return withDrains(d, reported);
  }

  /**
   * Instances whose drain has not ended are named in the message; phase and conditions stay
   * as they are.
   */
  private static Health withDrains(Draft d, Health health) {
    List<Facts.Draining> drains = d.drains().stream()
        .filter(e -> e.terminateAt().isAfter(d.now)).toList();
    if (drains.isEmpty()) {
      return health;
    }
    List<String> parts = drains.stream().map(e -> e.instanceIds().size() + " instance"
        + (e.instanceIds().size() == 1 ? "" : "s") + " of " + e.version() + " ("
        + e.reason() + ") until " + e.terminateAt()).toList();
    return health.withAvailability(health.available(), health.message() + " Draining "
        + String.join(", ", parts) + ", then terminating.");
  }

  /** The Elastic IP cannot be had: nothing moves, what serves and what is retained are kept. */
  private static Plan withoutAddress(Draft d, Roles roles, Health health) {
    d.keepDraining();
    Production.serving(d, roles.active());
    if (roles.retained() != null) {
      d.retaining(roles.retained(), roles.retainedExpiry());
    }
    d.phase = Phase.Failed;
    return d.plan(health, false);
  }

  /**
   * Which fleet the spec names cannot be told: a launch template version was never read (the
   * template does not exist, or EC2 did not answer before any pass resolved it). Nothing is
   * launched, switched or terminated; what serves and what is retained are kept.
   */
  private static Plan withoutTemplate(Draft d, Roles roles) {
    Production.serving(d, roles.active());
    if (roles.retained() != null) {
      d.retaining(roles.retained(), roles.retainedExpiry());
    }
    d.phase = d.last.phase == null ? Phase.Pending : d.last.phase;
    d.wakeAt(d.now.plus(d.templates.retryable() ? Launches.TEMPLATE_RECHECK
        : RECHECK_MISSING_ADDRESS));
    String message = "Cannot read " + String.join("; ", d.templates.problems()) + ". Nothing "
        + "new is launched or switched until it can be read; production keeps serving.";
    boolean available = d.serves(roles.active());
    return d.plan(d.templates.retryable()
        ? Health.progressing(available, "LaunchTemplateUnavailable", message)
        : Health.stalled(available, "LaunchTemplateNotFound", message), false);
  }

  /** The fleet status last named as staged or live: kept while the spec's cannot be told. */
  private static String lastKnownFleet(Draft d) {
    if (d.last.stagingFleet != null && d.last.stagingFleet.id != null) {
      return d.last.stagingFleet.id;
    }
    return d.last.activeFleet != null && d.last.activeFleet.id != null ? d.last.activeFleet.id
        : "";
  }

  /** A new version: production keeps serving (and is healed) while the new fleet is staged. */
  private static Health stageBesideProduction(Draft d, Roles roles) {
    Fleet active = roles.active();
    Production.retain(d, roles);
    if (active != null) {
      Addresses.keepOn(d, active, java.util.Set.of());
      Production.serving(d, active);
    }
    Health health = Staging.run(d, roles);
    if (active != null && !d.serves(active) && !d.plansAssociate()) {
      health = health.withAvailability(false, health.message() + " Production is not served: "
          + "no running instance of " + active.version() + " holds the Elastic IP.");
    }
    return health;
  }

  /**
   * Instances EC2 refused to terminate stay, reported among the held fleets until the refusal's
   * retry time (a person may lift the protection meanwhile).
   */
  private static void keepRefused(Draft d) {
    if (!d.keptForAddress.isEmpty()) {
      List<Facts.Kept> held = new ArrayList<>(d.held);
      d.keptForAddress.stream().collect(java.util.stream.Collectors.groupingBy(
          ManagedInstance::fleetId, java.util.LinkedHashMap::new,
          java.util.stream.Collectors.toList())).forEach((fleetId, instances) -> held.add(
              new Facts.Kept(new Fleet(fleetId, instances.get(0).version(), instances),
                  d.now.plusSeconds(1), "HoldsElasticIp")));
      d.held = held;
    }
    if (d.notTerminated.isEmpty()) {
      return;
    }
    Instant retry = d.heldTerminations.stream().map(e -> Instant.parse(e.retryAt))
        .max(Instant::compareTo).orElse(d.now);
    List<Facts.Kept> held = new ArrayList<>(d.held);
    d.notTerminated.stream().collect(java.util.stream.Collectors.groupingBy(
        ManagedInstance::fleetId, java.util.LinkedHashMap::new,
        java.util.stream.Collectors.toList())).forEach((fleetId, instances) -> held.add(
            new Facts.Kept(new Fleet(fleetId, instances.get(0).version(), instances), retry,
                "TerminationRefused")));
    d.held = held;
  }

  /**
   * EC2 shows production on another fleet than status says (the status written after a switch
   * was lost, or a person moved the address): the history gets the switch, with the reason the
   * intent recorded when it names this switch.
   */
  private static void recordSwitchStatusMissed(Draft d, Fleet active) {
    var last = d.last.activeFleet;
    Intent intent = d.last.intent;
    boolean intended = active != null && intent != null && intent.kind == Intent.Kind.Switch
        && active.id().equals(intent.toFleet);
    if (active == null || last != null && active.id().equals(last.id)
        || last == null && !intended) {
      return;
    }
    d.addHistory(last == null ? intent.fromVersion : last.version, active.version(),
        intended ? intent.reason : SwitchReason.Switched.name());
  }

  // ---------------------------------------------------------------- the address

  /**
   * The Elastic IP named by the spec must exist; one Cutover allocates is asked for once (the
   * intent in status stops a second request while DescribeAddresses has not caught up), and
   * any second address owned by the Release is released.
   */
  private static Optional<Health> address(Draft d) {
    var primary = d.spec.primaryAddress();
    boolean allocates = primary != null && Boolean.TRUE.equals(primary.allocate);
    List<String> missing = d.bindings.stream()
        .filter(b -> b.address().isEmpty() && !(b.primary() && allocates))
        .map(b -> b.spec().allocationId).toList();
    if (!missing.isEmpty()) {
      d.wakeAt(d.now.plus(RECHECK_MISSING_ADDRESS));
      boolean one = missing.size() == 1;
      return Optional.of(Health.stalled(false, "ElasticIpNotFound",
          "Elastic IP" + (one ? " " : "s ") + String.join(", ", missing)
              + (one ? " was" : " were") + " not found in this account and region; nothing is "
              + "launched until " + (one ? "it exists" : "they exist")
              + " or the spec names another."));
    }
    if (!allocates) {
      return Optional.empty();
    }
    Intent asked = d.last.intent;
    boolean askedRecently = asked != null && asked.kind == Intent.Kind.AllocateAddress
        && d.now.isBefore(Instant.parse(asked.at).plus(ALLOCATION_VISIBILITY));
    if (askedRecently) {
      // Kept until every poll surely lists the address: a restart must not ask again.
      d.keptIntent = asked;
    }
    String chosen = d.eip.map(ElasticIp::allocationId).orElse(null);
    for (ElasticIp extra : d.world.ownedAddresses()) {
      if (!extra.allocationId().equals(chosen) && extra.instanceId() == null
          && !d.held("ReleaseAddress")) {
        d.actions.add(new ReleaseAddress(extra));
      }
    }
    if (d.eip.isPresent()) {
      return Optional.empty();
    }
    if (askedRecently) {
      d.wakeAt(d.now.plusSeconds(5));
    } else if (!d.held("AllocateAddress")) {
      Intent intent = new Intent();
      intent.kind = Intent.Kind.AllocateAddress;
      intent.at = d.now.toString();
      d.intent = intent;
      d.keptIntent = intent;
      d.actions.add(new AllocateAddress());
    }
    return Optional.empty();
  }

  // ---------------------------------------------------------------- fleets without a role

  /** Fleets kept because status was lost: reported, and terminated when their time passes. */
  private static void holdUnclaimed(Draft d, Roles roles) {
    List<Facts.Kept> held = new ArrayList<>();
    roles.held().forEach((fleet, until) -> {
      held.add(new Facts.Kept(fleet, until, "RoleUnknown"));
      d.wakeAt(until);
    });
    d.held = held;
  }

  // ---------------------------------------------------------------- desired failed

  /** The desired fleet failed at this generation: it is cleaned up, production keeps serving. */
  private static Health failed(Draft d, Roles roles) {
    Fleet fleet = d.world.fleets().get(roles.desiredId());
    Optional<HeldFleet> kept = d.heldInStatus(roles.desiredId(),
        reason -> !FailedFleets.KEPT_FOR_DEBUGGING.equals(reason));
    if (fleet != null && kept.isPresent()) {
      // A failed fleet whose role is unknown (status was lost) stays until its time passes.
      if (d.held.stream().noneMatch(k -> k.fleet().id().equals(fleet.id()))) {
        d.held = Staging.append(d.held, new Facts.Kept(fleet,
            Instant.parse(kept.get().until), kept.get().reason));
      }
      d.wakeAt(Instant.parse(kept.get().until));
    }
    boolean notServing = fleet != null
        && (roles.active() == null || !fleet.id().equals(roles.active().id()));
    Optional<Instant> debugging = notServing && kept.isEmpty()
        ? FailedFleets.keptUntil(d, fleet.id()) : Optional.empty();
    if (debugging.isPresent()) {
      // No address moves to it (production is healed on its own fleet below); the preview
      // address, if it points at it, stays: that is how it is reached.
      d.held = Staging.append(d.held, new Facts.Kept(fleet, debugging.get(),
          FailedFleets.KEPT_FOR_DEBUGGING));
      d.wakeAt(debugging.get());
    } else if (notServing && kept.isEmpty()) {
      d.terminate(fleet.notGone(), d.spec.version, FailedFleets.cleanupReason(d.lastFailure));
    }
    Fleet active = roles.active();
    if (active != null) {
      // Production is healed whole (a slot lost meanwhile is relaunched): an address waiting
      // for its slot must not stay on the failed fleet.
      Production.heal(d, active, !d.failureBlocks(active.id()));
      Production.serving(d, active);
    }
    boolean available = d.serves(active);
    boolean reverted = FailureReason.PostSwitchCheckFailed.is(d.lastFailure.reason);
    d.phase = reverted ? Phase.Degraded : Phase.Failed;
    if (FailureReason.Aborted.is(d.lastFailure.reason)) {
      return Aborts.stalled(d, active, available);
    }
    return Health.stalled(available, d.lastFailure.reason,
        (reverted ? d.spec.version + " was reverted: " : "Release of " + d.spec.version
            + " failed: ") + d.lastFailure.message
            + (reverted ? " Production is served by the previous version;"
                : available ? " Production is untouched;" : " Production is not served;")
            + FailedFleets.retry(d, d.lastFailure.reason)
            + debugging.map(FailedFleets::kept).orElse(""));
  }

  // ---------------------------------------------------------------- paused

  /**
   * Paused: nothing is done, and status says only what is observed: the fleets as they are, no
   * switch, no history entry, no failure the withheld plan would have recorded.
   */
  private static Plan paused(Draft d, Roles roles) {
    int withheld = d.actions.size();
    ReleaseStatus last = d.last;
    Draft observed = new Draft(d.release, d.world, d.now);
    Production.serving(observed, roles.active());
    observed.retaining(roles.retained(), roles.retainedExpiry());
    observed.addressHolder = observed.holder();
    observed.held = d.held;
    observed.keepDraining();
    observed.keptIntent = last.intent;
    observed.lastRetry = d.lastRetry;
    boolean aborted = d.lastFailure != null && FailureReason.Aborted.is(d.lastFailure.reason)
        && d.failureBlocks(roles.desiredId());
    if (aborted) {
      // The abort is a person's request, not a change the pause withholds: recorded now,
      // carried out (its fleet terminated) once paused is false.
      observed.lastFailure = d.lastFailure;
    }
    observed.phase = last.phase == null ? Phase.Pending : last.phase;
    observed.keepRecordedTrial();
    boolean available = observed.serves(roles.active());
    return observed.plan(Health.paused(available, "Paused: observing only" + (withheld == 0 ? "." : "; " + withheld + " change"
            + (withheld == 1 ? " is" : "s are") + " waiting for paused: false.")
        + (aborted ? Aborts.whilePaused(d) : "")
        + Aborts.unreadable(d).orElse("")), false);
  }

  // ---------------------------------------------------------------- deletion

  private static Plan deletion(Draft d) {
    d.phase = Phase.Deleting;
    Claims.release(d);
    if (d.spec.deletionPolicy == DeletionPolicy.Retain) {
      boolean unclaimed = !Claims.stillClaimed(d);
      if (!unclaimed) {
        d.wakeAt(d.now.plusSeconds(5));
      }
      return d.plan(Health.settled(false, "Retained", "Deleted with deletionPolicy Retain: "
          + "instances and Elastic IP left as they are; the claim on the address is removed."),
          unclaimed);
    }
    List<ManagedInstance> remaining = d.world.instances().stream()
        .filter(i -> !i.state().isGone()).sorted(Comparator.comparing(ManagedInstance::id))
        .toList();
    boolean terminating = d.terminate(remaining, "every version", "Deleted");
    List<ElasticIp> owned = d.world.ownedAddresses().isEmpty()
        ? d.eip.filter(a -> d.release.getMetadata().getUid().equals(a.ownerReleaseUid()))
            .map(List::of).orElse(List.of())
        : d.world.ownedAddresses();
    if (!d.held("ReleaseAddress")) {
      owned.forEach(a -> d.actions.add(new ReleaseAddress(a)));
    }
    // An instance launched just before the deletion (its answer lost) may not be listed yet.
    Instant settled = Instant.parse(d.release.getMetadata().getDeletionTimestamp())
        .plus(Draft.LISTING_DELAY);
    boolean complete = remaining.isEmpty() && owned.isEmpty() && !Claims.stillClaimed(d)
        && d.world.polledSince(settled);
    String message = "Terminating " + remaining.size() + " instances.";
    if (!terminating) {
      var e = d.heldTerminations.get(0);
      message = "EC2 refused to terminate " + remaining.size() + " instances (" + e.code + ": "
          + e.message + "); trying again at " + e.retryAt + ". Lift termination protection, or "
          + "set deletionPolicy: Retain to leave them.";
    }
    if (!complete) {
      d.wakeAt(d.now.plusSeconds(5));
    }
    Health health = !terminating ? Health.stalled(false, "Deleting", message)
        : complete ? Health.settled(false, "Deleting", message)
        : Health.progressing(false, "Deleting", message);
    return d.plan(health, complete);
  }
}
