package dev.cutover.sim;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Defects of the policy that the simulation found (in histories of a system of roles) and that
 * are not fixed yet: each names the scenario of {@link SimulatedScenariosTest} that shows it (and fails until
 * it is fixed) and recognises the violations it causes in generated histories, as narrowly as
 * it can. {@link SafetySimulationTest} counts a history that ends in a known defect instead of
 * failing on it, so that every other history is still held to every invariant;
 * {@code -Dcutover.sim.strict=true} fails on them too. Remove an entry with its fix.
 */
enum KnownDefect {

  /**
   * While a switch back cannot happen yet (the retained fleet has no running instance of the
   * entry role, or the primary cannot move), Switches.switchBack neither heals production's
   * addresses nor launches what the retained fleet lacks: a retained fleet whose web
   * instances died but whose worker lives is waited for forever, and production's addresses
   * stay on dead instances meanwhile (phase Switching). Scenario:
   * switchingBackToARetainedFleetWithoutWebInstancesDoesNotWaitForever.
   */
  SWITCH_BACK_WAITS_UNHEALED(v -> system(v)
      && (v.invariant().equals("c") || v.invariant().equals("a")
          && v.detail().startsWith("after a poll and a clean reconcile"))
      && "Switching".equals(v.phase())),

  /**
   * Roles.active looks only at the primary address: when it points at nothing (its instance
   * died, or it was disassociated) and the status is lost (or was never written after the
   * switch), the fleet that served is not recognised as production, even when a system's
   * other addresses still point at it. It is staged again as if new, or held, and terminated
   * when its deadline or hold passes, with those addresses on it. Seen with a single role
   * too (there nothing but the instances' history shows which fleet served). Scenario:
   * aLostStatusWhileThePrimaryPointsAtNothingKeepsTheFleetTheOtherAddressesServe.
   */
  PRODUCTION_UNRECOGNISED(v -> (v.invariant().equals("a") || v.invariant().equals("b"))
      && v.conditions().contains(Invariants.PRODUCTION_UNRECOGNIZED)),

  /**
   * A switch intent EC2 does not confirm is kept in status for two minutes (Roles
   * .unconfirmedSwitch, Draft.keptIntent), even over the intent of a newer switch Cutover has
   * just made; and Roles.retainedCandidates trusts the intent first. So: a switch to 3.0.0 is
   * cut short, 3.0.0 dies, production is healed back onto 1.0.0, 2.0.0 is promoted (its own
   * intent replaced by the old one in the status written after it), then 3.0.0 is promoted
   * again: the stale intent (1.0.0 to 3.0.0) now looks confirmed and makes 1.0.0 the retained
   * fleet, and 2.0.0, which served until a second ago, is terminated as superseded. A single
   * role too. Scenario: aSwitchIntentNeverOutlivesTheNextSwitch.
   */
  STALE_SWITCH_INTENT(v -> v.invariant().equals("b")
      && v.conditions().contains(Invariants.STALE_INTENT)),

  /**
   * Not of systems: found by their histories, and present in a single role too. EC2 refuses a
   * TerminateInstances naming protected instances and names one of them in its message; Draft
   * puts only the named one in a call of its own and sends the others again at once, so a
   * second protected instance among them is asked for again within the backoff of the refusal
   * that included it (one call more per protected instance). Scenario:
   * twoProtectedInstancesAreNotAskedForAgainBeforeTheBackoff.
   */
  SECOND_PROTECTED_INSTANCE_RETRIED_AT_ONCE(v -> v.invariant().equals("g")
      && v.detail().startsWith("TerminateInstances")
      && v.detail().contains("refused with OperationNotPermitted"));

  private final Predicate<SafetyViolation> recognises;

  KnownDefect(Predicate<SafetyViolation> recognises) {
    this.recognises = recognises;
  }

  /** The known defect this violation comes from, if it is one. */
  static Optional<KnownDefect> of(SafetyViolation v) {
    return Arrays.stream(values()).filter(d -> d.recognises.test(v)).findFirst();
  }

  private static boolean system(SafetyViolation v) {
    return v.world() == Simulation.World.SYSTEM;
  }

  /** Whether known defects fail the generated histories too. */
  static boolean strict() {
    return Boolean.getBoolean("cutover.sim.strict");
  }
}
