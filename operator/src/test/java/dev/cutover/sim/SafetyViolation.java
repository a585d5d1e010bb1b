package dev.cutover.sim;

import java.util.Map;

/** An invariant that did not hold, with the story of the history that broke it. */
public final class SafetyViolation extends AssertionError {

  static final Map<String, String> TITLES = Map.of(
      "a", "a. the Elastic IP is on a live instance of the Release",
      "b", "b. the fleet that served before the latest switch is kept until its TTL",
      "c", "c. once converged, every live instance has a role and a slot of its own",
      "d", "d. launches are bounded by fleetSize",
      "e", "e. without outside events the pass converges",
      "f", "f. paused changes nothing; only what the Release owns is touched",
      "g", "g. a refused action is tried at most once per backoff period",
      "h", "h. a completed deletion leaves nothing behind",
      "i", "i. at most one Elastic IP is allocated per Release",
      "x", "x. a reconcile fails only with EC2 failures");

  private final String invariant;
  private final String detail;

  SafetyViolation(String invariant, String at, String detail, Story story) {
    super("Invariant " + TITLES.get(invariant) + " violated at t=" + at + ":\n  " + detail
        + "\n\nThe story (" + story.lines().size() + " lines):\n" + story.text());
    this.invariant = invariant;
    this.detail = detail;
  }

  /** The letter of the invariant: a, b, ... */
  public String invariant() {
    return invariant;
  }

  public String detail() {
    return detail;
  }
}
