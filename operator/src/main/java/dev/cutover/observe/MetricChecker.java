package dev.cutover.observe;

import dev.cutover.api.MetricCheck;
import dev.cutover.api.Release;
import dev.cutover.ec2.Ec2Gateway;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the metric checks off the reconcile thread: each check of the measured target every
 * interval (the first at once). When a check passes for the first time or reaches its failure
 * limit, its Release is reconciled at once (this is a JOSDK event source), so a gate does not
 * wait for a timer.
 */
public class MetricChecker extends AbstractEventSource<MetricResult, Release>
    implements MetricResults, AutoCloseable {

  /** A Release's measurements of one target; {@code active} false stops them. */
  private record Watch(MetricTarget target, Ec2Gateway gateway, AtomicBoolean active,
      Map<String, MetricResult> results) {}

  private final Clock clock;
  private final MetricProviders providers;
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
    Thread t = new Thread(r, "cutover-metric-checks");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, Watch> watches = new ConcurrentHashMap<>();

  public MetricChecker(Clock clock) {
    super(MetricResult.class, "metric-checks");
    this.clock = clock;
    this.providers = new MetricProviders(clock);
  }

  @Override
  public synchronized void watch(String releaseKey, Optional<MetricTarget> target,
      Ec2Gateway gateway) {
    Watch current = watches.get(releaseKey);
    if (target.isEmpty() || target.get().checks() == null || target.get().checks().isEmpty()) {
      if (current != null) {
        current.active().set(false);
        watches.remove(releaseKey);
      }
      return;
    }
    if (current != null && current.target().signature().equals(target.get().signature())) {
      return;
    }
    if (current != null) {
      current.active().set(false);
    }
    Watch fresh = new Watch(target.get(), gateway, new AtomicBoolean(true),
        new ConcurrentHashMap<>());
    watches.put(releaseKey, fresh);
    target.get().checks().forEach(check -> schedule(releaseKey, fresh, check, 0));
  }

  @Override
  public MeasuredMetrics results(String releaseKey) {
    Watch w = watches.get(releaseKey);
    return w == null ? MeasuredMetrics.NONE
        : new MeasuredMetrics(w.target().signature(), new LinkedHashMap<>(w.results()));
  }

  private void schedule(String releaseKey, Watch watch, MetricCheck check, long delayMillis) {
    if (!watch.active().get() || scheduler.isShutdown()) {
      return;
    }
    scheduler.schedule(() -> {
      if (!watch.active().get()) {
        return;
      }
      measure(releaseKey, watch, check);
      schedule(releaseKey, watch, check, check.intervalLength().toMillis());
    }, delayMillis, TimeUnit.MILLISECONDS);
  }

  private void measure(String releaseKey, Watch watch, MetricCheck check) {
    MetricProviders.Measurement m = providers.measure(check, watch.target(), watch.gateway());
    MetricResult before = watch.results().getOrDefault(check.name, MetricResult.NOT_YET);
    MetricResult after;
    if (m.alarm() != null) {
      after = m.alarm() ? before.success(m.value(), clock.instant())
          : before.failure(m.value(), "alarm in ALARM", clock.instant());
    } else if (m.value() == null) {
      after = before.inconclusive(m.error(), clock.instant());
    } else if (MetricConditions.holds(check.successCondition, m.value())) {
      after = before.success(m.value(), clock.instant());
    } else {
      after = before.failure(m.value(), null, clock.instant());
    }
    if (!watch.active().get()) {
      return;
    }
    watch.results().put(check.name, after);
    boolean changed = after.passing(check) != before.passing(check)
        || after.failed(check) != before.failed(check);
    if (changed && isRunning()) {
      getEventHandler().handleEvent(new Event(Ec2Inventory.resourceId(releaseKey)));
    }
  }

  /** Results are read through {@link #results}; the events only wake the Release. */
  @Override
  public Set<MetricResult> getSecondaryResources(Release primary) {
    return Set.of();
  }

  @Override
  public void stop() {
    super.stop();
    close();
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    watches.clear();
    providers.close();
  }
}
