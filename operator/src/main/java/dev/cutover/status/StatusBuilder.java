package dev.cutover.status;

import dev.cutover.api.ActionError;
import dev.cutover.api.ActiveFleet;
import dev.cutover.api.AddressStatus;
import dev.cutover.api.DrainingFleet;
import dev.cutover.api.ElasticIpStatus;
import dev.cutover.api.FleetInstance;
import dev.cutover.api.HeldFleet;
import dev.cutover.api.HookRecord;
import dev.cutover.api.PreviousFleet;
import dev.cutover.api.Release;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.api.ShardRecord;
import dev.cutover.api.StagingFleet;
import dev.cutover.decide.Action;
import dev.cutover.decide.Facts;
import dev.cutover.decide.Failures;
import dev.cutover.decide.Health;
import dev.cutover.decide.Plan;
import dev.cutover.ec2.ElasticIp;
import dev.cutover.ec2.ManagedInstance;
import dev.cutover.observe.ObservedWorld;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The one place that writes status: it turns a decision's facts into the Release's status
 * (fleets, phase, history, failures), observedGeneration, and the conditions kstatus, Flux,
 * Argo CD and {@code kubectl wait} read (Ready, Reconciling, Stalled) plus Available and
 * Progressing. A condition keeps its lastTransitionTime while its status stays the same.
 */
public final class StatusBuilder {

  public static final String READY = "Ready";
  public static final String RECONCILING = "Reconciling";
  public static final String STALLED = "Stalled";
  public static final String AVAILABLE = "Available";
  public static final String PROGRESSING = "Progressing";

  /** Failures remembered at once, one per action. */
  static final int MAX_ERRORS = 10;

  private StatusBuilder() {}

  /** The status after the plan's actions all succeeded (no drain call was made). */
  public static ReleaseStatus build(Release release, Plan plan, ObservedWorld world,
      Instant now) {
    return build(release, plan, world, now, List.of());
  }

  /**
   * The status after the plan's actions all succeeded; {@code drainCalls} are the results of
   * the drain calls act made for the drains the plan started.
   */
  public static ReleaseStatus build(Release release, Plan plan, ObservedWorld world,
      Instant now, List<Action.Drain.Call> drainCalls) {
    return build(release, plan, world, now, drainCalls, List.of());
  }

  /**
   * The status after the plan's actions all succeeded, with the answers of the drain calls and
   * of the webhook calls act made.
   */
  public static ReleaseStatus build(Release release, Plan plan, ObservedWorld world,
      Instant now, List<Action.Drain.Call> drainCalls, List<Action.CallHook.Call> hookCalls) {
    Facts f = plan.facts();
    Set<String> leaving = new HashSet<>();
    plan.actions().stream().filter(a -> a instanceof Action.Terminate)
        .forEach(a -> leaving.addAll(((Action.Terminate) a).instanceIds()));
    ReleaseStatus s = new ReleaseStatus();
    s.phase = f.phase();
    s.activeFleet = f.active().map(a -> active(a, leaving)).orElse(null);
    s.previousFleet = f.retained().map(k -> previous(k, leaving)).orElse(null);
    s.stagingFleet = f.staging().map(t -> staging(release, t, world)).orElse(null);
    if (s.stagingFleet != null) {
      s.stagingFleet.state = plan.health().reason();
    }
    s.heldFleets = f.held().isEmpty() ? null : f.held().stream().map(StatusBuilder::held)
        .toList();
    s.elasticIp = f.address().map(a -> elasticIp(release, a, f.addressHolder())).orElse(null);
    s.addresses = f.addresses().isEmpty() ? null
        : f.addresses().stream().map(a -> address(a, world)).toList();
    s.size = release.getSpec().systemSize();
    s.history = new ArrayList<>(f.history());
    s.metrics = plan.metricTarget().map(t -> metrics(t, world)).orElse(null);
    s.launchTemplates = f.launchTemplates().isEmpty() ? null : f.launchTemplates();
    s.unavailableInstanceTypes = f.unavailableTypes().isEmpty() ? null : f.unavailableTypes();
    s.lastFailure = f.lastFailure();
    s.lastRetry = f.lastRetry();
    s.errors = f.errors().isEmpty() ? null : f.errors();
    s.intent = f.intent();
    s.draining = f.draining().isEmpty() ? null : f.draining().stream()
        .map(d -> draining(d, drainCalls)).toList();
    s.hooks = hooks(f.hooks(), plan.actions(), hookCalls, now);
    return withConditions(release, s, plan.health(), now);
  }

