package dev.cutover;

import dev.cutover.act.PlanExecutor;
import dev.cutover.act.PlanExecutor.Outcome;
import dev.cutover.api.Release;
import dev.cutover.api.ReleaseSpec;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.api.ShardRecord;
import dev.cutover.decide.Action;
import dev.cutover.decide.Decider;
import dev.cutover.decide.Failures;
import dev.cutover.decide.Plan;
import dev.cutover.observe.CheckResults;
import dev.cutover.observe.Accounts;
import dev.cutover.observe.Ec2Inventory;
import dev.cutover.observe.LaunchTemplateLookups;
import dev.cutover.observe.MetricResults;
import dev.cutover.ec2.ManagedInstance;
import dev.cutover.observe.ObservedWorld;
import dev.cutover.observe.Requests;
import dev.cutover.status.Narrator;
import dev.cutover.status.ReleaseEvents;
import dev.cutover.status.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconcile of one Release, whole: observe (the shared EC2 inventory and the HTTP checks)
 * → decide (the pure policy) → act (the plan, through the gateway) → status (one builder).
 * It knows nothing of JOSDK: the reconciler runs it, and so does the simulation that checks the
 * safety invariants.
 */
public final class ReleasePass {

  private static final Logger log = LoggerFactory.getLogger(ReleasePass.class);

  /** After acting, look again soon: the write-through view already shows the result. */
  public static final Duration AFTER_ACTING = Duration.ofSeconds(1);
  /** A status write that failed before a switch: nothing was done; try again after this. */
  public static final Duration AFTER_FAILED_WRITE = Duration.ofSeconds(5);
  /** A write refused because the Release read was older than the operator's own last write. */
  public static final Duration AFTER_CONFLICT = Duration.ofMillis(250);
  /**
   * No snapshot of EC2 could tell this Release's world yet: the refresh it needs is on its way
   * and wakes the Release when it lands; this is only in case that refresh fails.
   */
  public static final Duration AWAITING_REFRESH = Duration.ofSeconds(5);

  /** Writes a status now, before the EC2 call it announces; throws when it cannot. */
  @FunctionalInterface
  public interface StatusWriter {
    void write(Release release, ReleaseStatus status);
  }

  /**
   * @param status the status to write (the same object as before when nothing changed)
   * @param changed whether {@code status} differs from the Release's status
   * @param lookAgainIn when to reconcile again even if nothing happens; empty: on events only
   * @param deletionComplete for a Release being deleted: nothing of it is left in EC2
   * @param awaitingRefresh the inventory could not tell the Release's world yet: nothing was
   *     decided, and the Release is woken when the refresh it needs lands
   */
  public record Result(ReleaseStatus status, boolean changed, Optional<Duration> lookAgainIn,
      boolean deletionComplete, boolean awaitingRefresh) {}

  /** Where a Release's EC2 is: the inventory that observes it and the executor acting there. */
  public record Route(Ec2Inventory inventory, PlanExecutor executor) {}

  /** The route of each Release (its account and region). */
  public interface Routes {
    Route routeFor(Release release);

    /** The Release is gone. */
    default void forget(Release release) {}
  }

  private final Routes routes;
  private final CheckResults checks;
  private final Narrator narrator;
  private final CutoverMetrics metrics;
  private final Clock clock;
  private final Accounts accounts;
  private final LaunchTemplateLookups launchTemplates;
  private volatile MetricResults metricResults = MetricResults.NONE;
  private volatile ShardOwnership ownership = ShardOwnership.unsharded();
  /** Release uid → the takeover time last reported as deferred (one Event per takeover). */
  private final java.util.Map<String, String> deferralsTold =
      new java.util.concurrent.ConcurrentHashMap<>();

  public ReleasePass(Ec2Inventory inventory, CheckResults checks, PlanExecutor executor,
      ReleaseEvents events, CutoverMetrics metrics, Clock clock) {
    this(inventory, checks, executor, events, metrics, clock, Accounts.none());
  }

  public ReleasePass(Ec2Inventory inventory, CheckResults checks, PlanExecutor executor,
      ReleaseEvents events, CutoverMetrics metrics, Clock clock, Accounts accounts) {
    this(release -> new Route(inventory, executor), checks, events, metrics, clock, accounts);
  }

