package dev.cutover.bench;

import dev.cutover.api.Release;
import dev.cutover.gates.InstanceServers;
import dev.cutover.testworld.Ec2Proxy.Call;
import dev.cutover.testworld.Ec2World;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.ReleaseOps;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * How fast Cutover acts on what it observes, timed between two events outside the operator:
 * the gate (the last passing HTTP check, as the instance's own server received it) → the
 * switch; a spec change → the switch back; an instance terminated out of band → its
 * replacement launched. The instances' applications are real HTTP servers on the instances'
 * private addresses (a moto subnet of loopback addresses, see gates/InstanceServers).
 */
final class Latencies {

  static final String SECTION = "3. Latency of acting on what is observed";
  private static final int FLEET = 2;
  /** Said of every row: what else the operator has while these are timed. */
  private static final String BESIDE = "; the operator in the benchmark's JVM also keeps the "
      + "Live Releases of rows 2a–2b";

  private final Fixtures world;
  private final Report report;

  Latencies(Fixtures world, Report report) {
    this.world = world;
    this.report = report;
  }

  /** With the operator in this JVM that watches {@code ns}. */
  void run(Sizes sizes, String ns) {
    Ec2World.Network network = new Ec2World(world.ec2).loopbackNetwork(
        InstanceServers.VPC_CIDR, InstanceServers.CIDR);
    String eip = network.allocationId();
    try (InstanceServers servers = new InstanceServers(world.ec2)) {
      servers.useSubnet(network.subnetId());
      var check = InstanceServers.healthCheck(servers.port());
      world.create(ns, ReleaseBuilder.named("gate").version("1.0.0").fleetSize(FLEET)
          .network(network).previousFleetTTL("10m").verification(v -> {
            v.http = check;
            v.instanceStatusChecks = false;
          }));
      world.awaitLive(ns, "gate", "1.0.0");

      List<Duration> gateToSwitch = new ArrayList<>();
      String version = "1.0.0";
      for (int i = 0; i < sizes.samples(); i++) {
        String next = (i + 2) + ".0.0";
        Instant since = Instant.now();
        world.patch(ns, "gate", r -> r.getSpec().version = next);
        world.awaitLive(ns, "gate", next);
        Instant gate = lastPassingCheck(servers, next, check.successThreshold, since);
        Call moved = switchOf(eip, since);
        gateToSwitch.add(Duration.between(gate, moved.at()));
        version = next;
      }
      long gateMedian = Stats.medianMillis(gateToSwitch);
      report.add(SECTION, Row.judged("3a", "gate → switch",
          "a blue/green of a fleet of " + FLEET + " gated by HTTP checks only (every "
              + check.interval + ", " + check.successThreshold + " passes per instance; "
              + "instanceStatusChecks off): from the request that gave the last instance its "
              + check.successThreshold + "nd pass, as its server on the instance's loopback "
              + "address received it, to the AssociateAddress arrival at the proxy; median of "
              + gateToSwitch.size() + ", poll interval " + Fixtures.POLL.toSeconds() + " s"
              + BESIDE,
          "median " + gateMedian + " ms (" + Stats.millis(gateToSwitch) + ")", "median < 1 s",
          gateMedian < 1000));

      List<Duration> switchBack = new ArrayList<>();
      String retained = (sizes.samples()) + ".0.0";
      for (int i = 0; i < sizes.samples(); i++) {
        String to = i % 2 == 0 ? retained : version;
        Instant since = Instant.now();
        world.patch(ns, "gate", r -> r.getSpec().version = to);
        Call moved = awaitSwitch(eip, since);
        switchBack.add(Duration.between(since, moved.at()));
        world.awaitLive(ns, "gate", to);
      }
      long backMedian = Stats.medianMillis(switchBack);
      report.add(SECTION, Row.judged("3b", "spec change → switch back",
          "spec.version set back to the retained previous fleet's version (alternately, "
              + "fleet of " + FLEET + "): from the moment the benchmark sent the update to the "
              + "AssociateAddress arrival at the proxy; median of " + switchBack.size()
              + ", poll interval " + Fixtures.POLL.toSeconds() + " s" + BESIDE,
          "median " + backMedian + " ms (" + Stats.millis(switchBack) + ")", "median < 2 s",
          backMedian < 2000));

      List<Duration> drift = new ArrayList<>();
      java.util.Random phase = new java.util.Random(17);
      for (int i = 0; i < sizes.samples(); i++) {
        // At a seeded random point of the poll cycle, not right after the poll that showed
        // the fleet whole again (which would always wait a whole interval).
        Fixtures.hold(Duration.ofMillis(phase.nextInt((int) Fixtures.POLL.toMillis())));
        Release live = ReleaseOps.in(ns).get("gate");
        String serving = live.getStatus().activeFleet.version;
        String victim = live.getStatus().activeFleet.instanceIds.stream()
            .filter(id -> !id.equals(live.getStatus().activeFleet.primaryInstanceId))
            .findFirst().orElseThrow();
        world.ec2.terminateInstances(r -> r.instanceIds(victim));
        Instant terminated = Instant.now();
        Call replacement = org.awaitility.Awaitility.await().atMost(Fixtures.PATIENCE)
            .pollInterval(Duration.ofMillis(20))
            .until(() -> new CallLog(world.callsSince(terminated))
                .first("RunInstances", terminated, c -> true), java.util.Optional::isPresent)
            .orElseThrow();
        drift.add(Duration.between(terminated, replacement.at()));
        world.await(ns, "gate", r -> ReleaseOps.live(r, serving)
            && r.getStatus().activeFleet.instanceIds.size() == FLEET
            && !r.getStatus().activeFleet.instanceIds.contains(victim));
      }
      long driftMedian = Stats.medianMillis(drift);
      report.add(SECTION, Row.judged("3c", "instance terminated out of band → replacement "
              + "launched",
          "a non-primary instance of the Live fleet of " + FLEET + " terminated straight at "
              + "moto at a seeded random point of the poll cycle: from that TerminateInstances "
              + "answered to the replacement's RunInstances "
              + "arrival at the proxy; median of " + drift.size() + ", poll interval "
              + Fixtures.POLL.toSeconds() + " s (a termination is seen by the next poll)" + BESIDE,
          "median " + driftMedian + " ms (" + Stats.millis(drift) + ")",
          "median ≤ one poll interval (" + Fixtures.POLL.toMillis() + " ms)",
          driftMedian <= Fixtures.POLL.toMillis()));
    }
  }

  /**
   * When the gate passed: the latest, over the fleet's instances, of the request that gave each
   * its {@code threshold}-th pass (every server answers 200 here).
   */
  private static Instant lastPassingCheck(InstanceServers servers, String version, int threshold,
      Instant since) {
    Instant last = null;
    for (int slot = 0; slot < FLEET; slot++) {
      List<InstanceServers.Received> received = servers.received(version, slot).stream()
          .filter(r -> !r.at().isBefore(since))
          .sorted(Comparator.comparing(InstanceServers.Received::at)).toList();
      if (received.size() < threshold) {
        throw new IllegalStateException(version + "/" + slot + " was switched to after "
            + received.size() + " checks");
      }
      Instant passed = received.get(threshold - 1).at();
      last = last == null || passed.isAfter(last) ? passed : last;
    }
    return last;
  }

  private Call switchOf(String eip, Instant since) {
    return new CallLog(world.callsSince(since)).first("AssociateAddress", since,
            c -> eip.equals(c.param("AllocationId")) && c.applied())
        .orElseThrow(() -> new IllegalStateException("no AssociateAddress of " + eip));
  }

  private Call awaitSwitch(String eip, Instant since) {
    return org.awaitility.Awaitility.await().atMost(Fixtures.PATIENCE)
        .pollInterval(Duration.ofMillis(20)).ignoreExceptions()
        .until(() -> switchOf(eip, since), c -> true);
  }
}
