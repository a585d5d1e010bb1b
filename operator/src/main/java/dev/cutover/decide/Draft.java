package dev.cutover.decide;

import dev.cutover.api.ActionError;
import dev.cutover.api.Failure;
import dev.cutover.api.HistoryEntry;
import dev.cutover.api.Intent;
import dev.cutover.api.Phase;
import dev.cutover.api.Release;
import dev.cutover.api.ReleaseSpec;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.decide.Action.Associate;
import dev.cutover.decide.Action.Terminate;
import dev.cutover.ec2.ElasticIp;
import dev.cutover.observe.Fleet;
import dev.cutover.ec2.ManagedInstance;
import dev.cutover.observe.ObservedWorld;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The plan under construction, passed explicitly to each part of the policy: the actions so far,
 * the status to write when they succeed, and when to look again. Its methods are the only way
 * the policy adds an action, and each one applies the rules every action obeys: an action held
 * back by a recent failure is not planned again before its retry time, an instance is terminated
 * once, and never the instance the Elastic IP is moved to.
 */
final class Draft {

  static final int HISTORY_LIMIT = 10;
  private static final java.util.regex.Pattern INSTANCE_ID =
      java.util.regex.Pattern.compile("'(i-[^'\\s]+)'");

  final Release release;
  final ReleaseSpec spec;
  final ReleaseStatus last;
  final ObservedWorld world;
  final Instant now;
  final Optional<ElasticIp> eip;

  final List<Action> actions = new ArrayList<>();
  final Set<String> terminating = new HashSet<>();
  private final Set<String> associateTargets = new HashSet<>();
  final List<ManagedInstance> checkTargets = new ArrayList<>();
  /** Instances the plan wanted gone but a recent refusal holds back: reported, kept. */
  final List<ManagedInstance> notTerminated = new ArrayList<>();
  /** What to record in status before the first action. */
  Intent intent;
  private Instant wakeAt;

  // The facts, as the decision goes along.
  Phase phase;
  Facts.Serving serving;
  Facts.Kept retaining;
  Facts.Trial trial;
  List<Facts.Kept> held = List.of();
  String addressHolder;
  final List<HistoryEntry> history;
  Failure lastFailure;
  ActionError lastError;
  /** An intent status keeps after the plan. */
  Intent keptIntent;

  Draft(Release release, ObservedWorld world, Instant now) {
    this.release = release;
    this.spec = release.getSpec();
    this.last = release.getStatus() == null ? new ReleaseStatus() : release.getStatus();
    this.world = world;
    this.now = now;
    this.eip = world.elasticIp();
    this.history = new ArrayList<>(last.history == null ? List.of() : last.history);
    this.lastFailure = last.lastFailure;
    this.lastError = heldError().orElse(null);
  }

  // ---------------------------------------------------------------- backoff

  /** The last failure, while its retry time has not come. */
  private Optional<ActionError> heldError() {
    ActionError e = last.lastError;
    if (e == null || e.retryAt == null || !now.isBefore(Instant.parse(e.retryAt))) {
      return Optional.empty();
    }
    return Optional.of(e);
  }

  /** Whether an action with this key failed recently and waits for its retry time. */
  boolean held(String key) {
    Optional<ActionError> e = heldError().filter(err -> key.equals(err.action));
    e.ifPresent(err -> wakeAt(Instant.parse(err.retryAt)));
    return e.isPresent();
  }

  Optional<ActionError> heldFor(String key) {
    return heldError().filter(err -> key.equals(err.action));
  }

  // ---------------------------------------------------------------- actions

  /**
   * Plans a TerminateInstances of those not already on their way out; false when any is held
   * back. EC2 refuses a whole call when one instance has termination protection, so an instance
   * the last refusal named goes in a call of its own, and the others go at once.
   */
  boolean terminate(List<ManagedInstance> instances, String version, String reason) {
    List<ManagedInstance> going = instances.stream()
        .filter(i -> !terminating.contains(i.id()) && !associateTargets.contains(i.id()))
        .toList();
    Set<String> refused = refusedTermination();
    List<List<ManagedInstance>> calls = new ArrayList<>();
    List<ManagedInstance> together = going.stream().filter(i -> !refused.contains(i.id()))
        .toList();
    if (!together.isEmpty()) {
      calls.add(together);
    }
    going.stream().filter(i -> refused.contains(i.id())).forEach(i -> calls.add(List.of(i)));
    boolean all = true;
    for (List<ManagedInstance> call : calls) {
      Terminate t = new Terminate(call.stream().map(ManagedInstance::id).toList(), version,
          reason);
      if (held(t.key())) {
        notTerminated.addAll(call);
        all = false;
      } else {
        terminating.addAll(t.instanceIds());
        actions.add(t);
      }
    }
    return all;
  }