  /** Each Release observed and acted on in its own account and region. */
  public ReleasePass(Routes routes, CheckResults checks, ReleaseEvents events,
      CutoverMetrics metrics, Clock clock, Accounts accounts) {
    this.accounts = accounts;
    this.routes = routes;
    this.checks = checks;
    this.narrator = new Narrator(PassPhases.timed(events));
    this.metrics = metrics;
    this.clock = clock;
    this.launchTemplates = new LaunchTemplateLookups(clock);
  }

  /** Measures metric checks with this (by default none run). */
  public ReleasePass measuringWith(MetricResults results) {
    this.metricResults = results;
    return this;
  }

  /** Acts as the shard {@code shard} (by default an operator without a shard name). */
  public ReleasePass asShard(ShardOwnership shard) {
    this.ownership = shard;
    return this;
  }

  public Result run(Release release, StatusWriter writeFirst) {
    return run(release, writeFirst, () -> true);
  }

  /**
   * @param stillHeld asked before each EC2 call that changes something: false when the Release
   *     is no longer this shard's (relabelled away, or taken over); the pass stops there
   */
  public Result run(Release release, StatusWriter writeFirst, BooleanSupplier stillHeld) {
    PassPhases phases = PassPhases.begin();
    try {
      return run(release, phases.timed(writeFirst), phases.timed(stillHeld), phases);
    } finally {
      phases.end(metrics);
    }
  }

  private Result run(Release release, StatusWriter writeFirst, BooleanSupplier stillHeld,
      PassPhases phases) {
    ReleaseStatus before = release.getStatus();
    ShardOwnership.Verdict verdict = ownership.judge(before, clock.instant());
    Optional<Instant> settledAt = Optional.empty();
    ShardRecord shard = null;
    if (verdict instanceof ShardOwnership.Act act) {
      shard = act.record();
      settledAt = act.settledAt();
    } else if (verdict instanceof ShardOwnership.Claim claim) {
      ReleaseStatus claimed = StatusBuilder.withShard(before, claim.record());
      if (!recordShard(writeFirst, release, claimed)) {
        return new Result(before, false, Optional.of(AFTER_FAILED_WRITE), false, false);
      }
      release.setStatus(claimed);
      before = claimed;
      shard = claim.record();
    } else {
      return notActing(release, writeFirst, verdict);
    }
    Route route = routes.routeFor(release);
    long observing = System.nanoTime();
    Optional<ObservedWorld> observed = observe(release, route.inventory());
    phases.dataWait = Duration.ofNanos(System.nanoTime() - observing);
    if (observed.isEmpty()) {
      // Never decided on a view the inventory cannot vouch for; woken when it can.
      return new Result(before, false, Optional.of(AWAITING_REFRESH), false, true);
    }
    ObservedWorld world = observed.get();
    if (settledAt.isPresent() && !world.polledSince(settledAt.get())) {
      // Taken over from another shard: act only on a poll that shows what it did last.
      return new Result(before, false, Optional.of(AFTER_ACTING), false, false);
    }
    Instant now = clock.instant();
    Plan plan = Decider.decide(release, world, now);
    checks.watch(key(release), plan.checkTargets(), release.isMarkedForDeletion() ? null
        : release.getSpec().verification.http);
    metricResults.watch(key(release), plan.metricTarget(), route.inventory().gateway());

    ReleaseStatus recorded = before;
    boolean callsHooks = plan.actions().stream().anyMatch(a -> a instanceof Action.CallHook);
    if ((plan.intent().isPresent() || callsHooks) && !plan.actions().isEmpty()) {
      recorded = StatusBuilder.withIntent(release, plan);
      Optional<Duration> notRecorded = recordFirst(writeFirst, release, recorded, plan);
      if (notRecorded.isPresent()) {
        return new Result(before, false, notRecorded, false, false);
      }
    }
    Outcome outcome = act(route.executor(), release, plan, world, stillHeld);
    phases.ec2Calls = outcome.ec2Time();
    if (outcome.stopped()) {
      log.info("{}: no longer this shard's: stopped after {} of {} actions, before \"{}\"",
          key(release), outcome.done().size(), plan.actions().size(),
          plan.actions().get(outcome.done().size()).describe());
      stopWatching(release);
      // Gone from this shard: no reconcile follows. Taken over: the next pass defers. Not
      // known (the API server did not answer): the next pass asks again.
      return new Result(before, false, Optional.of(AFTER_FAILED_WRITE), false, false);
    }
    narrator.drainCalls(release, outcome.drainCalls());
    narrator.hookCalls(release, plan.actions(), outcome.hookCalls());
    Next next = outcome.failed().isPresent()
        ? afterRefusal(release, recorded, plan, outcome.failed().get(), now)
        : new Next(StatusBuilder.build(release, plan, world, now, outcome.drainCalls(),
            outcome.hookCalls()),
            !plan.actions().isEmpty() ? Optional.of(AFTER_ACTING)
                : plan.wakeAt().map(this::untilAt));
    next.status().shard = shard;
    narrator.transition(release, before, next.status());
    reportFleets(release, next.status());
    boolean changed = StatusBuilder.differs(before, next.status());
    return new Result(changed ? next.status() : before, changed, next.lookAgain(),
        plan.deletionComplete() && outcome.complete(), false);
  }

