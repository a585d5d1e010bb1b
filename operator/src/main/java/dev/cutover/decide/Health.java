package dev.cutover.decide;

/**
 * The answers the conditions are made of. {@code reason} is one CamelCase word, {@code message}
 * a sentence. Built only by the named factories below.
 *
 * @param state where the Release stands: Ready, on its way, stuck, settled for now, paused
 * @param available production is served: the Elastic IP points at a running active instance
 */
public record Health(State state, boolean available, String reason, String message) {

  /** Kstatus' view of a Release. */
  public enum State {
    /** The desired version serves production at full size. */
    READY,
    /** A change is on its way (launching, verifying, healing, awaiting promotion). */
    PROGRESSING,
    /** Nothing more happens until the spec (or the world) changes. */
    STALLED,
    /** Nothing in flight, yet not Ready (a switch just made; kept as the spec asks). */
    SETTLED,
    /** spec.paused: observing only. */
    PAUSED
  }

  public static Health ready(String message) {
    return new Health(State.READY, true, "Live", message);
  }

  public static Health progressing(boolean available, String reason, String message) {
    return new Health(State.PROGRESSING, available, reason, message);
  }

  public static Health stalled(boolean available, String reason, String message) {
    return new Health(State.STALLED, available, reason, message);
  }

  public static Health settled(boolean available, String reason, String message) {
    return new Health(State.SETTLED, available, reason, message);
  }

  public static Health paused(boolean available, String message) {
    return new Health(State.PAUSED, available, "Paused", message);
  }

  public boolean ready() {
    return state == State.READY;
  }

  public boolean progressing() {
    return state == State.PROGRESSING;
  }

  public boolean stalled() {
    return state == State.STALLED;
  }

  public boolean paused() {
    return state == State.PAUSED;
  }

  /** The same answer with another availability and message (production found unserved). */
  public Health withAvailability(boolean available, String message) {
    return new Health(state, available, reason, message);
  }
}