  /**
   * The status to write before the plan's first action: the Release's status as it is, plus the
   * intent and the failure the plan records (a revert blocks the fleet it leaves even if the
   * status after the call is lost).
   */
  public static ReleaseStatus withIntent(Release release, Plan plan) {
    ReleaseStatus status = copy(release.getStatus());
    if (plan.intent().isPresent() || !calls(plan)) {
      status.intent = plan.intent().orElse(null);
    }
    // A webhook call is announced as Pending: the write is conditional on the version this
    // pass read, so a pass that read a stale status is refused before it calls again.
    for (Action a : plan.actions()) {
      if (a instanceof Action.CallHook hook) {
        List<HookRecord> hooks = new ArrayList<>(status.hooks == null ? List.of()
            : status.hooks);
        hooks.removeIf(r -> hook.idempotencyKey().equals(r.idempotencyKey));
        hooks.add(record(hook, null, null));
        status.hooks = hooks;
      }
    }
    if (plan.facts().lastFailure() != null) {
      status.lastFailure = plan.facts().lastFailure();
    }
    // Fleets kept for an unknown role must stay kept whatever happens to the call.
    status.heldFleets = plan.facts().held().isEmpty() ? status.heldFleets
        : plan.facts().held().stream().map(StatusBuilder::held).toList();
    return status;
  }

  /** The Release's status as it is, naming {@code shard} as the one acting on it. */
  public static ReleaseStatus withShard(ReleaseStatus status, ShardRecord shard) {
    ReleaseStatus copy = copy(status);
    copy.shard = shard;
    return copy;
  }

  /**
   * The status after an action failed: what was recorded before acting plus the refusal, with
   * conditions that name the AWS code and the retry time. Nothing the plan meant to do is
   * claimed.
   */
  public static ReleaseStatus afterFailure(Release release, ReleaseStatus recorded,
      Failures.Refusal refusal, Health planned, Instant now) {
    ReleaseStatus status = copy(recorded);
    var e = refusal.error();
    List<ActionError> errors = new ArrayList<>(status.errors == null ? List.of()
        : status.errors.stream().filter(other -> !other.action.equals(e.action)).toList());
    errors.add(e);
    status.errors = errors.subList(Math.max(0, errors.size() - MAX_ERRORS), errors.size());
    if (refusal.unavailableType() != null) {
      List<dev.cutover.api.InstanceTypeRefusal> types = new ArrayList<>(
          status.unavailableInstanceTypes == null ? List.of() : status.unavailableInstanceTypes);
      types.add(refusal.unavailableType());
      status.unavailableInstanceTypes = types;
    }
    boolean blocksFleet = refusal.fleetFailure() != null;
    if (blocksFleet) {
      status.lastFailure = refusal.fleetFailure();
      status.phase = dev.cutover.api.Phase.Failed;
    }
    String message = "EC2 " + e.operation + " failed (" + e.code + "): " + e.message
        + (blocksFleet ? " " + status.lastFailure.version + " is not tried again until the "
            + "spec changes; production is untouched."
            : " Trying again at " + e.retryAt + ".")
        // What the pass had found stuck stays visible beside the refusal.
        + (planned.stalled() ? " " + planned.message() : "");
    String reason = e.code.replaceAll("[^A-Za-z0-9]", "");
    Health health = !blocksFleet && Failures.triedAgain(e)
        ? Health.progressing(planned.available(), reason, message)
        : Health.stalled(planned.available(), reason, message);
    return withConditions(release, status, health, now);
  }

  private static boolean calls(Plan plan) {
    return plan.actions().stream().anyMatch(a -> a instanceof Action.CallHook);
  }

  /** Whether writing {@code next} changes anything (so an unchanged status is never patched). */
  public static boolean differs(ReleaseStatus current, ReleaseStatus next) {
    return current == null || !Objects.equals(Serialization.asJson(current),
        Serialization.asJson(next));
  }

  public static Condition find(ReleaseStatus status, String type) {
    if (status == null || status.conditions == null) {
      return null;
    }
    return status.conditions.stream().filter(c -> type.equals(c.getType())).findFirst()
        .orElse(null);
  }

  // ---------------------------------------------------------------- parts