  /**
   * A Release this shard does not act on now: taking it over (recorded first, acting after the
   * grace), waiting for the grace of its own takeover, or held by another shard.
   */
  private Result notActing(Release release, StatusWriter writeFirst,
      ShardOwnership.Verdict verdict) {
    ReleaseStatus before = release.getStatus();
    stopWatching(release);
    if (verdict instanceof ShardOwnership.TakeOver takeOver) {
      if (!recordShard(writeFirst, release, StatusBuilder.withShard(before, takeOver.record()))) {
        return new Result(before, false, Optional.of(AFTER_FAILED_WRITE), false, false);
      }
      narrator.takenOver(release, ownership.name(), takeOver.from(), takeOver.actsAt());
      return new Result(before, false, Optional.of(untilAt(takeOver.actsAt())), false, false);
    }
    if (verdict instanceof ShardOwnership.Defer defer) {
      if (!defer.since().toString().equals(deferralsTold.put(release.getMetadata().getUid(),
          defer.since().toString()))) {
        narrator.shardConflict(release, ownership.name(), defer.holder(), defer.since(),
            defer.until());
      }
      return new Result(before, false, Optional.of(untilAt(defer.until())), false, false);
    }
    return new Result(before, false,
        Optional.of(untilAt(((ShardOwnership.Wait) verdict).until())), false, false);
  }

  /** Records which shard acts on the Release; false when it could not be written. */
  private boolean recordShard(StatusWriter writeFirst, Release release, ReleaseStatus status) {
    try {
      writeFirst.write(release, status);
      return true;
    } catch (RuntimeException e) {
      log.warn("{}: could not record shard {} as the one acting: {}", key(release),
          status.shard == null || status.shard.name == null ? "(unnamed)" : status.shard.name,
          e.getMessage());
      return false;
    }
  }

  /** No HTTP or metric checks for a Release this shard does not act on. */
  private void stopWatching(Release release) {
    checks.watch(key(release), List.of(), null);
    metricResults.watch(key(release), Optional.empty(), null);
  }

  /** The status a pass leaves and when to look again. */
  private record Next(ReleaseStatus status, Optional<Duration> lookAgain) {}

  /**
   * Records the intent before any call (nothing is done when it could not be): empty when
   * written, else when to look again.
   */
  private Optional<Duration> recordFirst(StatusWriter writeFirst, Release release,
      ReleaseStatus recorded, Plan plan) {
    try {
      writeFirst.write(release, recorded);
      return Optional.empty();
    } catch (RuntimeException e) {
      log.warn("{}: could not record {} before acting: {}", key(release),
          plan.intent().map(i -> String.valueOf(i.kind)).orElse("a pending webhook call"),
          e.getMessage());
      // A conflict means this pass read the Release before the informer had the operator's own
      // last status write: the newer copy arrives within moments, and deciding again on it is
      // all it takes (a switch waiting 5 s for it would be a 5 s longer blue/green). Any other
      // failure (the API server not answering) waits longer.
      boolean conflict = e instanceof KubernetesClientException k && k.getCode() == 409;
      return Optional.of(conflict ? AFTER_CONFLICT : AFTER_FAILED_WRITE);
    }
  }

  /** The Release is gone: its account and region are no longer polled for it. */
  public void forget(Release release) {
    routes.forget(release);
  }

