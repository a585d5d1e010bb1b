package dev.cutover.decide;

import dev.cutover.api.ActionError;
import dev.cutover.api.Failure;
import dev.cutover.api.HistoryEntry;
import dev.cutover.api.InstanceTypeRefusal;
import dev.cutover.api.Intent;
import dev.cutover.api.LaunchTemplateStatus;
import dev.cutover.api.Phase;
import dev.cutover.ec2.ElasticIp;
import dev.cutover.ec2.ManagedInstance;
import dev.cutover.observe.Fleet;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a decision found and means, once its actions succeed: the roles of the fleets with their
 * timestamps, where the Elastic IP points, the history, the failure not to retry, the intent to
 * keep. {@code status/} turns these into the Release's status; nothing here is status yet.
 *
 * @param address the Elastic IP and the instance it points at after the plan
 * @param history the whole history, newest last (the last 10)
 * @param intent an intent status keeps after the plan (an address asked for, not yet listed)
 * @param addresses every address of the system (production's in switch order, then the
 *     preview) and the instance it points at after the plan
 * @param launchTemplates the launch template version each role's template resolves to
 * @param unavailableTypes instance types EC2 recently had no capacity for
 * @param draining instances draining before their termination (spec.drain)
 * @param hooks the webhook calls status remembers (the calls this plan makes are added to them
 *     by status/, with their answers)
 * @param lastRetry the last retry honoured (cutover.dev/retry), this plan's if it honours one
 */
public record Facts(Phase phase, Optional<Serving> active, Optional<Kept> retained,
    Optional<Trial> staging, List<Kept> held, Optional<ElasticIp> address, String addressHolder,
    List<HistoryEntry> history, Failure lastFailure, List<ActionError> errors, Intent intent,
    List<AddressFact> addresses, List<LaunchTemplateStatus> launchTemplates,
    List<InstanceTypeRefusal> unavailableTypes, List<Draining> draining,
    List<dev.cutover.api.HookRecord> hooks, dev.cutover.api.RetryRecord lastRetry) {

  /** One address after the plan: its role and index (role "preview" for the preview). */
  public record AddressFact(String role, int index, ElasticIp address, String holder,
      boolean preview) {}

  /**
   * Instances of one version draining for one reason until {@code terminateAt}. A drain this
   * plan starts has no results yet ({@code answered} null): act's calls give them.
   */
  public record Draining(String version, String reason, List<String> instanceIds,
      Instant startedAt, Instant terminateAt, Integer answered, List<String> failed) {}

  /** The fleet that serves production, the instance the address points at, and since when. */
  public record Serving(Fleet fleet, String primary, Instant since) {}

  /** A fleet kept without serving: retained until {@code until}, or held for {@code reason}. */
  public record Kept(Fleet fleet, Instant until, String reason) {}

  /** A new fleet on its way to production: its members by slot and its timestamps. */
  public record Trial(String id, String version, List<ManagedInstance> members,
      Instant startedAt, Instant deadline, Instant verifiedAt) {
    Trial verifiedAt(Instant at) {
      return new Trial(id, version, members, startedAt, deadline, at);
    }
  }
}
