package dev.cutover.sim;

import dev.cutover.api.HttpCheck;
import dev.cutover.observe.CheckResults;
import dev.cutover.observe.HttpCheckResult;
import dev.cutover.ec2.ManagedInstance;
import dev.cutover.ec2.Tags;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;

/**
 * The HTTP smoke checks of one operator process, simulated: each watched instance is probed
 * from the moment it is watched, then every interval, like {@code HttpChecker}; a probe passes
 * when the instance runs (ground truth) and the scenario ({@link Health}) says its application
 * is healthy at that moment. Results are computed from the timeline, so a clock jump of hours
 * costs nothing. A crash of the operator is a new instance of this class (watches are lost);
 * the scenario survives.
 */
final class SimulatedChecks implements CheckResults {

  /** What the applications answer, by fleet or by instance, over time (the scenario). */
  static final class Health {
    private record Toggle(Instant at, String scope, boolean healthy) {}

    private final List<Toggle> toggles = new ArrayList<>();

    /** From {@code at} on, every instance of the fleet answers healthy (or not). */
    void fleet(String fleetId, boolean healthy, Instant at) {
      toggles.add(new Toggle(at, "fleet:" + fleetId, healthy));
    }

    /** From {@code at} on, this instance answers healthy (or not). */
    void instance(String instanceId, boolean healthy, Instant at) {
      toggles.add(new Toggle(at, "instance:" + instanceId, healthy));
    }

    boolean healthyAt(String instanceId, String fleetId, Instant at) {
      boolean healthy = true;
      for (Toggle t : toggles) {
        if (!t.at().isAfter(at) && applies(t, instanceId, fleetId)) {
          healthy = t.healthy();
        }
      }
      return healthy;
    }

    private static boolean applies(Toggle t, String instanceId, String fleetId) {
      return t.scope().equals("instance:" + instanceId) || t.scope().equals("fleet:" + fleetId);
    }

    void breakpoints(String instanceId, String fleetId, Collection<Instant> into) {
      for (Toggle t : toggles) {
        if (applies(t, instanceId, fleetId)) {
          into.add(t.at());
        }
      }
    }
  }

  private record Watch(String releaseKey, Instant since, HttpCheck check, Duration interval,
      int threshold) {}

  private final Health health;
  private final SimulatedEc2 ec2;
  private final SimClock clock;
  private final Map<String, Watch> watches = new HashMap<>();

  SimulatedChecks(Health health, SimulatedEc2 ec2, SimClock clock) {
    this.health = health;
    this.ec2 = ec2;
    this.clock = clock;
  }

  @Override
  public void watch(String releaseKey, List<ManagedInstance> instances, HttpCheck check) {
    Set<String> wanted = new HashSet<>();
    if (check != null) {
      for (ManagedInstance i : instances) {
        String ip = check.address == HttpCheck.Address.Public ? i.publicIp() : i.privateIp();
        if (ip != null && !ip.isBlank()) {
          wanted.add(i.id());
        }
      }
    }
    watches.entrySet().removeIf(e -> e.getValue().releaseKey().equals(releaseKey)
        && (!wanted.contains(e.getKey()) || e.getValue().check() == null
            || !e.getValue().check().sameAs(check)));
    for (String id : wanted) {
      watches.computeIfAbsent(id, k -> new Watch(releaseKey, clock.instant(), check,
          check.intervalLength(), check.threshold()));
    }
  }

  @Override
  public Map<String, HttpCheckResult> results(Collection<String> instanceIds) {
    Map<String, HttpCheckResult> found = new HashMap<>();
    for (String id : instanceIds) {
      Watch w = watches.get(id);
      found.put(id, w == null ? HttpCheckResult.NOT_YET : result(id, w));
    }
    return found;
  }

  /** Instances being checked now, for the story. */
  Set<String> watched() {
    return watches.keySet();
  }

  private HttpCheckResult result(String id, Watch w) {
    var instance = ec2.instance(id).orElse(null);
    if (instance == null) {
      return HttpCheckResult.NOT_YET;
    }
    Instant now = clock.instant();
    String fleet = instance.tag(Tags.FLEET);
    TreeSet<Instant> points = new TreeSet<>();
    points.add(w.since());
    health.breakpoints(id, fleet, points);
    instance.history().forEach(c -> points.add(c.at()));
    List<Instant> starts = new ArrayList<>(points.subSet(w.since(), true, now, false));
    long iv = w.interval().toMillis();
    long run = 0;
    Boolean runOutcome = null;
    long firstProbe = -1;
    for (int k = starts.size() - 1; k >= 0; k--) {
      Instant from = starts.get(k);
      Instant to = k + 1 < starts.size() ? starts.get(k + 1) : now;
      long a = Duration.between(w.since(), from).toMillis();
      long b = Duration.between(w.since(), to).toMillis();
      long jMin = ceilDiv(a, iv);
      long jMax = ceilDiv(b, iv) - 1;
      long probes = Math.max(0, jMax - jMin + 1);
      if (probes == 0) {
        continue;
      }
      boolean ok = health.healthyAt(id, fleet, from)
          && instance.stateAt(from) == InstanceStateName.RUNNING;
      if (runOutcome == null) {
        runOutcome = ok;
      } else if (runOutcome != ok) {
        break;
      }
      run += probes;
      firstProbe = jMin;
    }
    if (runOutcome == null) {
      return HttpCheckResult.NOT_YET;
    }
    if (runOutcome) {
      Instant passedAt = run >= w.threshold()
          ? w.since().plusMillis((firstProbe + w.threshold() - 1) * iv) : null;
      return new HttpCheckResult((int) Math.min(run, 1_000_000), 0, passedAt, "status 200");
    }
    String last = instance.state() == InstanceStateName.RUNNING ? "status 500"
        : "no answer: ConnectException";
    return new HttpCheckResult(0, (int) Math.min(run, 1_000_000), null, last);
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }

}
