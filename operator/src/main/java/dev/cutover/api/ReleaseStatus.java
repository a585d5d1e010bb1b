package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/**
 * What Cutover observed and decided. Fleets and the Elastic IP are re-derived from EC2 on every
 * reconcile; only what cannot be observed again (deadlines, expiry, history, a failed fleet not
 * to retry) is remembered here.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ReleaseStatus {

  @JsonPropertyDescription("The metadata.generation this status describes.")
  public Long observedGeneration;

  @JsonPropertyDescription("Where the release stands: Pending, Provisioning, Verifying, "
      + "AwaitingPromotion, Switching, Live, Degraded, Failed or Deleting.")
  public Phase phase;

  @JsonPropertyDescription("The fleet the Elastic IP points at: production.")
  public ActiveFleet activeFleet;

  @JsonPropertyDescription("The new fleet being launched and verified.")
  public StagingFleet stagingFleet;

  @JsonPropertyDescription("The fleet that was live before the last switch, kept until expiresAt "
      + "so that switching back is one Elastic IP move.")
  public PreviousFleet previousFleet;

  @JsonPropertyDescription("Fleets kept although they have no role: because Cutover cannot "
      + "prove they are superseded (status was lost), or a failed fleet kept for debugging "
      + "(verification.keepFailedFor); terminated when their time passes.")
  public List<HeldFleet> heldFleets;

  @JsonPropertyDescription("Instances draining before they are terminated (spec.drain), one "
      + "entry per drain started, with the drain calls' results.")
  public List<DrainingFleet> draining;

  @JsonPropertyDescription("The last call of each lifecycle webhook event still relevant "
      + "(spec.hooks): its outcome, attempts and Idempotency-Key.")
  public List<HookRecord> hooks;

  @JsonPropertyDescription("A switch or an address allocation recorded before the EC2 call "
      + "that makes it; cleared by the status written after the call.")
  public Intent intent;

  @JsonPropertyDescription("EC2 calls that failed recently, one per action, each with its AWS "
      + "code and when it is tried again; the newest last.")
  public List<ActionError> errors;

  @JsonPropertyDescription("The Elastic IP that decides which fleet is production (the first "
      + "address of the first role) and the instance it points at.")
  public ElasticIpStatus elasticIp;

  @JsonPropertyDescription("Every Elastic IP of the system (each role's, in switch order, then "
      + "the preview address) and the instance it points at.")
  public List<AddressStatus> addresses;

  @JsonPropertyDescription("Instances in one whole fleet (every role), as the spec asks.")
  public Integer size;

  @JsonPropertyDescription("The launch template version each role's template resolves to "
      + "($Latest and $Default as numbers).")
  public List<LaunchTemplateStatus> launchTemplates;

  @JsonPropertyDescription("Instance types EC2 recently had no capacity for, by fleet, role and "
      + "subnet: launches there use the next of template.instanceTypes.")
  public List<InstanceTypeRefusal> unavailableInstanceTypes;

  @JsonPropertyDescription("The metric checks of the fleet being judged (verification before "
      + "the switch, postSwitch after it) and their last measurements.")
  public List<MetricStatus> metrics;

  @JsonPropertyDescription("The last failed release (reason Aborted when a person gave it up "
      + "with the cutover.dev/abort annotation), not tried again until the spec changes or a "
      + "new cutover.dev/retry token asks for it.")
  public Failure lastFailure;

  @JsonPropertyDescription("The operator shard that acts on this Release, since when, and the "
      + "shard it took the Release over from.")
  public ShardRecord shard;

  @JsonPropertyDescription("The last retry honoured (annotation cutover.dev/retry): its token, "
      + "never honoured twice, and the failure it forgot.")
  public RetryRecord lastRetry;

  @JsonPropertyDescription("The last 10 switches, newest last.")
  public List<HistoryEntry> history = new ArrayList<>();

  @JsonPropertyDescription("Ready, Reconciling, Stalled (kstatus), Available and Progressing.")
  public List<Condition> conditions = new ArrayList<>();
}
