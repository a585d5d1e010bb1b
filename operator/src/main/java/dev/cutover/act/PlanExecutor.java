package dev.cutover.act;

import dev.cutover.decide.Action;
import dev.cutover.decide.Action.AllocateAddress;
import dev.cutover.decide.Action.Associate;
import dev.cutover.decide.Action.Launch;
import dev.cutover.decide.Action.ReleaseAddress;
import dev.cutover.decide.Action.Terminate;
import dev.cutover.observe.ElasticIp;
import dev.cutover.observe.Ec2Inventory;
import dev.cutover.observe.ObservedWorld;
import java.util.List;
import java.time.Duration;
import java.util.function.BiConsumer;

/**
 * Carries out a plan's actions in order through the {@link Ec2Gateway}, writing each result
 * through to the {@link Ec2Inventory} at once. Stops at the first failure. Before touching an
 * instance or an address it checks, once more, that the observed world proves the Release owns
 * it: a plan built from a wrong world must not reach anything foreign.
 */
public class PlanExecutor {

  private final Ec2Gateway gateway;
  private final Ec2Inventory inventory;

  public PlanExecutor(Ec2Gateway gateway, Ec2Inventory inventory) {
    this.gateway = gateway;
    this.inventory = inventory;
  }

  /**
   * @param done told of each action that succeeded and how long it took (Events, metrics)
   * @throws Ec2Failure from the first action that failed; the ones before it stay done
   */
  public void execute(List<Action> actions, ObservedWorld world, String releaseUid,
      BiConsumer<Action, Duration> done) {
    for (Action action : actions) {
      long started = System.nanoTime();
      if (action instanceof Launch launch) {
        inventory.recordLaunched(gateway.runInstances(launch.request()));
      } else if (action instanceof Associate associate) {
        requireOwned(world, List.of(associate.instanceId()), action);
        gateway.associateAddress(associate.address().allocationId(), associate.instanceId());
        inventory.recordAssociated(associate.address(), associate.instanceId());
      } else if (action instanceof Terminate terminate) {
        requireOwned(world, terminate.instanceIds(), action);
        gateway.terminateInstances(terminate.instanceIds());
        inventory.recordTerminating(terminate.instanceIds());
      } else if (action instanceof AllocateAddress allocate) {
        inventory.recordAllocated(gateway.allocateAddress(allocate.tags()));
      } else if (action instanceof ReleaseAddress release) {
        releaseAddress(release.address(), releaseUid);
      }
      done.accept(action, Duration.ofNanos(System.nanoTime() - started));
    }
  }

  private void releaseAddress(ElasticIp address, String releaseUid) {
    if (!releaseUid.equals(address.ownerReleaseUid())) {
      throw new IllegalStateException("refusing to release " + address.allocationId()
          + ": Cutover did not allocate it for this Release");
    }
    if (address.associationId() != null) {
      // AWS refuses to release an associated address.
      gateway.disassociateAddress(address.associationId());
    }
    gateway.releaseAddress(address.allocationId());
    inventory.recordReleased(address.allocationId());
  }

  private static void requireOwned(ObservedWorld world, List<String> instanceIds, Action action) {
    if (!world.owns(instanceIds)) {
      throw new IllegalStateException("refusing " + action.describe()
          + ": not every instance is tagged as this Release's");
    }
  }
}
