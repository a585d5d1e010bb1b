package dev.cutover;

import dev.cutover.act.Ec2Failure;
import dev.cutover.act.PlanExecutor;
import dev.cutover.api.Failure;
import dev.cutover.api.Release;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.decide.Action;
import dev.cutover.decide.Decider;
import dev.cutover.decide.FleetIds;
import dev.cutover.decide.Plan;
import dev.cutover.observe.Ec2Inventory;
import dev.cutover.observe.HttpChecker;
import dev.cutover.observe.ManagedInstance;
import dev.cutover.observe.ObservedWorld;
import dev.cutover.observe.ReleaseView;
import dev.cutover.status.EventRecorder;
import dev.cutover.status.StatusBuilder;
import io.fabric8.kubernetes.api.model.Condition;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.ResourceIDMapper;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.polling.PollingConfigurationBuilder;
import io.javaoperatorsdk.operator.processing.event.source.polling.PollingEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads like the pipeline it runs: observe (the shared EC2 inventory) → decide (the pure
 * policy) → act (the plan, through the gateway) → status (one builder, Events on transitions).
 */
public class ReleaseReconciler implements Reconciler<Release>, Cleaner<Release> {

  private static final Logger log = LoggerFactory.getLogger(ReleaseReconciler.class);
  /** After acting, look again soon: the write-through view already shows the result. */
  static final Duration AFTER_ACTING = Duration.ofSeconds(1);

  private final Ec2Inventory inventory;
  private final HttpChecker checker;
  private final PlanExecutor executor;
  private final EventRecorder events;
  private final CutoverMetrics metrics;
  private final Clock clock;
  private final Duration pollInterval;

  public ReleaseReconciler(Ec2Inventory inventory, HttpChecker checker, PlanExecutor executor,
      EventRecorder events, CutoverMetrics metrics, Clock clock, Duration pollInterval) {
    this.metrics = metrics;
    this.inventory = inventory;
    this.checker = checker;
    this.executor = executor;
    this.events = events;
    this.clock = clock;
    this.pollInterval = pollInterval;
  }

  @Override
  public List<EventSource<?, Release>> prepareEventSources(EventSourceContext<Release> context) {
    var polling = new PollingConfigurationBuilder<ReleaseView, String>(inventory::fetchViews,
        pollInterval).withName("ec2-inventory")
        .withResourceIDMapper(ResourceIDMapper.singleResourceResourceIDMapper()).build();
    return List.of(new PollingEventSource<>(ReleaseView.class, polling), checker);
  }

  @Override
  public UpdateControl<Release> reconcile(Release release, Context<Release> context) {
    long started = System.nanoTime();
    try {
      return reconcileTimed(release);
    } finally {
      metrics.reconciled(Duration.ofNanos(System.nanoTime() - started));
    }
  }

  private UpdateControl<Release> reconcileTimed(Release release) {
    ReleaseStatus before = release.getStatus();
    Plan plan = observeDecideAct(release);
    ReleaseStatus next = StatusBuilder.build(release, plan, clock.instant());
    announceTransition(release, before, next);
    metrics.fleets(key(release), size(next.activeFleet == null ? null
        : next.activeFleet.instanceIds), next.stagingFleet == null
        || next.stagingFleet.instances == null ? 0 : next.stagingFleet.instances.size(),
        size(next.previousFleet == null ? null : next.previousFleet.instanceIds));

    UpdateControl<Release> control;
    if (StatusBuilder.differs(before, next)) {
      release.setStatus(next);
      control = UpdateControl.patchStatus(release);
    } else {
      control = UpdateControl.noUpdate();
    }
    if (!plan.actions().isEmpty()) {
      return control.rescheduleAfter(AFTER_ACTING);
    }
    return plan.wakeAt().map(at -> control.rescheduleAfter(untilAt(at))).orElse(control);
  }

  @Override
  public DeleteControl cleanup(Release release, Context<Release> context) {
    Plan plan = observeDecideAct(release);
    checker.watch(key(release), List.of(), null);
    if (plan.deletionComplete()) {
      metrics.forget(key(release));
      events.normal(release, "Deleted", plan.health().message());
      return DeleteControl.defaultDelete();
    }
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(AFTER_ACTING);
  }