  /** Each metric check of what is measured now, with its last measurement. */
  private static List<dev.cutover.api.MetricStatus> metrics(
      dev.cutover.observe.MetricTarget target, ObservedWorld world) {
    return target.checks().stream().map(check -> {
      var r = world.metrics().of(target, check.name);
      var m = new dev.cutover.api.MetricStatus();
      m.name = check.name;
      m.stage = target.stage();
      m.fleetId = target.fleetId();
      m.state = r.failed(check) ? "Failed" : r.passing(check) ? "Passing" : "Pending";
      m.successes = r.successes();
      m.failures = r.failures(check);
      m.lastValue = r.lastValue();
      m.lastError = r.lastError();
      m.measuredAt = r.measuredAt() == null ? null
          : r.measuredAt().truncatedTo(ChronoUnit.SECONDS).toString();
      return m;
    }).toList();
  }

  private static ActiveFleet active(Facts.Serving serving, Set<String> leaving) {
    ActiveFleet a = new ActiveFleet();
    a.id = serving.fleet().id();
    a.version = serving.fleet().version();
    a.instanceIds = ids(serving.fleet().alive(), leaving);
    a.primaryInstanceId = serving.primary();
    a.since = serving.since().toString();
    java.util.Map<String, Integer> types = new java.util.TreeMap<>();
    serving.fleet().alive().stream().filter(i -> !leaving.contains(i.id())
        && i.instanceType() != null).forEach(i -> types.merge(i.instanceType(), 1, Integer::sum));
    a.instanceTypes = types.isEmpty() ? null : types;
    return a;
  }

  private static PreviousFleet previous(Facts.Kept kept, Set<String> leaving) {
    PreviousFleet p = new PreviousFleet();
    p.id = kept.fleet().id();
    p.version = kept.fleet().version();
    p.instanceIds = ids(kept.fleet().alive(), leaving);
    p.expiresAt = kept.until().toString();
    return p;
  }

  /**
   * One drain: as status remembered it, or, for a drain the plan started, with the results of
   * its calls (none when no call is configured).
   */
  private static DrainingFleet draining(Facts.Draining drain, List<Action.Drain.Call> calls) {
    DrainingFleet e = new DrainingFleet();
    e.version = drain.version();
    e.reason = drain.reason();
    e.instanceIds = drain.instanceIds();
    e.startedAt = text(drain.startedAt());
    e.terminateAt = text(drain.terminateAt());
    e.answered = drain.answered();
    e.failed = drain.failed();
    List<Action.Drain.Call> own = calls.stream()
        .filter(c -> drain.instanceIds().contains(c.instanceId())).toList();
    if (drain.answered() == null && !own.isEmpty()) {
      e.answered = (int) own.stream().filter(Action.Drain.Call::answered).count();
      List<String> failed = own.stream().filter(c -> !c.answered())
          .map(c -> c.instanceId() + ": " + c.problem()).toList();
      e.failed = failed.isEmpty() ? null : failed;
    }
    return e;
  }

  /**
   * The webhook records: those status keeps, each replaced by the answer of this plan's call
   * for its event, if one was made. A planned call without an answer was not made.
   */
  private static List<HookRecord> hooks(List<HookRecord> kept, List<Action> actions,
      List<Action.CallHook.Call> calls, Instant now) {
    List<HookRecord> all = new ArrayList<>(kept);
    for (Action a : actions) {
      if (!(a instanceof Action.CallHook hook)) {
        continue;
      }
      calls.stream().filter(c -> c.idempotencyKey().equals(hook.idempotencyKey())).findFirst()
          .ifPresent(call -> {
            all.removeIf(r -> hook.idempotencyKey().equals(r.idempotencyKey));
            all.add(record(hook, call, now));
          });
    }
    return all.isEmpty() ? null : all;
  }

  private static HookRecord record(Action.CallHook hook, Action.CallHook.Call call,
      Instant now) {
    HookRecord r = new HookRecord();
    r.event = hook.event().name();
    r.fleetId = hook.fleetId();
    r.version = hook.instances().isEmpty() ? hook.version() : hook.instances().get(0).version();
    r.idempotencyKey = hook.idempotencyKey();
    r.attempts = hook.attempt();
    if (call == null) {
      r.outcome = HookRecord.PENDING;
      return r;
    }
    r.outcome = call.succeeded() ? "Succeeded" : "Failed";
    r.httpStatus = call.httpStatus();
    r.message = call.problem();
    r.at = now.toString();
    r.retryAt = call.succeeded() || !(call.retryable() || hook.retriesRefusal())
        || hook.retryAt() == null ? null : hook.retryAt().toString();
    return r;
  }

