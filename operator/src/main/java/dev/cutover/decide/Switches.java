package dev.cutover.decide;

import dev.cutover.api.ActionError;
import dev.cutover.api.Phase;
import dev.cutover.observe.Fleet;
import dev.cutover.ec2.ManagedInstance;
import java.util.Optional;

/**
 * Moving production from one fleet to another: the promotion of a verified fleet and the switch
 * back to the retained one. Each is one AssociateAddress per production address (the primary
 * first), announced in status (the intent) before the first call.
 */
final class Switches {

  private Switches() {}

  static Health promote(Draft d, Roles roles, Fleet staged, ManagedInstance target,
      boolean available) {
    Fleet active = roles.active();
    if (d.eip.isEmpty()) {
      d.phase = Phase.Switching;
      return Staging.progressing(available, "AllocatingAddress", "Allocating the Elastic IP.");
    }
    if (d.notAllowed != null) {
      return refused(d, available, staged);
    }
    // Only a promotion waits for preSwitch: a switch back and a revert are emergency moves.
    HookGates.Gate hook = HookGates.beforeSwitch(d, active, staged,
        d.trial == null ? staged.alive() : d.trial.members());
    if (hook.failed()) {
      return Staging.fail(d, staged, FailureReason.PreSwitchHookVetoed, hook.message() + ".",
          available);
    }
    if (!hook.passed()) {
      return Staging.progressing(available, "PreSwitchHook", staged.version()
          + " is verified; the switch waits for the preSwitch hook: " + hook.message() + ".");
    }
    if (!Addresses.moveAll(d, active, staged, target, SwitchReason.Promoted)) {
      return refused(d, available, staged);
    }
    d.intendSwitch(active, staged, SwitchReason.Promoted);
    return switched(d, active, staged, target, SwitchReason.Promoted);
  }

  /** desired == retained: one call back to it, no launch, no verification. */
  static Health switchBack(Draft d, Roles roles) {
    Fleet active = roles.active();
    Fleet to = roles.retained();
    boolean available = d.serves(active);
    Optional<ManagedInstance> target = Addresses.entry(d, to);
    if (target.isEmpty()) {
      if (active != null) {
        // Production stays healed while it waits (an address on a stopped instance moves).
        Addresses.keepOn(d, active, java.util.Set.of());
      }
      Production.serving(d, active);
      d.retaining(to, roles.retainedExpiry());
      d.phase = Phase.Switching;
      return Staging.progressing(available, "WaitingForRetainedFleet", "Switching back to "
          + to.version() + " as soon as one of its instances runs.");
    }
    if (d.eip.isEmpty()
        || !Addresses.moveAll(d, active, to, target.get(), SwitchReason.SwitchedBack)) {
      Production.serving(d, active);
      d.retaining(to, roles.retainedExpiry());
      return refused(d, available, to);
    }
    d.intendSwitch(active, to, SwitchReason.SwitchedBack);
    return switched(d, active, to, target.get(), SwitchReason.SwitchedBack);
  }

  private static Health refused(Draft d, boolean available, Fleet to) {
    d.phase = Phase.Switching;
    Optional<ActionError> e = d.heldFor("AssociateAddress");
    return Staging.progressing(available, "SwitchRefused", "Moving the Elastic IP to "
        + to.version() + (e.map(err -> " was refused (" + err.code + ": " + err.message
            + "); trying again at " + err.retryAt + ".").orElse(" waits for the address.")));
  }

  /** Status after a switch to {@code to}: {@code from} becomes the retained fleet. */
  private static Health switched(Draft d, Fleet from, Fleet to, ManagedInstance primary,
      SwitchReason reason) {
    d.serving(to, primary.id(), d.now);
    d.addressHolder = primary.id();
    d.retaining(null, null);
    if (from != null && !from.notGone().isEmpty()) {
      d.retaining(from, d.now.plus(d.spec.retention.ttl()));
      d.wakeAt(d.now.plus(d.spec.retention.ttl()));
    }
    d.addHistory(from == null ? null : from.version(), to.version(), reason.name());
    d.trial = null;
    d.phase = Phase.Live;
    return Health.settled(true, reason.name(),
        "Moved " + Production.served(d) + " to "
            + to.version() + (from == null ? "." : " from " + from.version() + "."));
  }
}