  /**
   * Retryable EC2 failures (throttling, 5xx, network) land here once JOSDK's retries with
   * backoff are used up: say so in the Reconciling condition instead of a log-only loop.
   */
  @Override
  public ErrorStatusUpdateControl<Release> updateErrorStatus(Release release,
      Context<Release> context, Exception e) {
    if (!(e instanceof Ec2Failure failure) || release.getStatus() == null) {
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
    Condition reconciling = StatusBuilder.find(release.getStatus(), StatusBuilder.RECONCILING);
    String message = "EC2 " + failure.operation() + " keeps failing (" + failure.code() + "): "
        + failure.awsMessage() + " Retrying with backoff.";
    if (reconciling == null || message.equals(reconciling.getMessage())) {
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
    reconciling.setStatus("True");
    reconciling.setReason(failure.code().replaceAll("[^A-Za-z0-9]", ""));
    reconciling.setMessage(message);
    return ErrorStatusUpdateControl.patchStatus(release);
  }

  private Plan observeDecideAct(Release release) {
    String uid = release.getMetadata().getUid();
    ObservedWorld world = observe(release);
    Instant now = clock.instant();
    Plan plan = Decider.decide(release, world, now);
    checker.watch(key(release), plan.checkTargets(), release.getSpec().verification.http);
    try {
      executor.execute(plan.actions(), world, uid,
          (action, took) -> announce(release, action, took, world));
      return plan;
    } catch (Ec2Failure failure) {
      if (failure.retryable()) {
        throw failure;
      }
      // Terminal: remember it so the policy stops (no hot retry loop) and cleans up.
      events.warning(release, failure.code(), failure.getMessage());
      recordFailure(release, failure, now);
      ObservedWorld afterFailureWorld = observe(release);
      Plan afterFailure = Decider.decide(release, afterFailureWorld, now);
      try {
        executor.execute(afterFailure.actions(), afterFailureWorld, uid,
            (action, took) -> announce(release, action, took, afterFailureWorld));
      } catch (Ec2Failure again) {
        log.warn("cleaning up after {} failed too: {}", failure.code(), again.getMessage());
      }
      return afterFailure;
    }
  }

  /** The Release's EC2 world with the latest results of its HTTP checks. */
  private ObservedWorld observe(Release release) {
    ObservedWorld world = inventory.worldFor(release.getMetadata().getUid(), key(release),
        release.getSpec().elasticIp.allocationId, addressSince(release));
    return world.withHttp(checker.results(world.instances().stream()
        .map(ManagedInstance::id).toList()));
  }

  /**
   * Since when an address named by the spec should be visible to a poll: the Release's
   * creation, or now if the spec names another address than the one last seen.
   */
  private Instant addressSince(Release release) {
    String wanted = release.getSpec().elasticIp.allocationId;
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

  private static void recordFailure(Release release, Ec2Failure failure, Instant now) {
    if (release.getStatus() == null) {
      release.setStatus(new ReleaseStatus());
    }
    Failure f = new Failure();
    f.fleetId = FleetIds.fleetId(release.getSpec().version, release.getSpec().template);
    f.version = release.getSpec().version;
    f.generation = release.getMetadata().getGeneration();
    f.reason = failure.code().replaceAll("[^A-Za-z0-9]", "");
    f.message = "EC2 " + failure.operation() + " refused (" + failure.code() + "): "
        + failure.awsMessage();
    f.at = now.toString();
    release.getStatus().lastFailure = f;
  }

  private void announce(Release release, Action action, Duration took, ObservedWorld world) {
    if (action instanceof Action.Associate associate) {
      metrics.switched(associate.reason(), took);
    }
    String message = action.describe();
    if (action instanceof Action.Associate associate && "Promoted".equals(associate.reason())) {
      message += switchDelay(associate, world);
    }
    events.normal(release, action.eventReason(), message);
  }

  /** How long the switch waited after the last HTTP check of the new fleet passed. */
  private String switchDelay(Action.Associate associate, ObservedWorld world) {
    String fleetId = world.instance(associate.instanceId()).map(ManagedInstance::fleetId)
        .orElse(null);
    return world.instances().stream().filter(i -> i.fleetId().equals(fleetId))
        .map(i -> world.http(i.id()).passedAt()).filter(java.util.Objects::nonNull)
        .max(java.util.Comparator.naturalOrder())
        .map(last -> " " + Duration.between(last, clock.instant()).toMillis()
            + " ms after the last check passed")
        .orElse("");
  }

  private void announceTransition(Release release, ReleaseStatus before, ReleaseStatus next) {
    if (before != null && before.phase == next.phase) {
      return;
    }
    Condition ready = StatusBuilder.find(next, StatusBuilder.READY);
    String message = "Phase " + (before == null || before.phase == null ? "(none)"
        : before.phase) + " -> " + next.phase + ": " + (ready == null ? "" : ready.getMessage());
    if (StatusBuilder.find(next, StatusBuilder.STALLED).getStatus().equals("True")) {
      events.warning(release, String.valueOf(next.phase), message);
    } else {
      events.normal(release, String.valueOf(next.phase), message);
    }
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
