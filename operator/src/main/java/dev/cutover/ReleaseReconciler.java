package dev.cutover;

import dev.cutover.api.Release;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.observe.HttpChecker;
import dev.cutover.observe.ReleaseView;
import dev.cutover.status.Narrator;
import dev.cutover.status.ReleaseEvents;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.ResourceIDMapper;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;
import io.javaoperatorsdk.operator.processing.event.source.polling.PollingConfigurationBuilder;
import io.javaoperatorsdk.operator.processing.event.source.polling.PollingEventSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JOSDK side of a reconcile, and nothing more: it runs one {@link ReleasePass}
 * (observe → decide → act → status) and turns its result into a status patch and a time to
 * look again. Besides spec changes, a change of the abort or retry annotation starts a
 * reconcile ({@link ReleaseUpdates}).
 */
@ControllerConfiguration(generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = ReleaseUpdates.class))
public class ReleaseReconciler implements Reconciler<Release>, Cleaner<Release> {

  private static final Logger log = LoggerFactory.getLogger(ReleaseReconciler.class);

  private final Supplier<Map<ResourceID, Set<ReleaseView>>> poll;
  private final HttpChecker checker;
  private final ReleasePass pass;
  private final ReleaseEvents events;
  private final CutoverMetrics metrics;
  private final Duration pollInterval;
  /**
   * More event sources started and stopped with the controller (refreshes of EC2 that Releases
   * waited for, the AwsAccount checks, the metric checks).
   */
  private final List<EventSource<?, Release>> others;
  /** Which Releases are this operator's: its shard and its label selector, if any. */
  private volatile ShardOwnership ownership = ShardOwnership.unsharded();
  private volatile Optional<ReleaseSelector> selector = Optional.empty();

  /**
   * @param poll one poll of every account and region a Release uses (JOSDK's polling event
   *     source calls it every {@code pollInterval})
   */
  public ReleaseReconciler(Supplier<Map<ResourceID, Set<ReleaseView>>> poll,
      HttpChecker checker, ReleasePass pass, ReleaseEvents events, CutoverMetrics metrics,
      Duration pollInterval, List<EventSource<?, Release>> others) {
    this.poll = poll;
    this.others = List.copyOf(others);
    this.checker = checker;
    this.pass = pass;
    this.events = events;
    this.metrics = metrics;
    this.pollInterval = pollInterval;
  }

  /**
   * Reconciles as the shard {@code shard}, whose informer selects Releases by {@code selector}
   * (the controller's label selector must be the same): see {@link ShardOwnership}.
   */
  public ReleaseReconciler asShard(ShardOwnership shard, Optional<ReleaseSelector> selector) {
    this.ownership = shard;
    this.selector = selector;
    pass.asShard(shard);
    return this;
  }

  @Override
  public List<EventSource<?, Release>> prepareEventSources(EventSourceContext<Release> context) {
    // EC2 shows every shard's instances: only the views of Releases this operator reconciles
    // (those in its informer's cache) become events and are kept.
    var cache = context.getPrimaryCache();
    var polling = new PollingConfigurationBuilder<ReleaseView, String>(
        () -> onlyCached(poll.get(), cache), pollInterval).withName("ec2-inventory")
        .withResourceIDMapper(ResourceIDMapper.singleResourceResourceIDMapper()).build();
    List<EventSource<?, Release>> sources = new java.util.ArrayList<>();
    sources.add(new PollingEventSource<>(ReleaseView.class, polling));
    sources.add(checker);
    sources.add(new Departures());
    sources.addAll(others);
    return sources;
  }

  private static Map<ResourceID, Set<ReleaseView>> onlyCached(
      Map<ResourceID, Set<ReleaseView>> views,
      IndexerResourceCache<Release> cache) {
    Map<ResourceID, Set<ReleaseView>> kept = new java.util.HashMap<>();
    views.forEach((id, view) -> {
      if (cache.get(id).isPresent()) {
        kept.put(id, view);
      }
    });
    return kept;
  }