  /**
   * The Release left this operator's view without being deleted here (relabelled to another
   * shard, or deleted after its finalizer went): its checks stop and its route is forgotten.
   * Nothing in EC2 is touched.
   */
  public void left(Release release) {
    stopWatching(release);
    deferralsTold.remove(release.getMetadata().getUid());
    routes.forget(release);
  }

  private Outcome act(PlanExecutor executor, Release release, Plan plan, ObservedWorld world,
      BooleanSupplier stillHeld) {
    return executor.execute(plan.actions(), world, release, stillHeld, (action, took) -> {
      if (action instanceof Action.Associate associate) {
        metrics.switched(associate.reason(), took);
      }
      narrator.done(release, action, world, clock.instant());
    });
  }

  /** EC2 refused an action: the refusal is recorded on that action, with its retry time. */
  private Next afterRefusal(Release release, ReleaseStatus recorded, Plan plan,
      PlanExecutor.Failed failed, Instant now) {
    narrator.refused(release, failed.failure());
    Failures.Refusal refusal = Failures.onFailure(release, failed.action(),
        failed.failure().code(), failed.failure().awsMessage(),
        failed.failure().retryable(), now);
    return new Next(StatusBuilder.afterFailure(release, recorded, refusal, plan.health(), now),
        Optional.of(untilAt(Instant.parse(refusal.error().retryAt))));
  }

  private void reportFleets(Release release, ReleaseStatus next) {
    metrics.fleets(key(release), size(next.activeFleet == null ? null
        : next.activeFleet.instanceIds), next.stagingFleet == null
        || next.stagingFleet.instances == null ? 0 : next.stagingFleet.instances.size(),
        size(next.previousFleet == null ? null : next.previousFleet.instanceIds));
  }

  /**
   * The Release's EC2 world with the latest results of its HTTP checks; empty while the
   * inventory waits for a refresh this Release needs.
   */
  private Optional<ObservedWorld> observe(Release release, Ec2Inventory inventory) {
    ReleaseSpec spec = release.getSpec();
    Optional<ObservedWorld> found = inventory.worldFor(release.getMetadata().getUid(),
        key(release), spec.primaryAddress() == null ? null : spec.primaryAddress().allocationId,
        otherAddresses(spec), addressSince(release));
    if (found.isEmpty()) {
      return found;
    }
    ObservedWorld world = found.get().withHttp(checks.results(found.get().instances().stream()
        .map(ManagedInstance::id).toList())).withMetrics(metricResults.results(key(release)))
        .withRequests(Requests.of(release));
    return Optional.of(release.isMarkedForDeletion() ? world
        : world.withTenancy(accounts.tenancyFor(release, inventory))
            .withLaunchTemplates(launchTemplates.lookUp(release, inventory.gateway())));
  }

  /**
   * Since when an address named by the spec should be visible to a poll: the Release's
   * creation, or now if the spec names another address than the one last seen.
   */
  private Instant addressSince(Release release) {
    String wanted = release.getSpec().primaryAddress() == null ? null
        : release.getSpec().primaryAddress().allocationId;
    ReleaseStatus status = release.getStatus();
    String seen = status == null || status.elasticIp == null ? null
        : status.elasticIp.allocationId;
    if (seen != null && !seen.equals(wanted)) {
      return clock.instant();
    }
    String created = release.getMetadata().getCreationTimestamp();
    // creationTimestamp has whole seconds: the Release may have been created up to 1 s later.
    return created == null ? clock.instant() : Instant.parse(created).plusSeconds(1);
  }

  /** The addresses a Release names besides its primary: other roles' and the preview. */
  static List<String> otherAddresses(ReleaseSpec spec) {
    List<String> ids = new java.util.ArrayList<>();
    spec.layout().stream().flatMap(r -> r.addresses().stream()).skip(1)
        .map(a -> a.allocationId).filter(java.util.Objects::nonNull).forEach(ids::add);
    if (spec.preview != null && spec.preview.allocationId != null) {
      ids.add(spec.preview.allocationId);
    }
    return ids;
  }

  private Duration untilAt(Instant at) {
    Duration d = Duration.between(clock.instant(), at);
    return d.isNegative() ? Duration.ZERO : d.plusMillis(50);
  }

  private static int size(List<String> ids) {
    return ids == null ? 0 : ids.size();
  }

  static String key(Release release) {
    return release.getMetadata().getNamespace() + "/" + release.getMetadata().getName();
  }
}
