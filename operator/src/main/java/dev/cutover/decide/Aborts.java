package dev.cutover.decide;

import dev.cutover.api.HistoryEntry;
import dev.cutover.api.Intent;
import dev.cutover.api.PreviousFleet;
import dev.cutover.api.Release;
import dev.cutover.ec2.ManagedInstance;
import dev.cutover.observe.Fleet;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A person gives up the version the spec names without editing the spec (a GitOps controller
 * owns it): the annotation {@link Release#ABORT_ANNOTATION} names the generation aborted. While
 * the generation is that one and the spec's fleet is staged (launching, verifying, soaking,
 * awaiting promotion, or not launched yet), the staged fleet is abandoned the way a failed one
 * is: terminated (nothing launched for it again), production and its addresses untouched. The
 * abort is recorded as the last failure (reason Aborted), so it holds until the spec changes or
 * a retry asks for the version again (see {@link Retries}).
 *
 * <p>It never applies to what production needs: not when the spec's fleet serves (the
 * post-switch window included), not when it is the retained fleet (a switch back is an
 * emergency move, and that fleet is what production returns to), and not while a switch to it
 * was asked for and EC2 does not show it yet (it may already serve: the pass then neither
 * terminates nor switches, and waits). A version that already failed is given up already: an
 * abort changes nothing there.
 *
 * <p>Nor does it terminate the retained fleet when that is what was staged: production switched
 * away from the version, its instances were lost, and the spec named the version again, so its
 * fleet (the same fleet id) was launched anew. Those instances are the fleet a switch back would
 * use: they are kept (reason {@value #RETAINED}) until the retention period the previous fleet
 * had ends, then terminated.
 */
final class Aborts {

  /** The reason status gives an aborted fleet kept because it is the retained one. */
  static final String RETAINED = "RetainedAfterAbort";

  private Aborts() {}

  /**
   * Until when the fleet {@code fleetId} is the retained fleet, if it is now: status' previous
   * fleet; or a fleet of the version the latest switch (to the version status shows active)
   * left, for the retention period from that switch (status no longer names a previous fleet
   * once its instances are lost); or held as {@value #RETAINED} by an earlier pass of the
   * abort.
   */
  static Optional<Instant> retainedUntil(Draft d, String fleetId) {
    PreviousFleet previous = d.last.previousFleet;
    if (previous != null && fleetId.equals(previous.id) && previous.expiresAt != null
        && d.now.isBefore(Instant.parse(previous.expiresAt))) {
      return Optional.of(Instant.parse(previous.expiresAt));
    }
    List<HistoryEntry> history = d.last.history;
    HistoryEntry latest = history == null || history.isEmpty() ? null
        : history.get(history.size() - 1);
    if (latest != null && latest.at != null && d.spec.version.equals(latest.from)
        && d.last.activeFleet != null && latest.to != null
        && latest.to.equals(d.last.activeFleet.version)) {
      // By version: history does not name fleets, and keeping a fleet that may be another of
      // the same version (its template changed since) is the side to err on.
      Instant until = Instant.parse(latest.at).plus(d.spec.retention.ttl());
      if (d.now.isBefore(until)) {
        return Optional.of(until);
      }
    }
    return d.heldInStatus(fleetId, RETAINED::equals).map(h -> Instant.parse(h.until));
  }

  /** The abort annotation names this generation and a retry did not set it aside. */
  static boolean asked(Draft d) {
    Optional<Long> generation = d.requests.abortedGeneration();
    return generation.isPresent()
        && generation.get().equals(d.release.getMetadata().getGeneration())
        && !Retries.abortIgnored(d);
  }

  /** An abort is asked for and applies to the spec's fleet: it is staged, nothing more. */
  static boolean applies(Draft d, Roles roles) {
    return staged(d, roles) && unconfirmedSwitchTo(d, roles).isEmpty();
  }

  /**
   * An abort is asked for while a switch to the spec's fleet was asked and EC2 does not show
   * it yet: that fleet may already serve (the listing lags) or not (the call never happened).
   * Neither is done: it is not terminated, and not switched to; the pass waits until EC2 shows
   * where production is (then the abort applies, or the fleet serves and it does not).
   */
  static boolean waitsForSwitch(Draft d, Roles roles) {
    return staged(d, roles) && unconfirmedSwitchTo(d, roles).isPresent();
  }

  /** Nothing is decided for the spec's fleet; production is healed on its own fleet. */
  static Health waitForSwitch(Draft d, Roles roles) {
    Intent intent = unconfirmedSwitchTo(d, roles).orElseThrow();
    // Kept in status while it waits (also past the confirmation time), so that the next pass
    // still knows a switch was asked for.
    d.keptIntent = intent;
    Fleet active = roles.active();
    if (active != null) {
      Addresses.keepOn(d, active, java.util.Set.of());
      Production.serving(d, active);
    }
    d.keepRecordedTrial();
    d.phase = d.last.phase == null ? dev.cutover.api.Phase.Pending : d.last.phase;
    d.wakeAt(d.now.plusSeconds(5));
    return Health.progressing(d.serves(active), "AbortWaitsForSwitch", d.spec.version
        + " is aborted, but a switch to it was asked at " + intent.at + " and EC2 does not "
        + "show where production is (the address points at nothing, or not yet at the fleet "
        + "asked for): nothing is terminated or switched until it does.");
  }

  /** The abort names this generation and the spec's fleet is neither production nor retained. */
  private static boolean staged(Draft d, Roles roles) {
    if (!asked(d)) {
      return false;
    }
    String desired = roles.desiredId();
    Fleet active = roles.active();
    Fleet retained = roles.retained();
    // A retained fleet only inferred (status lost) is not known to be what production returns
    // to: the abort is heeded there, and nothing is switched to the version it gives up.
    return !(active != null && desired.equals(active.id())
        || retained != null && desired.equals(retained.id()) && !roles.retainedInferred())
        && !mayBeProduction(d, d.world.fleets().get(desired));
  }

  /**
   * Status names no production, no switch, no failure and no retry (it was lost, or nothing
   * ever happened), yet the spec's fleet has gone members launched before its living ones: the
   * fleet production was on, its instances lost, being launched again. Not aborted
   * (the Elastic IP would be left pointing at nothing for good): kept, as when in doubt. Both
   * times are EC2's launch times, so no clock skew enters.
   */
  private static boolean mayBeProduction(Draft d, Fleet fleet) {
    if (fleet == null || d.last.activeFleet != null
        || d.last.history != null && !d.last.history.isEmpty()
        || d.last.lastFailure != null || d.last.lastRetry != null) {
      return false;
    }
    Optional<Instant> firstAlive = fleet.notGone().stream().map(ManagedInstance::launchTime)
        .filter(java.util.Objects::nonNull).min(Instant::compareTo);
    return firstAlive.isPresent() && fleet.instances().stream()
        .anyMatch(i -> i.state().isGone() && i.launchTime() != null
            && i.launchTime().isBefore(firstAlive.get()));
  }

  private static Optional<Intent> unconfirmedSwitchTo(Draft d, Roles roles) {
    Fleet active = roles.active();
    Intent unconfirmed = Roles.unconfirmedSwitch(d, active == null ? null : active.id());
    if (unconfirmed == null && active == null && d.holder() == null) {
      // Past its confirmation time, yet nothing contradicts it: the address points at nothing
      // (on AWS a terminated instance keeps no Elastic IP, so production's holder lost looks
      // the same) and no fleet is production. It may have served: kept.
      Intent last = d.last.intent;
      unconfirmed = last != null && last.kind == Intent.Kind.Switch && last.toFleet != null
          ? last : null;
    }
    return unconfirmed != null && roles.desiredId().equals(unconfirmed.toFleet)
        ? Optional.of(unconfirmed) : Optional.empty();
  }

  /**
   * Gives the staged fleet up: terminated as a failed staging fleet is (held instead when its
   * role is unknown), the abort recorded as the failure; production is healed on its own fleet.
   */
  static Health abort(Draft d, Roles roles) {
    Fleet active = roles.active();
    boolean available = d.serves(active);
    Fleet fleet = d.world.fleets().get(roles.desiredId());
    Staging.fail(d, fleet, FailureReason.Aborted, "it was aborted (" + Release.ABORT_ANNOTATION
        + " names generation " + d.release.getMetadata().getGeneration() + ").", available);
    d.lastFailure.fleetId = roles.desiredId();
    if (active != null) {
      Production.heal(d, active, true);
      Production.serving(d, active);
    }
    return stalled(d, active, d.serves(active));
  }

  /** What the Release says while its version stays aborted: Stalled, and how to resume. */
  static Health stalled(Draft d, Fleet active, boolean available) {
    String production = active == null ? "Nothing served production before it."
        : available ? "Production (" + active.version() + ") is untouched."
            : "Production (" + active.version() + ") is not served.";
    return Health.stalled(available, FailureReason.Aborted.name(), d.spec.version
        + " was aborted (" + Release.ABORT_ANNOTATION + " names generation "
        + d.lastFailure.generation + "): " + d.held.stream()
            .filter(k -> RETAINED.equals(k.reason())).findFirst()
            .map(k -> "its instances are kept until " + k.until() + ", as the previous fleet "
                + "a switch back to " + d.spec.version + " uses, then terminated; nothing more is ")
            .orElse("its staged instances are terminated and nothing is ")
        + "launched for it. " + production + " To resume, change the spec, or run `kubectl "
        + "cutover retry " + d.release.getMetadata().getName() + "` (a new "
        + Release.RETRY_ANNOTATION + " token) to stage " + d.spec.version
        + " again from scratch.");
  }

  /** What a paused Release says about an abort: recorded, carried out once resumed. */
  static String whilePaused(Draft d) {
    return " " + d.spec.version + " is aborted (" + Release.ABORT_ANNOTATION + "): its staged "
        + "instances are terminated once paused is false.";
  }

  /** An abort asked for that is not applied because the fleet may be production's: said so. */
  static Optional<String> notApplied(Draft d) {
    if (!asked(d) || d.templates.unknown()) {
      return Optional.empty();
    }
    Fleet fleet = d.world.fleets().get(FleetIds.of(d.spec, d.templates.pins()));
    return mayBeProduction(d, fleet)
        ? Optional.of(" The abort (" + Release.ABORT_ANNOTATION + ") is not applied: "
            + d.spec.version + "'s fleet " + fleet.id() + " has instances launched before the "
            + "ones now running and status names no production, so it may be the fleet "
            + "production was on; its instances are kept.")
        : Optional.empty();
  }

  /** Bad input: the annotation names no generation. */
  static Optional<String> unreadable(Draft d) {
    return d.requests.abortUnreadable()
        ? Optional.of(" The annotation " + Release.ABORT_ANNOTATION + ": \"" + d.requests.abort()
            + "\" is ignored: it must be the metadata.generation to abort (a whole number, "
            + "now " + d.release.getMetadata().getGeneration() + ").")
        : Optional.empty();
  }
}