  /**
   * Told when a Release leaves the informer's view: deleted (after its finalizer went), or no
   * longer selected (relabelled to another shard). Either way this operator only stops its checks
   * and forgets it; nothing of a deletion runs, as the Release may live on in another shard.
   */
  private final class Departures extends AbstractEventSource<Release, Release>
      implements ResourceEventAware<Release> {

    Departures() {
      super(Release.class, "departures");
    }

    @Override
    public Set<Release> getSecondaryResources(Release primary) {
      return Set.of();
    }

    @Override
    public void onResourceDeleted(Release release) {
      pass.left(release);
      metrics.forget(ReleasePass.key(release));
    }
  }

  /**
   * Whether this operator may still act on the Release: read again from the API server (not the
   * informer, which may lag), it exists with the same uid, its labels match this shard's
   * selector, and no other shard recorded itself as the one acting on it. Asked before each
   * EC2 call that changes something; when the API server cannot answer, the answer is no.
   */
  private boolean stillHeld(Release release, Context<Release> context) {
    try {
      Release now = context.getClient().resources(Release.class)
          .inNamespace(release.getMetadata().getNamespace())
          .withName(release.getMetadata().getName()).get();
      return now != null && now.getMetadata().getUid().equals(release.getMetadata().getUid())
          && selector.map(s -> s.matches(now.getMetadata().getLabels())).orElse(true)
          && ownership.holds(now.getStatus());
    } catch (KubernetesClientException e) {
      log.warn("{}: cannot read it before acting, so not acting: {}", ReleasePass.key(release),
          e.getMessage());
      return false;
    }
  }

  @Override
  public UpdateControl<Release> reconcile(Release release, Context<Release> context) {
    long started = System.nanoTime();
    try {
      ReleasePass.Result result = pass.run(release, statusWriter(context),
          () -> stillHeld(release, context));
      UpdateControl<Release> control = UpdateControl.noUpdate();
      if (result.changed()) {
        release.setStatus(result.status());
        control = UpdateControl.patchStatus(release);
      }
      return result.lookAgainIn().map(control::rescheduleAfter).orElse(control);
    } finally {
      metrics.reconciled(Duration.ofNanos(System.nanoTime() - started));
    }
  }

  @Override
  public DeleteControl cleanup(Release release, Context<Release> context) {
    ReleasePass.Result result = pass.run(release, statusWriter(context),
        () -> stillHeld(release, context));
    if (result.deletionComplete()) {
      checker.watch(ReleasePass.key(release), List.of(), null);
      pass.forget(release);
      metrics.forget(ReleasePass.key(release));
      new Narrator(events).deleted(release);
      return DeleteControl.defaultDelete();
    }
    if (result.changed()) {
      statusWriter(context).write(release, result.status());
    }
    return DeleteControl.noFinalizerRemoval()
        .rescheduleAfter(result.lookAgainIn().orElse(ReleasePass.AFTER_ACTING));
  }

  /**
   * Writes status at once, the way JOSDK writes it at the end of a reconcile (server-side apply
   * of the status subresource by the same field manager), so the later write replaces it whole.
   */
  private static ReleasePass.StatusWriter statusWriter(Context<Release> context) {
    return (release, status) -> {
      String fieldManager = context.getControllerConfiguration().fieldManager();
      Release patch = new Release();
      // Conditional on the version this pass read: a status written from a stale read (the
      // informer had not yet seen the last write) is refused instead of overwriting newer facts.
      patch.setMetadata(new ObjectMetaBuilder().withName(release.getMetadata().getName())
          .withNamespace(release.getMetadata().getNamespace())
          .withResourceVersion(release.getMetadata().getResourceVersion()).build());
      patch.setStatus(status);
      Release written = context.getClient().resource(patch).subresource("status")
          .patch(new PatchContext.Builder().withFieldManager(fieldManager).withForce(true)
              .withPatchType(PatchType.SERVER_SIDE_APPLY).build());
      // The status written at the end of this reconcile is conditional on the resource
      // version it was read at: it builds on this write, so it must not conflict with it.
      release.getMetadata().setResourceVersion(written.getMetadata().getResourceVersion());
    };
  }
}
