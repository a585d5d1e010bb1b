package dev.cutover.observe;

import dev.cutover.ec2.ManagedInstance;
import dev.cutover.api.HttpCheck;
import dev.cutover.api.Release;
import dev.cutover.api.Durations;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the HTTP smoke checks off the reconcile thread: each watched instance is probed every
 * interval with a per-request timeout (asynchronous requests, so a hanging endpoint holds no
 * thread). When an instance passes its threshold or starts failing, its Release is reconciled at
 * once (this is a JOSDK event source), so a switch does not wait for a timer.
 */
public class HttpChecker extends AbstractEventSource<HttpCheckResult, Release>
    implements CheckResults, AutoCloseable {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(
      HttpChecker.class);

  /** One instance's checks; {@code active} false stops it at its next turn. */
  private record Probe(String releaseKey, URI uri, HttpCheck check, AtomicBoolean active) {}

  private final CheckAddresses addresses;
  private final Clock clock;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
      r -> {
        Thread t = new Thread(r, "cutover-http-checks");
        t.setDaemon(true);
        return t;
      });
  private final Map<String, Probe> probes = new ConcurrentHashMap<>();
  private final Map<String, HttpCheckResult> results = new ConcurrentHashMap<>();
  /** Instances of a Release whose check cannot be run, with the reason as their result. */
  private final Map<String, Set<String>> unchecked = new HashMap<>();

  public HttpChecker(CheckAddresses addresses, Clock clock) {
    super(HttpCheckResult.class, "http-checks");
    this.addresses = addresses;
    this.clock = clock;
  }

  /**
   * Checks exactly these instances of a Release from now on (new ones start, others stop).
   * {@code check} null stops every check of the Release.
   */
  @Override
  public synchronized void watch(String releaseKey, List<ManagedInstance> instances,
      HttpCheck check) {
    Optional<String> problem = check == null ? Optional.empty() : check.problem();
    HttpCheck runnable = problem.isPresent() ? null : check;
    Set<String> wasUnrunnable = unchecked.remove(releaseKey);
    if (wasUnrunnable != null) {
      wasUnrunnable.forEach(results::remove);
    }
    Map<String, URI> wanted = new HashMap<>();
    if (runnable != null) {
      for (ManagedInstance i : instances) {
        addresses.uriFor(i, runnable).ifPresent(uri -> wanted.put(i.id(), uri));
      }
    }
    probes.entrySet().removeIf(e -> {
      Probe p = e.getValue();
      boolean keep = !p.releaseKey().equals(releaseKey)
          || p.uri().equals(wanted.get(e.getKey())) && p.check() != null
          && p.check().sameAs(runnable);
      if (!keep) {
        p.active().set(false);
        results.remove(e.getKey());
      }
      return !keep;
    });
    wanted.forEach((id, uri) -> {
      if (!probes.containsKey(id)) {
        Probe probe = new Probe(releaseKey, uri, runnable, new AtomicBoolean(true));
        results.put(id, HttpCheckResult.NOT_YET);
        probes.put(id, probe);
        start(id, probe);
      }
    });
    problem.ifPresent(p -> reportUnrunnable(releaseKey, instances, p, wasUnrunnable == null));
  }

  /**
   * A check that cannot be sent (stored before the CRD refused it) is never started: each
   * instance's result gives the reason instead, and counts neither as a success nor a failure.
   */
  private void reportUnrunnable(String releaseKey, List<ManagedInstance> instances,
      String problem, boolean firstTime) {
    if (firstTime) {
      log.warn("{}: HTTP checks not run: {}", releaseKey, problem);
    }
    Set<String> ids = new HashSet<>();
    for (ManagedInstance i : instances) {
      results.put(i.id(), HttpCheckResult.notRun(problem));
      ids.add(i.id());
    }
    unchecked.put(releaseKey, ids);
  }

  @Override
  public Map<String, HttpCheckResult> results(Collection<String> instanceIds) {
    Map<String, HttpCheckResult> found = new HashMap<>();
    instanceIds.forEach(id -> found.put(id, results.getOrDefault(id, HttpCheckResult.NOT_YET)));
    return found;
  }

  private void start(String instanceId, Probe probe) {
    HttpCheck check = probe.check();
    Duration interval = check.intervalLength();
    Duration timeout = check.timeoutLength();
    int expect = check.expectedStatus();
    int threshold = check.threshold();
    // One request in flight per instance: the next is scheduled when this one has an answer.
    Runnable[] once = new Runnable[1];
    once[0] = () -> {
      if (!probe.active().get()) {
        return;
      }
      HttpRequest request = HttpRequest.newBuilder(probe.uri()).timeout(timeout).GET().build();
      http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
          .handle((response, error) -> {
            String outcome;
            boolean ok;
            if (error != null) {
              Throwable cause = error.getCause() != null ? error.getCause() : error;
              ok = false;
              outcome = cause instanceof HttpTimeoutException
                  ? "timed out after " + Durations.format(timeout)
                  : "no answer: " + cause.getClass().getSimpleName();
            } else {
              ok = response.statusCode() == expect;
              outcome = "status " + response.statusCode();
            }
            record(instanceId, probe, ok, outcome, threshold);
            return null;
          })
          .whenComplete((x, y) -> {
            if (probe.active().get() && !scheduler.isShutdown()) {
              scheduler.schedule(once[0], interval.toMillis(), TimeUnit.MILLISECONDS);
            }
          });
    };
    scheduler.execute(once[0]);
  }

  private void record(String instanceId, Probe probe, boolean ok, String outcome,
      int threshold) {
    HttpCheckResult before = results.get(instanceId);
    if (before == null || probes.get(instanceId) != probe) {
      return;
    }
    HttpCheckResult after = ok
        ? new HttpCheckResult(before.consecutiveSuccesses() + 1, 0,
            before.consecutiveSuccesses() + 1 == threshold ? clock.instant() : before.passedAt(),
            outcome)
        : new HttpCheckResult(0, before.consecutiveFailures() + 1, null, outcome);
    results.put(instanceId, after);
    boolean changed = after.passed(threshold) != before.passed(threshold)
        || after.consecutiveFailures() == 1
        || after.failing(threshold) && !before.failing(threshold);
    if (changed && isRunning()) {
      getEventHandler().handleEvent(new Event(Ec2Inventory.resourceId(probe.releaseKey())));
    }
  }


  /** Results are read through {@link #results}; the events only wake the Release. */
  @Override
  public Set<HttpCheckResult> getSecondaryResources(Release primary) {
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
    probes.clear();
  }
}