  private static HeldFleet held(Facts.Kept kept) {
    HeldFleet h = new HeldFleet();
    h.id = kept.fleet().id();
    h.version = kept.fleet().version();
    h.instanceIds = kept.fleet().notGone().stream().map(ManagedInstance::id).toList();
    h.reason = kept.reason();
    h.until = kept.until().toString();
    return h;
  }

  private static StagingFleet staging(Release release, Facts.Trial trial, ObservedWorld world) {
    var http = release.getSpec().verification.http;
    StagingFleet s = new StagingFleet();
    s.id = trial.id();
    s.version = trial.version();
    s.startedAt = text(trial.startedAt());
    s.deadline = text(trial.deadline());
    s.verifiedAt = text(trial.verifiedAt());
    s.instances = trial.members().stream().map(i -> {
      FleetInstance fi = new FleetInstance();
      fi.id = i.id();
      fi.slot = i.slot();
      fi.role = i.role().isEmpty() ? null : i.role();
      fi.state = i.state().ec2Name();
      fi.instanceType = i.instanceType();
      fi.privateIp = i.privateIp();
      fi.publicIp = i.publicIp();
      fi.checks = "status " + i.statusChecks().name().toLowerCase(Locale.ROOT)
          + (http == null ? "" : ", " + world.http(i.id()).describe(http.threshold()));
      return fi;
    }).toList();
    return s;
  }

  private static ElasticIpStatus elasticIp(Release release, ElasticIp address, String holder) {
    ElasticIpStatus e = new ElasticIpStatus();
    e.allocationId = address.allocationId();
    e.publicIp = address.publicIp();
    e.instanceId = holder;
    e.allocatedByCutover = release.getMetadata().getUid().equals(address.ownerReleaseUid())
        ? Boolean.TRUE : null;
    return e;
  }

  private static AddressStatus address(Facts.AddressFact fact, ObservedWorld world) {
    AddressStatus a = new AddressStatus();
    a.role = fact.role().isEmpty() ? null : fact.role();
    a.index = fact.preview() ? null : fact.index();
    a.allocationId = fact.address().allocationId();
    a.publicIp = fact.address().publicIp();
    a.instanceId = fact.holder();
    a.version = fact.holder() == null ? null : world.instance(fact.holder())
        .map(ManagedInstance::version).orElse("another instance");
    return a;
  }

  private static List<String> ids(List<ManagedInstance> instances, Set<String> leaving) {
    return instances.stream().map(ManagedInstance::id).filter(id -> !leaving.contains(id))
        .toList();
  }

  private static String text(Instant at) {
    return at == null ? null : at.toString();
  }

  private static ReleaseStatus copy(ReleaseStatus status) {
    return status == null ? new ReleaseStatus() : Serialization.clone(status);
  }

  // ---------------------------------------------------------------- conditions

  private static ReleaseStatus withConditions(Release release, ReleaseStatus status, Health h,
      Instant now) {
    ReleaseStatus previous = release.getStatus() == null ? new ReleaseStatus()
        : release.getStatus();
    long generation = release.getMetadata().getGeneration() == null ? 0
        : release.getMetadata().getGeneration();
    status.observedGeneration = generation;
    List<Condition> conditions = new ArrayList<>();
    conditions.add(condition(previous, READY, h.ready(), h.ready() ? "Live" : h.reason(),
        h.message(), generation, now));
    conditions.add(condition(previous, RECONCILING, !h.ready() && !h.stalled() && !h.paused(),
        h.reason(), h.message(), generation, now));
    conditions.add(condition(previous, STALLED, h.stalled(), h.reason(), h.message(),
        generation, now));
    conditions.add(condition(previous, AVAILABLE, h.available(),
        h.available() ? "ElasticIpOnActiveFleet" : "NotServing",
        h.available() ? "The Elastic IP points at a running instance of the active fleet."
            : "The Elastic IP does not point at a running instance of the active fleet.",
        generation, now));
    conditions.add(condition(previous, PROGRESSING, h.progressing(), h.reason(), h.message(),
        generation, now));
    status.conditions = conditions;
    return status;
  }

  private static Condition condition(ReleaseStatus previous, String type, boolean value,
      String reason, String message, long generation, Instant now) {
    String status = value ? "True" : "False";
    Condition before = find(previous, type);
    String since = before != null && status.equals(before.getStatus())
        && before.getLastTransitionTime() != null ? before.getLastTransitionTime()
        : now.truncatedTo(ChronoUnit.SECONDS).toString();
    return new ConditionBuilder().withType(type).withStatus(status).withReason(reason)
        .withMessage(message).withObservedGeneration(generation)
        .withLastTransitionTime(since).build();
  }
}
