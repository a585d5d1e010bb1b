package dev.cutover;

import dev.cutover.decide.SwitchReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cutover's own metrics, beside JOSDK's: EC2 calls by operation and outcome, switches and
 * rollbacks, how long a switch (one AssociateAddress) takes, and instances by fleet role.
 * In Prometheus: cutover_ec2_calls_total, cutover_switches_total, cutover_rollbacks_total,
 * cutover_switch_duration_seconds, cutover_instances, cutover_releases,
 * cutover_reconcile_duration_seconds (p50, p99), cutover_reconcile_phase_seconds (p50, p99 of
 * each phase of a reconcile: {@code data_wait}, {@code ec2_calls}, {@code api_server},
 * {@code work}).
 */
public final class CutoverMetrics {

  static final List<String> ROLES = List.of("active", "staging", "previous");

  private final MeterRegistry registry;
  private final Map<String, int[]> instancesByRelease = new ConcurrentHashMap<>();
  private final Timer reconciles;
  private final Timer dataWait;
  private final Timer ec2Calls;
  private final Timer apiServer;
  private final Timer work;

  public CutoverMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (int i = 0; i < ROLES.size(); i++) {
      int role = i;
      Gauge.builder("cutover.instances", instancesByRelease,
              m -> m.values().stream().mapToInt(counts -> counts[role]).sum())
          .description("Instances of all Releases by fleet role").tag("role", ROLES.get(i))
          .register(registry);
    }
    Gauge.builder("cutover.releases", instancesByRelease, Map::size)
        .description("Releases reconciled since the operator started").register(registry);
    reconciles = Timer.builder("cutover.reconcile.duration")
        .description("Time of one reconcile: observe, decide, act, status")
        .publishPercentiles(0.5, 0.99).register(registry);
    dataWait = phase(registry, "data_wait");
    ec2Calls = phase(registry, "ec2_calls");
    apiServer = phase(registry, "api_server");
    work = phase(registry, "work");
  }

  private static Timer phase(MeterRegistry registry, String phase) {
    return Timer.builder("cutover.reconcile.phase")
        .description("Time of one phase of a reconcile: data_wait (waiting for observations: "
            + "the EC2 inventory's snapshot, launch template and tenancy lookups), ec2_calls "
            + "(inside EC2's mutating calls), api_server (waiting for the API server: the "
            + "status recorded before acting, Events, the Release read again before each "
            + "mutating call), work (the rest: deciding, drain "
            + "and webhook calls)")
        .tag("phase", phase).publishPercentiles(0.5, 0.99).register(registry);
  }

  public void reconciled(Duration took) {
    reconciles.record(took);
  }

  /** Where one reconcile (or one pass of a deletion) spent its time. */
  public void reconcilePhases(Duration waitingForData, Duration inEc2Calls,
      Duration withApiServer, Duration rest) {
    dataWait.record(waitingForData);
    ec2Calls.record(inEc2Calls);
    apiServer.record(withApiServer);
    work.record(rest.isNegative() ? Duration.ZERO : rest);
  }

  /** Metrics nobody scrapes (tests, tools). */
  public static CutoverMetrics unscraped() {
    return new CutoverMetrics(new SimpleMeterRegistry());
  }


  public void ec2Call(String operation, String outcome) {
    Counter.builder("cutover.ec2.calls").description("EC2 API calls by operation and outcome")
        .tag("operation", operation).tag("outcome", outcome).register(registry).increment();
  }

  /** An Elastic IP move: Promoted, SwitchedBack, Reverted or Healed. */
  public void switched(SwitchReason reason, Duration took) {
    Counter.builder("cutover.switches").description("Elastic IP moves between fleets")
        .tag("reason", reason.name()).register(registry).increment();
    Timer.builder("cutover.switch.duration").description("Time of the AssociateAddress call")
        .register(registry).record(took);
    if (reason.isRollback()) {
      Counter.builder("cutover.rollbacks").description("Switches back to a retained fleet")
          .tag("reason", reason.name()).register(registry).increment();
    }
  }

  public void fleets(String releaseKey, int active, int staging, int previous) {
    instancesByRelease.put(releaseKey, new int[] {active, staging, previous});
  }

  public void forget(String releaseKey) {
    instancesByRelease.remove(releaseKey);
  }
}
