package dev.cutover.decide;

import dev.cutover.api.Intent;
import dev.cutover.api.Release;
import dev.cutover.observe.Fleet;
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
 */
final class Aborts {

  private Aborts() {}

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
        + "show it yet: nothing is terminated or switched until it shows where production is.");
  }

  /** The abort names this generation and the spec's fleet is neither production nor retained. */
  private static boolean staged(Draft d, Roles roles) {
    if (!asked(d)) {
      return false;
    }
    String desired = roles.desiredId();
    Fleet active = roles.active();
    Fleet retained = roles.retained();
    return !(active != null && desired.equals(active.id())
        || retained != null && desired.equals(retained.id()));
  }

  private static Optional<Intent> unconfirmedSwitchTo(Draft d, Roles roles) {
    Fleet active = roles.active();
    Intent unconfirmed = Roles.unconfirmedSwitch(d, active == null ? null : active.id());
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
        + d.lastFailure.generation + "): its staged instances are terminated and nothing is "
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

  /** Bad input: the annotation names no generation. */
  static Optional<String> unreadable(Draft d) {
    return d.requests.abortUnreadable()
        ? Optional.of(" The annotation " + Release.ABORT_ANNOTATION + ": \"" + d.requests.abort()
            + "\" is ignored: it must be the metadata.generation to abort (a whole number, "
            + "now " + d.release.getMetadata().getGeneration() + ").")
        : Optional.empty();
  }
}
