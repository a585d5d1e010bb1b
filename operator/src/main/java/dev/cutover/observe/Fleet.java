package dev.cutover.observe;

import dev.cutover.ec2.InstanceState;
import dev.cutover.ec2.ManagedInstance;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The instances of one Release that share a fleet id (same version and template). */
public record Fleet(String id, String version, List<ManagedInstance> instances) {

  /** Members: pending or running instances, by slot. */
  public List<ManagedInstance> alive() {
    return instances.stream().filter(i -> i.state().isAlive())
        .sorted(Comparator.comparingInt(ManagedInstance::slot)).toList();
  }

  public List<ManagedInstance> running() {
    return alive().stream().filter(i -> i.state() == InstanceState.RUNNING).toList();
  }

  /** Stopped or stopping: not serving, and not on their way out either. */
  public List<ManagedInstance> stopped() {
    return instances.stream()
        .filter(i -> i.state() == InstanceState.STOPPED || i.state() == InstanceState.STOPPING)
        .toList();
  }

  /** Instances not yet terminated or terminating (alive or stopped). */
  public List<ManagedInstance> notGone() {
    return instances.stream().filter(i -> !i.state().isGone())
        .sorted(Comparator.comparingInt(ManagedInstance::slot)).toList();
  }

  public boolean hasAlive() {
    return instances.stream().anyMatch(i -> i.state().isAlive());
  }

  /** The running instance with the lowest slot: where the Elastic IP goes. */
  public Optional<ManagedInstance> primary() {
    return running().stream().findFirst();
  }

  /** Every instance of the fleet was launched at or after {@code at} (a new fleet). */
  public boolean launchedSince(java.time.Instant at) {
    return instances.stream().allMatch(i -> i.launchTime() == null
        || !i.launchTime().isBefore(at));
  }

  public Optional<ManagedInstance> aliveInSlot(int slot) {
    return aliveInSlot("", slot);
  }

  /** A live instance in this slot of this role ("" for a single-role Release). */
  public Optional<ManagedInstance> aliveInSlot(String role, int slot) {
    return alive().stream().filter(i -> i.holds(role, slot)).findFirst();
  }
}
