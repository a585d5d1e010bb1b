package dev.cutover.ec2;

/** EC2 instance states, and what each means for a fleet. */
public enum InstanceState {
  PENDING, RUNNING, SHUTTING_DOWN, TERMINATED, STOPPING, STOPPED;

  public static InstanceState of(String ec2Name) {
    return valueOf(ec2Name.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
  }

  /** Booting or running: counts as a member of its fleet. */
  public boolean isAlive() {
    return this == PENDING || this == RUNNING;
  }

  /** Already on its way out; terminating it again is pointless. */
  public boolean isGone() {
    return this == SHUTTING_DOWN || this == TERMINATED;
  }

  public String ec2Name() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
