package dev.cutover.decide;

import dev.cutover.ec2.ElasticIp;
import dev.cutover.ec2.LaunchTemplateVersion;
import java.util.List;

/** One change to EC2 that a {@link Plan} asks for. Executed in order; each is one API call. */
public sealed interface Action {

  /** Why, in a sentence: becomes the Event's message once the action succeeded. */
  String describe();

  /** The Event's reason: one CamelCase word. */
  String eventReason();

  /** The EC2 operation the action calls. */
  String operation();

  /**
   * What a failure of this action holds back until its retry time: the operation, and for a
   * launch the fleet (a refused launch of one fleet never delays another fleet's).
   */
  default String key() {
    return operation();
  }

  /**
   * One RunInstances: the given slots of a fleet in one subnet, tagged at launch and made
   * idempotent by act (its ClientToken names the fleet, the slots and {@code replacing}).
   *
   * @param replacing instances that held these slots and died: a relaunch is a new launch
   * @param role the role the slots belong to ("" for a single-role Release)
   * @param instanceType the type of template.instanceTypes chosen for this subnet (null: the
   *     template's instanceType, or its launch template's)
   * @param launchTemplate the launch template version to launch from (null: none)
   * @param attempt the retry token of the attempt this launch belongs to (null: the first
   *     attempt, or no retry of this fleet): a retried version launches with new ClientTokens
   */
  record Launch(String fleetId, String version, List<Integer> slots, String subnetId,
      List<String> replacing, String purpose, String role, String instanceType,
      LaunchTemplateVersion launchTemplate, String attempt) implements Action {

    /** A launch of the first attempt (no retry). */
    public Launch(String fleetId, String version, List<Integer> slots, String subnetId,
        List<String> replacing, String purpose, String role, String instanceType,
        LaunchTemplateVersion launchTemplate) {
      this(fleetId, version, slots, subnetId, replacing, purpose, role, instanceType,
          launchTemplate, null);
    }

    /** A launch of a single-role Release. */
    public Launch(String fleetId, String version, List<Integer> slots, String subnetId,
        List<String> replacing, String purpose) {
      this(fleetId, version, slots, subnetId, replacing, purpose, "");
    }

    /** A launch with the template's own type, without a launch template. */
    public Launch(String fleetId, String version, List<Integer> slots, String subnetId,
        List<String> replacing, String purpose, String role) {
      this(fleetId, version, slots, subnetId, replacing, purpose, role, null, null);
    }

    @Override
    public String eventReason() {
      return "Launched";
    }

    @Override
    public String operation() {
      return "RunInstances";
    }

    @Override
    public String key() {
      return operation() + "/" + fleetId;
    }

    @Override
    public String describe() {
      return purpose + ": launched " + slots.size() + " instance" + (slots.size() == 1 ? "" : "s")
          + " for " + version + " (fleet " + fleetId + ", " + (role.isEmpty() ? "" : role + " ")
          + "slots " + slots + (instanceType == null ? "" : ", " + instanceType) + ")";
    }
  }

  /** One AssociateAddress with AllowReassociation: the switch, never disassociating first. */
  record Associate(ElasticIp address, String instanceId, String fromVersion, String toVersion,
      SwitchReason reason) implements Action {
    @Override
    public String eventReason() {
      return reason.name();
    }

    @Override
    public String operation() {
      return "AssociateAddress";
    }

    @Override
    public String describe() {
      return reason + ": moved " + address.publicIp() + " from "
          + (fromVersion == null ? "nothing" : fromVersion) + " to " + toVersion
          + " (" + instanceId + ")";
    }
  }

  /** One TerminateInstances, only of instances whose tags prove they belong to the Release. */
  record Terminate(List<String> instanceIds, String version, String reason) implements Action {
    @Override
    public String eventReason() {
      return "Terminated";
    }

    @Override
    public String operation() {
      return "TerminateInstances";
    }

    /** A refusal holds back this very call (EC2 refuses a whole call for one instance). */
    @Override
    public String key() {
      return operation() + "/" + String.join(",", instanceIds);
    }

    @Override
    public String describe() {
      return reason + ": terminated " + instanceIds.size() + " instance"
          + (instanceIds.size() == 1 ? "" : "s") + " of " + version + " " + instanceIds;
    }
  }

