package dev.cutover.act;

import dev.cutover.ec2.Ec2Failure;
import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.api.Release;
import dev.cutover.decide.Action;
import dev.cutover.decide.Action.AllocateAddress;
import dev.cutover.decide.Action.CallHook;
import dev.cutover.decide.Action.ClaimAddress;
import dev.cutover.decide.Action.Drain;
import dev.cutover.decide.Action.UnclaimAddress;
import dev.cutover.decide.Action.Associate;
import dev.cutover.decide.Action.Launch;
import dev.cutover.decide.Action.ReleaseAddress;
import dev.cutover.decide.Action.Terminate;
import dev.cutover.ec2.ElasticIp;
import dev.cutover.ec2.Tags;
import dev.cutover.observe.Ec2Inventory;
import dev.cutover.observe.ObservedWorld;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Carries out a plan's actions in order through the {@link Ec2Gateway}, writing each result
 * through to the {@link Ec2Inventory} at once. Stops at the first failure: later actions may
 * depend on it (an instance is terminated only after the Elastic IP left it). Before touching an
 * instance or an address it checks, once more, that the observed world proves the Release owns
 * it: a plan built from a wrong world must not reach anything foreign.
 */
public class PlanExecutor {

  /**
   * What became of a plan: the actions done, the one that failed, if any, and the results of
   * the drain calls made (a drain call that failed fails nothing: it is reported) and of the
   * webhook calls made (their answers reach status; the policy decides what follows).
   */
  public record Outcome(List<Action> done, Optional<Failed> failed, List<Drain.Call> drainCalls,
      List<CallHook.Call> hookCalls, Duration ec2Time) {
    public boolean complete() {
      return failed.isEmpty();
    }
  }

  /** The action that failed and why. */
  public record Failed(Action action, Ec2Failure failure) {}

  private final Ec2Gateway gateway;
  private final Ec2Inventory inventory;
  private final Drainer drainer;
  private final WebhookCaller webhooks;

  public PlanExecutor(Ec2Gateway gateway, Ec2Inventory inventory) {
    this(gateway, inventory, new Drainer());
  }

  public PlanExecutor(Ec2Gateway gateway, Ec2Inventory inventory, Drainer drainer) {
    this(gateway, inventory, drainer, new WebhookCaller());
  }

  public PlanExecutor(Ec2Gateway gateway, Ec2Inventory inventory, Drainer drainer,
      WebhookCaller webhooks) {
    this.gateway = gateway;
    this.inventory = inventory;
    this.drainer = drainer;
    this.webhooks = webhooks;
  }

  /**
   * @param done told of each action that succeeded and how long it took (Events, metrics)
   */
  public Outcome execute(List<Action> actions, ObservedWorld world, Release release,
      BiConsumer<Action, Duration> done) {
    List<Action> finished = new ArrayList<>();
    List<Drain.Call> drainCalls = new ArrayList<>();
    List<CallHook.Call> hookCalls = new ArrayList<>();
    // Time in EC2's mutating calls; drain and webhook calls (HTTP to the user's endpoints) are
    // not EC2's and are not counted here.
    long ec2Nanos = 0;
    for (Action action : actions) {
      long started = System.nanoTime();
      boolean callsEc2 = !(action instanceof CallHook) && !(action instanceof Drain);
      try {
        if (action instanceof CallHook hook) {
          hookCalls.add(webhooks.call(hook, release));
        } else {
          run(action, world, release, drainCalls);
        }
      } catch (Ec2Failure failure) {
        ec2Nanos += callsEc2 ? System.nanoTime() - started : 0;
        return new Outcome(List.copyOf(finished), Optional.of(new Failed(action, failure)),
            List.copyOf(drainCalls), List.copyOf(hookCalls), Duration.ofNanos(ec2Nanos));
      }
      long took = System.nanoTime() - started;
      ec2Nanos += callsEc2 ? took : 0;
      finished.add(action);
      done.accept(action, Duration.ofNanos(took));
    }
    return new Outcome(List.copyOf(finished), Optional.empty(), List.copyOf(drainCalls),
        List.copyOf(hookCalls), Duration.ofNanos(ec2Nanos));
  }

  private void run(Action action, ObservedWorld world, Release release,
      List<Drain.Call> drainCalls) {
    String releaseUid = release.getMetadata().getUid();
    if (action instanceof Drain drain) {
      requireOwned(world, drain.instanceIds(), action);
      var http = release.getSpec().drain == null ? null : release.getSpec().drain.http;
      if (http != null) {
        drainCalls.addAll(drainer.drain(http, drain.instanceIds().stream()
            .map(id -> world.instance(id).orElseThrow()).toList()));
      }
    } else if (action instanceof Launch launch) {
      inventory.recordLaunched(gateway.runInstances(LaunchRequests.of(release, launch)));
    } else if (action instanceof Associate associate) {
      requireOwned(world, List.of(associate.instanceId()), action);
      gateway.associateAddress(associate.address().allocationId(), associate.instanceId());
      inventory.recordAssociated(associate.address(), associate.instanceId());
    } else if (action instanceof Terminate terminate) {
      requireOwned(world, terminate.instanceIds(), action);
      gateway.terminateInstances(terminate.instanceIds());
      inventory.recordTerminating(terminate.instanceIds());
    } else if (action instanceof AllocateAddress) {
      inventory.recordAllocated(gateway.allocateAddress(LaunchRequests.addressTags(release)));
    } else if (action instanceof ReleaseAddress releaseAddress) {
      releaseAddress(releaseAddress.address(), releaseUid);
    } else if (action instanceof ClaimAddress claim) {
      Map<String, String> tags = LaunchRequests.claimTags(release);
      gateway.claimAddress(claim.address().allocationId(), tags);
      inventory.recordClaim(claim.address(), releaseUid, tags.get(Tags.RELEASE));
    } else if (action instanceof UnclaimAddress unclaim) {
      if (!releaseUid.equals(unclaim.address().claimUid())) {
        throw new IllegalStateException("refusing to remove the claim on "
            + unclaim.address().allocationId() + ": another Release holds it");
      }
      gateway.unclaimAddress(unclaim.address().allocationId());
      inventory.recordClaim(unclaim.address(), null, null);
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
