package dev.cutover.ec2;

import java.time.Instant;

/**
 * An EC2 instance whose tags say Cutover launched it for a Release.
 *
 * @param slot position in its fleet, from the slot tag and the AMI launch index
 * @param statusChecks EC2 system and instance status: OK, IMPAIRED or PENDING (not yet known)
 * @param role the role of the system it serves (role tag), "" for a single-role Release
 * @param instanceType the EC2 instance type it runs as (null when not known)
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
    StatusChecks statusChecks,
    String role,
    String instanceType) {

  /** An instance whose type is not known (a test's). */
  public ManagedInstance(String id, String releaseUid, String releaseKey, String fleetId,
      String version, int slot, InstanceState state, String privateIp, String publicIp,
      Instant launchTime, StatusChecks statusChecks, String role) {
    this(id, releaseUid, releaseKey, fleetId, version, slot, state, privateIp, publicIp,
        launchTime, statusChecks, role, null);
  }

  /** An instance of a single-role Release (no role tag). */
  public ManagedInstance(String id, String releaseUid, String releaseKey, String fleetId,
      String version, int slot, InstanceState state, String privateIp, String publicIp,
      Instant launchTime, StatusChecks statusChecks) {
    this(id, releaseUid, releaseKey, fleetId, version, slot, state, privateIp, publicIp,
        launchTime, statusChecks, "");
  }

  /** Whether it holds this slot of this role. */
  public boolean holds(String inRole, int inSlot) {
    return slot == inSlot && role.equals(inRole);
  }

  /** How people read its place: "slot 2", or "web/2" in a system of roles. */
  public String place() {
    return role.isEmpty() ? "slot " + slot : role + "/" + slot;
  }

  /** EC2's view of an instance's health (DescribeInstanceStatus). */
  public enum StatusChecks { PENDING, OK, IMPAIRED }

  public ManagedInstance withState(InstanceState newState) {
    return new ManagedInstance(id, releaseUid, releaseKey, fleetId, version, slot, newState,
        privateIp, publicIp, launchTime, statusChecks, role, instanceType);
  }

  /** The same instance reached at another public address (an Elastic IP just moved to it). */
  public ManagedInstance withPublicIp(String address) {
    return new ManagedInstance(id, releaseUid, releaseKey, fleetId, version, slot, state,
        privateIp, address, launchTime, statusChecks, role, instanceType);
  }

  public ManagedInstance withStatusChecks(StatusChecks checks) {
    return new ManagedInstance(id, releaseUid, releaseKey, fleetId, version, slot, state,
        privateIp, publicIp, launchTime, checks, role, instanceType);
  }
}