  /** The instances the last refused TerminateInstances named (termination protection). */
  private Set<String> refusedTermination() {
    ActionError e = last.lastError;
    if (e == null || !"TerminateInstances".equals(e.operation) || e.message == null) {
      return Set.of();
    }
    Set<String> ids = new HashSet<>();
    java.util.regex.Matcher m = INSTANCE_ID.matcher(e.message);
    while (m.find()) {
      ids.add(m.group(1));
    }
    return ids;
  }

  /** Plans an AssociateAddress with reassociation; false when held or no address exists. */
  boolean associate(String instanceId, String fromVersion, String toVersion,
      SwitchReason reason) {
    if (eip.isEmpty() || terminating.contains(instanceId) || held("AssociateAddress")) {
      return false;
    }
    associateTargets.add(instanceId);
    actions.add(new Associate(eip.get(), instanceId, fromVersion, toVersion, reason));
    return true;
  }

  /** Records before the first action that production moves from one fleet to another. */
  void intendSwitch(Fleet from, Fleet to, SwitchReason reason) {
    Intent i = new Intent();
    i.kind = Intent.Kind.Switch;
    i.fromFleet = from == null ? null : from.id();
    i.fromVersion = from == null ? null : from.version();
    i.toFleet = to.id();
    i.toVersion = to.version();
    i.reason = reason.name();
    Intent before = last.intent;
    boolean same = before != null && before.kind == Intent.Kind.Switch
        && java.util.Objects.equals(before.fromFleet, i.fromFleet)
        && java.util.Objects.equals(before.toFleet, i.toFleet) && before.at != null;
    // The same switch tried again keeps its first time: the retained fleet's expiry counts
    // from it.
    i.at = same ? before.at : now.toString();
    intent = i;
  }

  boolean plansAssociate() {
    return actions.stream().anyMatch(a -> a instanceof Associate);
  }

  void wakeAt(Instant at) {
    if (at != null && (wakeAt == null || at.isBefore(wakeAt))) {
      wakeAt = at;
    }
  }

  // ---------------------------------------------------------------- facts

  void addHistory(String from, String to, String reason) {
    history.add(new HistoryEntry(from, to, now.toString(), reason));
    while (history.size() > HISTORY_LIMIT) {
      history.remove(0);
    }
  }

  Failure failure(String fleetId, String version, String reason, String message) {
    Failure failure = new Failure();
    failure.fleetId = fleetId;
    failure.version = version;
    failure.generation = release.getMetadata().getGeneration();
    failure.reason = reason;
    failure.message = message;
    failure.at = now.toString();
    return failure;
  }

  /** A failure recorded for this fleet at this generation: it is not retried. */
  boolean failureBlocks(String fleetId) {
    Failure f = lastFailure;
    return f != null && fleetId.equals(f.fleetId)
        && java.util.Objects.equals(f.generation, release.getMetadata().getGeneration());
  }

  String holder() {
    return eip.map(ElasticIp::instanceId).orElse(null);
  }

  /** Production is served: the Elastic IP points at a running instance of this fleet. */
  boolean serves(Fleet fleet) {
    String holder = holder();
    return fleet != null && holder != null
        && fleet.running().stream().anyMatch(i -> i.id().equals(holder));
  }

  void serving(Fleet fleet, String primary, Instant since) {
    serving = new Facts.Serving(fleet, primary, since);
  }

  void retaining(Fleet fleet, Instant until) {
    retaining = fleet == null ? null : new Facts.Kept(fleet, until, "Retained");
  }

  void trial(String id, List<ManagedInstance> members, Instant startedAt, Instant deadline,
      Instant verifiedAt) {
    trial = new Facts.Trial(id, spec.version, members, startedAt, deadline, verifiedAt);
  }

  String versionOf(String instanceId) {
    return instanceId == null ? null
        : world.instance(instanceId).map(ManagedInstance::version).orElse("another instance");
  }

  String releaseKey() {
    return release.getMetadata().getNamespace() + "/" + release.getMetadata().getName();
  }

  Plan plan(Health health, boolean deletionComplete) {
    Facts facts = new Facts(phase, Optional.ofNullable(serving), Optional.ofNullable(retaining),
        Optional.ofNullable(trial), List.copyOf(held), eip, addressHolder, List.copyOf(history),
        lastFailure, lastError, keptIntent);
    return new Plan(List.copyOf(actions), facts, health, Optional.ofNullable(wakeAt),
        deletionComplete, List.copyOf(checkTargets),
        plansAssociate() || intent != null && intent.kind == Intent.Kind.AllocateAddress
            ? Optional.ofNullable(intent) : Optional.empty());
  }
}
