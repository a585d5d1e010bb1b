package dev.cutover.decide;

import dev.cutover.api.ActionError;
import dev.cutover.api.ActiveFleet;
import dev.cutover.api.ElasticIpStatus;
import dev.cutover.api.Failure;
import dev.cutover.api.FleetInstance;
import dev.cutover.api.HistoryEntry;
import dev.cutover.api.Intent;
import dev.cutover.api.PreviousFleet;
import dev.cutover.api.Release;
import dev.cutover.api.ReleaseSpec;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.api.StagingFleet;
import dev.cutover.decide.Action.Associate;
import dev.cutover.decide.Action.Terminate;
import dev.cutover.observe.ElasticIp;
import dev.cutover.observe.Fleet;
import dev.cutover.observe.ManagedInstance;
import dev.cutover.observe.ObservedWorld;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
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

  final Release release;
  final ReleaseSpec spec;
  final ReleaseStatus last;
  final ObservedWorld world;
  final Instant now;
  final Optional<ElasticIp> eip;

  final List<Action> actions = new ArrayList<>();
  final ReleaseStatus next = new ReleaseStatus();
  final Set<String> terminating = new HashSet<>();
  private final Set<String> associateTargets = new HashSet<>();
  final List<ManagedInstance> checkTargets = new ArrayList<>();
  Intent intent;
  private Instant wakeAt;

  Draft(Release release, ObservedWorld world, Instant now) {
    this.release = release;
    this.spec = release.getSpec();
    this.last = release.getStatus() == null ? new ReleaseStatus() : release.getStatus();
    this.world = world;
    this.now = now;
    this.eip = world.elasticIp();
    next.history = new ArrayList<>(last.history == null ? List.of() : last.history);
    next.lastFailure = last.lastFailure;
    next.lastError = heldError().orElse(null);
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

  /** Plans a TerminateInstances of those not already on their way out; false when held. */
  boolean terminate(List<ManagedInstance> instances, String version, String reason) {
    List<String> ids = instances.stream().map(ManagedInstance::id)
        .filter(id -> !terminating.contains(id) && !associateTargets.contains(id)).toList();
    if (ids.isEmpty()) {
      return true;
    }
    if (held(new Terminate(ids, version, reason).key())) {
      return false;
    }
    terminating.addAll(ids);
    actions.add(new Terminate(ids, version, reason));
    return true;
  }

  /** Plans an AssociateAddress with reassociation; false when held or no address exists. */
  boolean associate(String instanceId, String fromVersion, String toVersion, String reason) {
    if (eip.isEmpty() || terminating.contains(instanceId) || held("AssociateAddress")) {
      return false;
    }
    associateTargets.add(instanceId);
    actions.add(new Associate(eip.get(), instanceId, fromVersion, toVersion, reason));
    return true;
  }

  /** Records before the first action that production moves from one fleet to another. */
  void intendSwitch(Fleet from, Fleet to, String reason) {
    Intent i = new Intent();
    i.kind = Intent.Kind.Switch;
    i.fromFleet = from == null ? null : from.id();
    i.fromVersion = from == null ? null : from.version();
    i.toFleet = to.id();
    i.toVersion = to.version();
    i.reason = reason;
    i.at = now.toString();
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

  // ---------------------------------------------------------------- status parts

  void addHistory(String from, String to, String reason) {
    next.history.add(new HistoryEntry(from, to, now.toString(), reason));
    while (next.history.size() > HISTORY_LIMIT) {
      next.history.remove(0);
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
    Failure f = next.lastFailure;
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

  void describeActive(Fleet active, Instant since) {
    if (active == null) {
      return;
    }
    next.activeFleet = activeFleet(active, holder(), since);
  }

  ActiveFleet activeFleet(Fleet fleet, String primary, Instant since) {
    ActiveFleet a = new ActiveFleet();
    a.id = fleet.id();
    a.version = fleet.version();
    a.instanceIds = fleet.alive().stream().map(ManagedInstance::id)
        .filter(id -> !terminating.contains(id)).toList();
    a.primaryInstanceId = primary;
    a.since = since.toString();
    return a;
  }

  void describePrevious(Fleet previous, Instant expiresAt) {
    PreviousFleet p = new PreviousFleet();
    p.id = previous.id();
    p.version = previous.version();
    p.instanceIds = previous.alive().stream().map(ManagedInstance::id)
        .filter(id -> !terminating.contains(id)).toList();
    p.expiresAt = expiresAt.toString();
    next.previousFleet = p;
  }

  void describeStaging(String id, List<ManagedInstance> alive, Instant startedAt,
      Instant deadline, Instant verifiedAt) {
    StagingFleet s = new StagingFleet();
    s.id = id;
    s.version = spec.version;
    s.startedAt = startedAt.toString();
    s.deadline = deadline.toString();
    s.verifiedAt = verifiedAt == null ? null : verifiedAt.toString();
    s.instances = alive.stream().map(i -> {
      FleetInstance fi = new FleetInstance();
      fi.id = i.id();
      fi.slot = i.slot();
      fi.state = i.state().ec2Name();
      fi.privateIp = i.privateIp();
      fi.publicIp = i.publicIp();
      fi.checks = "status " + i.statusChecks().name().toLowerCase(Locale.ROOT)
          + (spec.verification.http == null ? ""
              : ", " + world.http(i.id()).describe(spec.verification.http.threshold()));
      return fi;
    }).toList();
    next.stagingFleet = s;
  }

  void describeElasticIp(String instanceId) {
    if (eip.isEmpty()) {
      next.elasticIp = null;
      return;
    }
    ElasticIpStatus e = new ElasticIpStatus();
    e.allocationId = eip.get().allocationId();
    e.publicIp = eip.get().publicIp();
    e.instanceId = instanceId;
    e.allocatedByCutover = release.getMetadata().getUid().equals(eip.get().ownerReleaseUid())
        ? Boolean.TRUE : null;
    next.elasticIp = e;
  }

  String versionOf(String instanceId) {
    return instanceId == null ? null
        : world.instance(instanceId).map(ManagedInstance::version).orElse("another instance");
  }

  String releaseKey() {
    return release.getMetadata().getNamespace() + "/" + release.getMetadata().getName();
  }

  Plan plan(Health health, boolean deletionComplete) {
    return new Plan(List.copyOf(actions), next, health, Optional.ofNullable(wakeAt),
        deletionComplete, List.copyOf(checkTargets),
        plansAssociate() || intent != null && intent.kind == dev.cutover.api.Intent.Kind.AllocateAddress
            ? Optional.ofNullable(intent) : Optional.empty());
  }
}
