package dev.cutover.ec2;

import java.time.Instant;

/**
 * An EC2 instance whose tags say Cutover launched it for a Release.
 *
 * @param slot position in its fleet, from the slot tag and the AMI launch index
 * @param statusChecks EC2 system and instance status: OK, IMPAIRED or PENDING (not yet known)
 */
public record ManagedInstance(
    String id,
    String releaseUid,
    String releaseKey,
    String fleetId,
    String version,
    int slot,
    InstanceState state,
    String privateIp,
    String publicIp,
    Instant launchTime,
    StatusChecks statusChecks) {

  /** EC2's view of an instance's health (DescribeInstanceStatus). */
  public enum StatusChecks { PENDING, OK, IMPAIRED }

  public ManagedInstance withState(InstanceState newState) {
    return new ManagedInstance(id, releaseUid, releaseKey, fleetId, version, slot, newState,
        privateIp, publicIp, launchTime, statusChecks);
  }

  public ManagedInstance withStatusChecks(StatusChecks checks) {
    return new ManagedInstance(id, releaseUid, releaseKey, fleetId, version, slot, state,
        privateIp, publicIp, launchTime, checks);
  }
}
