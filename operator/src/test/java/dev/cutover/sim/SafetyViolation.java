package dev.cutover.sim;

import java.util.Map;

/** An invariant that did not hold, with the story of the history that broke it. */
public final class SafetyViolation extends AssertionError {

  static final Map<String, String> TITLES = Map.ofEntries(
      Map.entry("a", "a. every production address is on a live instance of the Release"),
      Map.entry("b", "b. the fleet that served before the latest switch is kept until its TTL"),
      Map.entry("c", "c. once converged, every live instance has a role and a slot of its own, "
          + "and every production address is on the active fleet"),
      Map.entry("d", "d. launches are bounded by the size of each role"),
      Map.entry("e", "e. without outside events the pass converges"),
      Map.entry("f", "f. paused changes nothing; only what the Release owns is touched"),
      Map.entry("g", "g. a refused action is tried at most once per backoff period"),
      Map.entry("h", "h. a completed deletion leaves nothing behind"),
      Map.entry("i", "i. at most one Elastic IP is allocated per Release"),
      Map.entry("j", "j. the preview address follows only the staging fleet and never moves "
          + "production"),
      Map.entry("k", "k. moving an address never takes an address before it off its instance "
          + "(one Elastic IP per instance; the primary first)"),
      Map.entry("l", "l. a drain never reaches a production address's instance, and what is "
          + "drained is terminated only once its drain timeout has passed"),
      Map.entry("m", "m. a fleet kept for debugging never receives a production address and "
          + "is terminated no earlier than its time, unless the spec changed"),
      Map.entry("n", "n. a webhook event whose success status records is never called again"),
      Map.entry("o", "o. under a preSwitch hook with failurePolicy Abort, no promotion moves an "
          + "address without a successful preSwitch call for its fleet"),
      Map.entry("p", "p. an abort never terminates or moves what production needs, and "
          + "launches nothing for the version it gives up, nor switches to it"),
      Map.entry("x", "x. a reconcile fails only with EC2 failures"));

  private final String invariant;
  private final String detail;
  private final Simulation.World world;
  private final String phase;
  private final java.util.Set<String> conditions;

  SafetyViolation(String invariant, String at, String detail, Story story) {
    this(invariant, at, detail, story, Simulation.World.SINGLE, null, java.util.Set.of());
  }

  /**
   * @param phase the phase the stored status had when the invariant broke (null: none)
   * @param conditions what the history went through that the checks noted (see
   *     {@link Invariants}), for telling a known defect from a new one
   */
  SafetyViolation(String invariant, String at, String detail, Story story,
      Simulation.World world, String phase, java.util.Set<String> conditions) {
    super("Invariant " + TITLES.get(invariant) + " violated at t=" + at + ":\n  " + detail
        + "\n\nThe story (" + story.lines().size() + " lines):\n" + story.text());
    this.invariant = invariant;
    this.detail = detail;
    this.world = world;
    this.phase = phase;
    this.conditions = java.util.Set.copyOf(conditions);
  }

  /** The letter of the invariant: a, b, ... */
  public String invariant() {
    return invariant;
  }

  public String detail() {
    return detail;
  }

  /** The Release the history was about. */
  public Simulation.World world() {
    return world;
  }

  /** The phase of the stored status when it broke, or null. */
  public String phase() {
    return phase;
  }

  public java.util.Set<String> conditions() {
    return conditions;
  }
}
