package dev.cutover.bench;

import dev.cutover.CutoverOperator;
import dev.cutover.api.Release;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.ReleaseOps;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Mutating EC2 calls of one blue/green (launch, verify, switch, the previous fleet terminated at
 * its TTL), counted on the wire per Release, each against the formula the design gives. The
 * blue/greens run side by side under one operator: each call is attributed to its Release (by
 * the Release tag of a RunInstances, the Elastic IP of an AssociateAddress, the instances of a
 * TerminateInstances), so running them together changes no count.
 */
final class MutatingCalls {

  static final String SECTION = "1. Mutating EC2 calls per blue/green";
  private static final String METHOD = "Release Live at 1.0.0, then spec.version → 2.0.0; every "
      + "mutating call from that patch until 2.0.0 is Live and the previous fleet is gone "
      + "(TTL 3 s), counted at the proxy in front of moto and attributed to the Release; one "
      + "blue/green";

  /** One blue/green to count, and what the design says it costs. */
  private record Case(String id, String what, ReleaseBuilder release, Set<String> addresses,
      long runInstances, String formula) {}

  private final Fixtures world;
  private final Report report;

  MutatingCalls(Fixtures world, Report report) {
    this.world = world;
    this.report = report;
  }

  void run(Sizes sizes) {
    world.resetMoto();
    String ns = world.namespace();
    List<Case> cases = new ArrayList<>();
    int n = 0;
    for (int size : sizes.fleets()) {
      String eip = world.allocate();
      cases.add(new Case("1" + (char) ('a' + n++), "fleet of " + size + ", one subnet",
          world.release("bg" + size, "1.0.0", size, eip), Set.of(eip), 1,
          "roles × subnets RunInstances + addresses AssociateAddress + 1 TerminateInstances"
              + " = 1 + 1 + 1 = 3"));
    }
    int spread = 10;
    String eip = world.allocate();
    List<String> three = world.subnets(3);
    cases.add(new Case("1" + (char) ('a' + n++), "fleet of " + spread + " across 3 subnets",
        world.release("subnets", "1.0.0", spread, eip).with(r ->
            r.getSpec().template.subnetIds = three), Set.of(eip), 3,
        "roles × subnets + addresses + 1 = 1 × 3 + 1 + 1 = 5"));
    eip = world.allocate();
    cases.add(new Case("1" + (char) ('a' + n++), "fleet of " + spread + ", userData naming "
        + "${SLOT}", world.release("slots", "1.0.0", spread, eip).with(r ->
            r.getSpec().template.userData = "#!/bin/sh\necho slot ${SLOT} of ${VERSION}\n"),
        Set.of(eip), spread, "one RunInstances per slot (each its own userData) + addresses + 1"
            + " = " + spread + " + 1 + 1 = " + (spread + 2)));
    String web1 = world.allocate();
    String web2 = world.allocate();
    cases.add(new Case("1" + (char) ('a' + n), "system of 3 roles (web 2 instances + 2 "
        + "Elastic IPs, api 3, worker 2), one subnet",
        ReleaseBuilder.named("system").version("1.0.0").subnet(world.subnet())
            .previousFleetTTL("10m").role("web", 2, web1, web2).role("api", 3).role("worker", 2),
        Set.of(web1, web2), 3, "roles × subnets + addresses + 1 = 3 + 2 + 1 = 6"));

    int skewAddresses = 5;
    List<String> skewIds = world.allocate(skewAddresses);
    ReleaseBuilder skew = ReleaseBuilder.named("skew").version("1.0.0").subnet(world.subnet())
        .previousFleetTTL("10m").role("web", skewAddresses, skewIds.toArray(String[]::new));

    try (CutoverOperator operator = world.operator(ns)) {
      world.create(ns, skew);
      cases.forEach(c -> world.create(ns, c.release()));
      world.awaitLive(ns, "skew", "1.0.0");
      cases.forEach(c -> world.awaitLive(ns, name(c), "1.0.0"));
      Instant since = Instant.now();
      for (Case c : cases) {
        world.patch(ns, name(c), r -> {
          r.getSpec().version = "2.0.0";
          r.getSpec().retention.previousFleetTTL = "3s";
        });
      }
      for (Case c : cases) {
        world.await(ns, name(c), r -> ReleaseOps.live(r, "2.0.0")
            && r.getStatus().previousFleet == null);
      }
      // The whole log: a TerminateInstances names instances launched before the patch.
      CallLog log = new CallLog(world.proxy.log());
      for (Case c : cases) {
        Map<String, Long> calls = log.mutatingOf(ns + "/" + name(c), c.addresses(), since);
        long expected = c.runInstances() + c.addresses().size() + 1;
        boolean exact = CallLog.total(calls) == expected
            && calls.getOrDefault("RunInstances", 0L) == c.runInstances()
            && calls.getOrDefault("AssociateAddress", 0L) == c.addresses().size()
            && calls.getOrDefault("TerminateInstances", 0L) == 1;
        report.add(SECTION, Row.judged(c.id(), c.what(), METHOD, CallLog.total(calls) + " ("
            + CallLog.detail(calls) + ")", c.formula(), exact));
      }
      // Alone, once the blue/greens are done: the skew is the operator's, not contention's.
      Instant switching = Instant.now();
      world.patch(ns, "skew", r -> r.getSpec().version = "2.0.0");
      world.awaitLive(ns, "skew", "2.0.0");
      addressMoveSkew("1" + (char) ('a' + n + 1), skewIds, switching);
    }
  }

  /**
   * The switch of one role holding n Elastic IPs (n instances): the time between the first and
   * the last AssociateAddress of the switch, as the proxy received them.
   */
  private void addressMoveSkew(String id, List<String> ids, Instant since) {
    List<Instant> moves = world.callsSince(since).stream()
        .filter(c -> c.action().equals("AssociateAddress") && c.applied()
            && ids.contains(c.param("AllocationId")))
        .map(c -> c.at()).sorted().toList();
    long skew = moves.isEmpty() ? -1
        : Duration.between(moves.get(0), moves.get(moves.size() - 1)).toMillis();
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < moves.size(); i++) {
      gaps.add(Duration.between(moves.get(i - 1), moves.get(i)).toMillis());
    }
    String load;
    try {
      load = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg"))
          .split(" ")[0];
    } catch (java.io.IOException e) {
      load = "unknown";
    }
    report.add(SECTION, Row.judged(id, "switch of one role with " + ids.size() + " Elastic "
            + "IPs: skew between its first and last AssociateAddress",
        "spec.version → 2.0.0 of a Live role of " + ids.size() + " instances, each slot behind "
            + "its own Elastic IP, after the blue/greens above (same operator); arrival of the "
            + "first and of "
            + "the last AssociateAddress of the switch at the proxy; one switch",
        skew + " ms (" + moves.size() + " AssociateAddress; gaps between arrivals " + gaps
            + " ms)", "< 1 s", moves.size() == ids.size() && skew >= 0 && skew < 1000)
        .because("the gaps between consecutive AssociateAddress arrivals were " + gaps
            + " ms; load average " + load + " on "
            + Runtime.getRuntime().availableProcessors() + " cores right after"));
  }

  private static String name(Case c) {
    Release r = c.release().build();
    return r.getMetadata().getName();
  }
}
