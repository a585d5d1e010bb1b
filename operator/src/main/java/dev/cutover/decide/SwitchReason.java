package dev.cutover.decide;

/** Why the Elastic IP moved: the reason of an Event, a history entry and a switch intent. */
public enum SwitchReason {
  /** A verified fleet became production. */
  Promoted,
  /** spec.version set back to the retained version. */
  SwitchedBack,
  /** A post-switch check failed; production went back to the retained fleet. */
  Reverted,
  /** Moved within the active fleet, off an instance that stopped or left. */
  Healed,
  /** Seen in EC2 without a recorded intent (a person moved it, or status was lost). */
  Switched,
  /** The preview address moved to the staging fleet, for people and checks to try it. */
  Previewed;

  /** A switch back to a fleet that served before. */
  public boolean isRollback() {
    return this == SwitchedBack || this == Reverted;
  }
}