  /**
   * Starts draining instances that are to be terminated later (spec.drain): act sends each the
   * drain call, if one is configured; no EC2 call. Its results never fail the plan: the drain
   * is a courtesy, the wait and the termination follow all the same.
   */
  record Drain(List<String> instanceIds, String version, String reason) implements Action {
    @Override
    public String eventReason() {
      return "Draining";
    }

    @Override
    public String operation() {
      return "Drain";
    }

    @Override
    public String describe() {
      return reason + ": draining " + instanceIds.size() + " instance"
          + (instanceIds.size() == 1 ? "" : "s") + " of " + version + " " + instanceIds;
    }

    /** The drain call to one instance: {@code problem} is null when it answered as expected. */
    public record Call(String instanceId, String problem) {
      public boolean answered() {
        return problem == null;
      }
    }
  }

  /**
   * One call of a lifecycle webhook (spec.hooks) for one event of one fleet: a JSON POST made by
   * act, one attempt per plan; its answer reaches status, never fails the plan. The policy plans
   * what follows from the answer on a later pass, once status records it.
   *
   * @param fleetId the fleet the event is about (the staged, the new active or the retained)
   * @param version the version production runs or is about to run
   * @param fromVersion the version production leaves (preSwitch, postSwitch), or null
   * @param instances the instances of that fleet
   * @param idempotencyKey the same for every call of this event of this fleet
   * @param attempt the number of this call for the event, from 1
   * @param retryAt when to call again if this call fails and may be retried; null: it may not
   * @param retriesRefusal a refusal (4xx) is retried too (preTerminate under Abort)
   */
  record CallHook(dev.cutover.api.Hooks.Event event, dev.cutover.api.Webhook hook,
      String fleetId, String version, String fromVersion,
      List<dev.cutover.ec2.ManagedInstance> instances, List<ElasticIp> addresses,
      String idempotencyKey, int attempt, java.time.Instant retryAt, boolean retriesRefusal)
      implements Action {
    @Override
    public String eventReason() {
      return "HookCalled";
    }

    @Override
    public String operation() {
      return "Webhook";
    }

    @Override
    public String key() {
      return operation() + "/" + event + "/" + fleetId;
    }

    @Override
    public String describe() {
      return event + " hook " + hook.url + " called for fleet " + fleetId + " (attempt "
          + attempt + ")";
    }

    /**
     * What one call got: {@code problem} is null when it was answered 2xx.
     *
     * @param httpStatus the status of the answer, null when none came
     * @param retryable a timeout, no connection, 408, 429 or 5xx (not a refusal)
     */
    public record Call(String idempotencyKey, Integer httpStatus, String problem,
        boolean retryable) {
      public boolean succeeded() {
        return problem == null;
      }
    }
  }

  /** AllocateAddress for {@code elasticIp.allocate: true}, tagged as the Release's by act. */
  record AllocateAddress() implements Action {
    @Override
    public String eventReason() {
      return "AllocatedAddress";
    }

    @Override
    public String operation() {
      return "AllocateAddress";
    }

    @Override
    public String describe() {
      return "allocated an Elastic IP";
    }
  }

  /** Releases an Elastic IP Cutover allocated (disassociating it first, as AWS requires). */
  record ReleaseAddress(ElasticIp address) implements Action {
    @Override
    public String eventReason() {
      return "ReleasedAddress";
    }

    @Override
    public String operation() {
      return "ReleaseAddress";
    }

    @Override
    public String describe() {
      return "released Elastic IP " + address.publicIp() + " (" + address.allocationId() + ")";
    }
  }

  /** CreateTags on an Elastic IP the user owns: it now serves this Release only. */
  record ClaimAddress(ElasticIp address) implements Action {
    @Override
    public String eventReason() {
      return "ClaimedAddress";
    }

    @Override
    public String operation() {
      return "CreateTags";
    }

    @Override
    public String describe() {
      return "claimed Elastic IP " + address.publicIp() + " (" + address.allocationId()
          + ") for this Release";
    }
  }

  /** DeleteTags on the address this Release claimed: it may serve another Release now. */
  record UnclaimAddress(ElasticIp address) implements Action {
    @Override
    public String eventReason() {
      return "UnclaimedAddress";
    }

    @Override
    public String operation() {
      return "DeleteTags";
    }

    @Override
    public String describe() {
      return "removed this Release's claim on Elastic IP " + address.publicIp() + " ("
          + address.allocationId() + ")";
    }
  }
}
