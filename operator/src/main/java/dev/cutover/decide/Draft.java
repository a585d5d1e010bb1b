package dev.cutover.decide;

import dev.cutover.api.ActionError;
import dev.cutover.api.Failure;
import dev.cutover.api.HistoryEntry;
import dev.cutover.api.Intent;
import dev.cutover.api.Phase;
import dev.cutover.api.Release;
import dev.cutover.api.ReleaseSpec;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.api.RoleLayout;
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
  /** How long after a call EC2's Describe calls may still not list its effect. */
  static final java.time.Duration LISTING_DELAY = dev.cutover.ec2.Ec2Gateway.LISTING_DELAY;
  private static final java.util.regex.Pattern INSTANCE_ID =
      java.util.regex.Pattern.compile("'(i-[^'\\s]+)'");

  final Release release;
  final ReleaseSpec spec;
  final ReleaseStatus last;
  final ObservedWorld world;
  final Instant now;
  /** The primary address: the one that decides which fleet is production. */
  final Optional<ElasticIp> eip;
  /** The roles of the system, whichever form the spec takes. */
  final List<RoleLayout> layout;
  /** Production's addresses in switch order, the primary first. */
  final List<Addresses.Binding> bindings;
  /** The preview address, when the spec names one. */
  final Optional<Addresses.Binding> preview;
  /** Addresses (allocation ids) that point at instances Cutover does not own: not moved. */
  final Set<String> elsewhere = new HashSet<>();
  /** Where each address points once the plan's associations are done. */
  final java.util.Map<String, String> plannedHolders = new java.util.LinkedHashMap<>();

  final List<Action> actions = new ArrayList<>();
  /** The address points at an instance Cutover does not own: it is not moved (see Claims). */
  boolean addressElsewhere;
  /** Why the AwsAccount rules refuse this Release now, or null (see Tenants). */
  String notAllowed;
  /** Instances the namespace may still add under its cap, or null without a cap. */
  Integer instanceBudget;
  Integer instanceCap;
  /** A launch was wanted and the rules held it back. */
  boolean launchesWithheld;
  /** The launch template version each role launches from. */
  final Templates.Resolution templates;
  /** A launch was wanted and waits for its launch template to be read. */
  boolean templateHeld;
  /** Instance types EC2 recently had no capacity for (see InstanceTypes). */
  final List<dev.cutover.api.InstanceTypeRefusal> unavailableTypes;
  final Set<String> terminating = new HashSet<>();
  /** Instances draining in this plan (started now, or still waiting): not terminated yet. */
  private final Set<String> drainingNow = new HashSet<>();
  /** Drains status remembers that go on: the index in status.draining, and which instances. */
  private final java.util.Map<Integer, Set<String>> drainContinued = new java.util.HashMap<>();
  /** Drains this plan starts. */
  private final List<Facts.Draining> drainsStarted = new ArrayList<>();
  private final Set<String> associateTargets = new HashSet<>();
  final List<ManagedInstance> checkTargets = new ArrayList<>();
  /** What the metric checks measure from now on, if anything. */
  dev.cutover.observe.MetricTarget metricTarget;
  /** Instances the plan wanted gone but a production address still points at: kept, reported. */
  final List<ManagedInstance> keptForAddress = new ArrayList<>();
  /** Instances the plan wanted gone but a recent refusal holds back: reported, kept. */
  final List<ManagedInstance> notTerminated = new ArrayList<>();
  /** The refusals that hold them back. */
  final List<ActionError> heldTerminations = new ArrayList<>();
  /** What to record in status before the first action. */
  Intent intent;
  /** Lifecycle webhooks waited on or given up on, in sentences for the conditions. */
  final List<String> hookReports = new ArrayList<>();
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
  /** The last retry honoured: status's, or the one this plan honours (see Retries). */
  dev.cutover.api.RetryRecord lastRetry;
  /** What the Release's annotations ask for (abort, retry). */
  final dev.cutover.observe.Requests requests;
  /** Failures still waiting for their retry time (the others are tried again now). */
  List<ActionError> errors;
  /** An intent status keeps after the plan. */
  Intent keptIntent;

  Draft(Release release, ObservedWorld world, Instant now) {
    this.release = release;
    this.spec = release.getSpec();
    this.last = release.getStatus() == null ? new ReleaseStatus() : release.getStatus();
    this.world = world;
    this.now = now;
    this.eip = world.elasticIp();
    this.layout = spec.layout();
    this.bindings = Addresses.bindings(spec, world);
    this.preview = Addresses.preview(spec, world);
    this.templates = Templates.resolve(layout, world.launchTemplates(), last.launchTemplates);
    this.unavailableTypes = InstanceTypes.recent(last, now);
    if (templates.moving()) {
      wakeAt(now.plus(Templates.FOLLOW));
    }
    this.history = new ArrayList<>(last.history == null ? List.of() : last.history);
    this.lastFailure = last.lastFailure;
    this.lastRetry = last.lastRetry;
    this.requests = world.requests();
    // Kept: errors still waiting for their retry time, and launches whose outcome no poll has
    // shown yet (they hold further launches of their fleet, see launchUnseen).
    this.errors = last.errors == null ? List.of() : last.errors.stream()
        .filter(e -> heldErrors().contains(e) || e.action.startsWith("RunInstances/")
            && Boolean.TRUE.equals(e.retryable)
            && !world.polledSince(Instant.parse(e.at).plus(LISTING_DELAY)))
        .toList();
  }

  // ---------------------------------------------------------------- backoff

  /** Failures whose retry time has not come. */
  private List<ActionError> heldErrors() {
    return last.errors == null ? List.of() : last.errors.stream()
        .filter(e -> e.retryAt != null && now.isBefore(Instant.parse(e.retryAt))).toList();
  }

  /** Whether an action with this key failed recently and waits for its retry time. */
  boolean held(String key) {
    Optional<ActionError> e = heldFor(key);
    e.ifPresent(err -> wakeAt(Instant.parse(err.retryAt)));
    return e.isPresent();
  }

  Optional<ActionError> heldFor(String key) {
    return heldErrors().stream().filter(err -> key.equals(err.action)).findFirst();
  }

  /**
   * A RunInstances of this fleet failed in a way that may have launched anyway (throttled after
   * the fact, a lost answer): no other launch of the fleet until a poll started after it (plus
   * EC2's usual listing delay) shows what exists.
   */
  boolean launchUnseen(String fleetId) {
    if (last.errors == null) {
      return false;
    }
    Optional<Instant> unseen = last.errors.stream()
        .filter(e -> ("RunInstances/" + fleetId).equals(e.action)
            && Boolean.TRUE.equals(e.retryable))
        .map(e -> Instant.parse(e.at).plus(LISTING_DELAY))
        .filter(after -> !world.polledSince(after)).findFirst();
    unseen.ifPresent(after -> wakeAt(after.isAfter(now) ? after : now.plusSeconds(1)));
    return unseen.isPresent();
  }

  /**
   * A process that just started has no write-through: an instance a previous process launched
   * moments before may not be listed yet. It launches only on a poll that started after that.
   */
  boolean viewTooNewToLaunch() {
    Instant settled = world.observingSince() == null ? null
        : world.observingSince().plus(LISTING_DELAY);
    if (settled == null || world.polledSince(settled)) {
      return false;
    }
    wakeAt(settled.isAfter(now) ? settled : now.plusSeconds(1));
    return true;
  }

  /** A TerminateInstances of these instances waits: one of them was refused recently. */
  private Optional<ActionError> terminationHeld(List<String> ids) {
    return heldErrors().stream().filter(e -> "TerminateInstances".equals(e.operation))
        .filter(e -> e.action.equals(new Terminate(ids, "", "").key())
            || named(e).stream().anyMatch(ids::contains))
        .findFirst();
  }

  // ---------------------------------------------------------------- actions

  /**
   * Plans a TerminateInstances of those not already on their way out; false when any is held
   * back. The one way the policy terminates anything. An instance a production address points
   * at, or that the plan moves an address to, stays. With spec.drain, instances going for a
   * drained reason drain first (see {@link #drains}) and are terminated once their drain is
   * over; without it (or once it was removed) they go at once.
   */
  boolean terminate(List<ManagedInstance> instances, String version, String reason) {
    List<ManagedInstance> going = instances.stream()
        .filter(i -> !terminating.contains(i.id()) && !associateTargets.contains(i.id())
            && !drainingNow.contains(i.id()))
        .toList();
    going.stream().filter(this::holdsProductionAddress).forEach(keptForAddress::add);
    going = going.stream().filter(i -> !keptForAddress.contains(i)).toList();
    if (!drains(reason)) {
      return terminateNow(going, version, reason);
    }
    boolean all = true;
    for (var drained : drainFirst(going, version, reason).entrySet()) {
      all &= terminateNow(drained.getValue(), version, drained.getKey());
    }
    return all;
  }

  // ---------------------------------------------------------------- drain

  /**
   * Whether instances going for this reason drain first. Only instances that served or could
   * have (a retained fleet, surplus of production, a staging fleet someone may be testing) do.
   * A failed fleet (FailedReleaseCleanedUp) never took production traffic and is not kept
   * longer than it must be; a second instance in a slot (DuplicateInSlot) or a stopped one
   * (ReplacedStopped) serves nothing; a deleted Release (Deleted) is past serving and its
   * owner asked for it to be gone. A verified fleet whose approval expired (ApprovalExpired)
   * drains like a superseded one: people may be trying it through the preview address.
   */
  private boolean drains(String reason) {
    return spec.drain != null && !release.isMarkedForDeletion() && DRAINED.contains(reason);
  }

  static final Set<String> DRAINED = Set.of("RetentionExpired", "RetainedScaledDown",
      "ScaledIn", "Superseded", "ApprovalExpired");

  /**
   * Starts the drain of those not draining yet (one Drain action) and keeps waiting for those
   * whose drain has not ended. Returns the instances whose drain is over, by the reason their
   * drain started with: they are terminated now.
   */
  private java.util.Map<String, List<ManagedInstance>> drainFirst(List<ManagedInstance> going,
      String version, String reason) {
    java.util.Map<String, List<ManagedInstance>> over = new java.util.LinkedHashMap<>();
    List<ManagedInstance> starting = new ArrayList<>();
    for (ManagedInstance i : going) {
      Optional<Integer> entry = drainOf(i.id());
      if (entry.isEmpty()) {
        starting.add(i);
        continue;
      }
      var started = last.draining.get(entry.get());
      drainContinued.computeIfAbsent(entry.get(), k -> new HashSet<>()).add(i.id());
      Instant terminateAt = Instant.parse(started.terminateAt);
      if (now.isBefore(terminateAt)) {
        drainingNow.add(i.id());
        wakeAt(terminateAt);
      } else {
        over.computeIfAbsent(started.reason == null ? reason : started.reason,
            k -> new ArrayList<>()).add(i);
      }
    }
    if (!starting.isEmpty()) {
      List<String> ids = starting.stream().map(ManagedInstance::id).toList();
      Instant terminateAt = now.plus(spec.drain.timeoutLength());
      actions.add(new Action.Drain(ids, version, reason));
      drainsStarted.add(new Facts.Draining(version, reason, ids, now, terminateAt, null, null));
      drainingNow.addAll(ids);
      wakeAt(terminateAt);
    }
    return over;
  }

  /** The entry of status.draining that names this instance, by its index. */
  private Optional<Integer> drainOf(String instanceId) {
    if (last.draining == null) {
      return Optional.empty();
    }
    for (int n = 0; n < last.draining.size(); n++) {
      var e = last.draining.get(n);
      if (e.instanceIds != null && e.instanceIds.contains(instanceId) && e.terminateAt != null) {
        return Optional.of(n);
      }
    }
    return Optional.empty();
  }

  /**
   * Every drain status remembers goes on as it is (a pass that decides nothing about them:
   * paused, or the address missing), for the instances not gone yet.
   */
  void keepDraining() {
    if (last.draining == null) {
      return;
    }
    for (int n = 0; n < last.draining.size(); n++) {
      var e = last.draining.get(n);
      if (e.instanceIds == null || e.terminateAt == null) {
        continue;
      }
      for (String id : e.instanceIds) {
        if (world.instance(id).filter(i -> !i.state().isGone()).isPresent()) {
          drainContinued.computeIfAbsent(n, k -> new HashSet<>()).add(id);
          drainingNow.add(id);
        }
      }
    }
  }

  /** The instance drains in this plan: it is not where an address goes. */
  boolean draining(String instanceId) {
    return drainingNow.contains(instanceId);
  }

  /**
   * The drains after this plan: those status remembers, for the instances still going (an
   * instance needed again leaves its drain), then those the plan starts.
   */
  List<Facts.Draining> drains() {
    java.util.Map<Integer, Set<String>> kept = new java.util.TreeMap<>(drainContinued);
    if (last.draining != null) {
      for (int n = 0; n < last.draining.size(); n++) {
        var e = last.draining.get(n);
        if (e.instanceIds == null || e.terminateAt == null || world.polledSince(
            Instant.parse(e.terminateAt).plus(LISTING_DELAY))) {
          continue;
        }
        // Terminated at the end of the drain: until a poll surely shows it gone, a listing
        // made before the call may show it running again, and it is then terminated at once,
        // not drained a second time.
        for (String id : e.instanceIds) {
          if (world.instance(id).filter(i -> i.state().isGone()).isPresent()) {
            kept.computeIfAbsent(n, k -> new HashSet<>()).add(id);
            // A quiet Release gets no event once the instance is gone: look again a listing
            // delay after the listing settled (never sooner than that from now, so a poll
            // slower than the delay is waited for without a busy loop).
            Instant settled = Instant.parse(e.terminateAt).plus(LISTING_DELAY);
            wakeAt((now.isAfter(settled) ? now : settled).plus(LISTING_DELAY));
          }
        }
      }
    }
    List<Facts.Draining> all = new ArrayList<>();
    kept.forEach((n, instances) -> {
      var e = last.draining.get(n);
      List<String> ids = e.instanceIds.stream().filter(instances::contains).toList();
      all.add(new Facts.Draining(e.version, e.reason, ids,
          e.startedAt == null ? null : Instant.parse(e.startedAt),
          Instant.parse(e.terminateAt), e.answered, e.failed));
    });
    all.addAll(drainsStarted);
    return all;
  }

  /**
   * Plans the TerminateInstances of instances whose drain (if any) is over; false when any is
   * held back. EC2 refuses a whole call when one instance has termination protection, so an
   * instance the last refusal named goes in a call of its own, and the others go at once.
   */
  private boolean terminateNow(List<ManagedInstance> going, String version, String reason) {
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
      Optional<ActionError> held = terminationHeld(t.instanceIds());
      if (held.isPresent()) {
        wakeAt(Instant.parse(held.get().retryAt));
        notTerminated.addAll(call);
        heldTerminations.add(held.get());
        all = false;
      } else {
        terminating.addAll(t.instanceIds());
        actions.add(t);
      }
    }
    return all;
  }

  /**
   * A production address points at this instance and no move off it is planned yet: it is not
   * terminated in this pass (the address moves first; the next pass terminates it). A deleted
   * Release is past serving.
   */
  private boolean holdsProductionAddress(ManagedInstance i) {
    if (release.isMarkedForDeletion()) {
      return false;
    }
    for (Addresses.Binding b : bindings) {
      if (b.address().isPresent() && i.id().equals(plannedHolders.getOrDefault(
          b.address().get().allocationId(), b.holder()))) {
        wakeAt(now.plusSeconds(1));
        return true;
      }
    }
    return false;
  }

  /** The instances recent refusals of TerminateInstances named (termination protection). */
  private Set<String> refusedTermination() {
    Set<String> ids = new HashSet<>();
    if (last.errors != null) {
      last.errors.stream().filter(e -> "TerminateInstances".equals(e.operation))
          .forEach(e -> ids.addAll(named(e)));
    }
    return ids;
  }

  private static Set<String> named(ActionError e) {
    Set<String> ids = new HashSet<>();
    if (e.message != null) {
      java.util.regex.Matcher m = INSTANCE_ID.matcher(e.message);
      while (m.find()) {
        ids.add(m.group(1));
      }
    }
    return ids;
  }

  /** Plans moving the primary address; false when held or no address exists. */
  boolean associate(String instanceId, String fromVersion, String toVersion,
      SwitchReason reason) {
    return bindings.isEmpty() ? false
        : associate(bindings.get(0), instanceId, fromVersion, toVersion, reason);
  }

  /**
   * Plans an AssociateAddress with reassociation; false when the address does not exist, points
   * at a foreign instance, or a recent refusal of any association holds them all back.
   */
  boolean associate(Addresses.Binding binding, String instanceId, String fromVersion,
      String toVersion, SwitchReason reason) {
    if (binding.address().isEmpty() || elsewhere.contains(binding.address().get().allocationId())
        || terminating.contains(instanceId) || drainingNow.contains(instanceId)
        || held("AssociateAddress")) {
      return false;
    }
    associateTargets.add(instanceId);
    // EC2 gives an instance one Elastic IP: whichever address pointed at it is taken off.
    List<Addresses.Binding> all = new ArrayList<>(bindings);
    preview.ifPresent(all::add);
    for (Addresses.Binding other : all) {
      if (other != binding && other.address().isPresent() && instanceId.equals(
          plannedHolders.getOrDefault(other.address().get().allocationId(), other.holder()))) {
        plannedHolders.put(other.address().get().allocationId(), null);
      }
    }
    plannedHolders.put(binding.address().get().allocationId(), instanceId);
    actions.add(new Associate(binding.address().get(), instanceId, fromVersion, toVersion,
        reason));
    return true;
  }

  /** The role of this name, or null when the spec no longer has it. */
  RoleLayout role(String name) {
    return layout.stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
  }

  /** Instances in one whole fleet. */
  int systemSize() {
    return layout.stream().mapToInt(RoleLayout::size).sum();
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

  /** Whether the plan moves a production address (the preview address does not count). */
  boolean plansAssociate() {
    return actions.stream().anyMatch(a -> a instanceof Associate assoc
        && assoc.reason() != SwitchReason.Previewed);
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
    failure.retryTokenAtFailure = Retries.pendingToken(this);
    if (FailureReason.Aborted.is(reason)) {
      failure.specDigest = specDigest();
    }
    return failure;
  }

  /**
   * A failure recorded for this fleet at this generation: it is not tried again (until a
   * retry, see Retries). An abort also blocks at later generations of the same spec, when
   * only spec.paused changed.
   */
  boolean failureBlocks(String fleetId) {
    Failure f = lastFailure;
    if (f == null || !fleetId.equals(f.fleetId)) {
      return false;
    }
    return java.util.Objects.equals(f.generation, release.getMetadata().getGeneration())
        || FailureReason.Aborted.is(f.reason) && f.specDigest != null
            && f.specDigest.equals(specDigest());
  }

  private String specDigest;

  /** The digest of this spec without spec.paused (see FleetIds.specDigest). */
  String specDigest() {
    if (specDigest == null) {
      specDigest = FleetIds.specDigest(spec);
    }
    return specDigest;
  }

  /**
   * The hold status recorded for the fleet, if it has not ended yet and its reason is one
   * {@code reason} accepts.
   */
  Optional<dev.cutover.api.HeldFleet> heldInStatus(String fleetId,
      java.util.function.Predicate<String> reason) {
    return last.heldFleets == null ? Optional.empty() : last.heldFleets.stream()
        .filter(h -> h.id.equals(fleetId) && reason.test(h.reason) && h.until != null
            && now.isBefore(Instant.parse(h.until)))
        .findFirst();
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

  /** The staging fleet as status recorded it, its members as EC2 shows them: nothing decided. */
  void keepRecordedTrial() {
    var s = last.stagingFleet;
    if (s == null || s.id == null) {
      return;
    }
    Fleet staged = world.fleets().get(s.id);
    trial = new Facts.Trial(s.id, s.version, staged == null ? List.of() : staged.alive(),
        instant(s.startedAt), instant(s.deadline), instant(s.verifiedAt));
  }

  private static Instant instant(String text) {
    return text == null ? null : Instant.parse(text);
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
        lastFailure, errors, keptIntent, Addresses.after(this), templates.status(),
        unavailableTypes, drains(), HookGates.kept(this), lastRetry);
    // Drains go last: a plan that stops at a failed EC2 call writes none of its facts, so a
    // drain begun before that call would be forgotten and begun again (a new full wait) on
    // every retry. After the last EC2 call, nothing can fail after it.
    // Hook calls go after them for the same reason: their answers must reach status.
    List<Action> ordered = new ArrayList<>(actions.stream()
        .filter(a -> !(a instanceof Action.Drain) && !(a instanceof Action.CallHook)).toList());
    actions.stream().filter(a -> a instanceof Action.Drain).forEach(ordered::add);
    actions.stream().filter(a -> a instanceof Action.CallHook).forEach(ordered::add);
    return new Plan(List.copyOf(ordered), facts, health, Optional.ofNullable(wakeAt),
        deletionComplete, List.copyOf(checkTargets), Optional.ofNullable(metricTarget),
        plansAssociate() || intent != null && intent.kind == Intent.Kind.AllocateAddress
            ? Optional.ofNullable(intent) : Optional.empty());
  }
}
