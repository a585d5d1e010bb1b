package dev.cutover.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cutover.Samples;
import dev.cutover.api.Phase;
import dev.cutover.api.Release;
import dev.cutover.api.Retention;
import dev.cutover.ec2.Tags;
import dev.cutover.status.StatusBuilder;
import dev.cutover.testworld.Crds;
import dev.cutover.testworld.Ec2Proxy;
import dev.cutover.testworld.OperatorProcess;
import dev.cutover.testworld.ReleaseOps;
import dev.cutover.testworld.TestWorld;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Evidence that Cutover deserves production traffic: the packaged operator runs as its own
 * process and is SIGKILLed at each step of the lifecycle and at random moments, EC2 answers with
 * throttling, errors, resets and latency, and a second replica takes over from a killed leader.
 * After every run the invariants hold, foreign instances are untouched, and a 50 ms probe of the
 * Elastic IP never saw it unassociated or on an instance that was not running.
 * {@code make soak} raises the number of random kills ({@code -Dcutover.reliability.randomKills}).
 */
@ExtendWith(TestWorld.class)
class ReliabilityIT {

  static final int RANDOM_KILLS = Integer.getInteger("cutover.reliability.randomKills", 3);
  static final long SEED = Long.getLong("cutover.reliability.seed", 20261127L);
  static final Duration PATIENCE = Duration.ofSeconds(90);
  static Ec2Proxy proxy;

  private final KubernetesClient client = TestWorld.client();
  private String namespace;
  private String allocationId;
  private String subnet;
  private List<String> foreign;
  private final List<OperatorProcess> processes = new ArrayList<>();

  @BeforeAll
  static void proxy() {
    Crds.installReleaseCrd(TestWorld.client());
    proxy = new Ec2Proxy(TestWorld.moto().endpoint());
  }

  @AfterAll
  static void stopProxy() {
    proxy.close();
  }

  @BeforeEach
  void world(Ec2Client ec2) {
    proxy.inject(Ec2Proxy.Faults.NONE);
    proxy.reset();
    namespace = "rel-" + Long.toHexString(System.nanoTime()).substring(6);
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
        .endMetadata().build()).serverSideApply();
    allocationId = ec2.allocateAddress(r -> r.domain("vpc")).allocationId();
    subnet = ec2.describeSubnets().subnets().get(0).subnetId();
    foreign = List.of(launchForeign(ec2, Map.of()), launchForeign(ec2, Map.of(
        Tags.MANAGED_BY, "cutover", Tags.RELEASE, namespace + "/shop",
        Tags.RELEASE_UID, "00000000-0000-0000-0000-000000000000", Tags.FLEET, "0123456789",
        Tags.VERSION, "1.0.0", Tags.SLOT, "0")));
  }

  // ------------------------------------------------------------------ kills at each step

  /** @param servesThroughout false when the scenario ends production on purpose (deletion) */
  record KillPoint(String name, String action, boolean servesThroughout, Scenario scenario) {
    @Override
    public String toString() {
      return name;
    }
  }

  interface Scenario {
    void run(ReliabilityIT test, OperatorProcess operator, CountDownLatch killed) throws Exception;
  }

  static Stream<KillPoint> killPoints() {
    return Stream.of(
        new KillPoint("after RunInstances of the first fleet", "RunInstances", true, (t, op, killed) -> {
          t.armKill("RunInstances", op, killed);
          t.create("1.0.0", r -> { });
          t.restartAfter(killed, op);
          t.awaitLive("1.0.0", r -> true);
        }),
        new KillPoint("after RunInstances of the new version", "RunInstances", true, (t, op, k) -> {
          t.liveAt("1.0.0", op);
          t.armKill("RunInstances", op, k);
          t.patch(r -> r.getSpec().version = "2.0.0");
          t.restartAfter(k, op);
          t.awaitLive("2.0.0", r -> "1.0.0".equals(r.getStatus().previousFleet.version));
        }),
        new KillPoint("right after AssociateAddress (the switch)", "AssociateAddress", true,
            (t, op, k) -> {
              t.liveAt("1.0.0", op);
              t.armKill("AssociateAddress", op, k);
              t.patch(r -> r.getSpec().version = "2.0.0");
              t.restartAfter(k, op);
              t.awaitLive("2.0.0", r -> r.getStatus().previousFleet != null
                  && "1.0.0".equals(r.getStatus().previousFleet.version));
            }),
        new KillPoint("during retained-fleet termination", "TerminateInstances", true, (t, op, k) -> {
          t.liveAt("1.0.0", op);
          t.armKill("TerminateInstances", op, k);
          t.patch(r -> {
            r.getSpec().version = "2.0.0";
            r.getSpec().retention.previousFleetTTL = "2s";
          });
          t.restartAfter(k, op);
          t.awaitLive("2.0.0", r -> r.getStatus().previousFleet == null);
        }),
        new KillPoint("during deletion", "TerminateInstances", false, (t, op, k) -> {
          t.liveAt("1.0.0", op);
          t.armKill("TerminateInstances", op, k);
          t.client.resources(Release.class).inNamespace(t.namespace).withName("shop").delete();
          t.restartAfter(k, op);
          await().atMost(PATIENCE).until(() -> t.release() == null);
        }));
  }

  @ParameterizedTest(name = "SIGKILL {0}")
  @MethodSource("killPoints")
  void survivesAKillAtEachStep(KillPoint point, Ec2Client ec2) throws Exception {
    OperatorProcess operator = operator("solo", Map.of());
    CountDownLatch killed = new CountDownLatch(1);
    try (ElasticIpSampler probe = new ElasticIpSampler(ec2, allocationId)) {
      point.scenario().run(this, operator, killed);
      assertThat(killed.getCount()).as("the kill happened").isZero();
      if (point.servesThroughout()) {
        assertThat(probe.violations()).as("Elastic IP samples (%d)", probe.samples()).isEmpty();
        probed(probe);
      }
    }
    Invariants.check(ec2, client, namespace, foreign, allocationId);
    report("kill " + point.name(), 1);
  }

  // ------------------------------------------------------------------ random kills

  static Stream<Integer> randomKills() {
    return IntStream.range(0, RANDOM_KILLS).boxed();
  }

  @ParameterizedTest(name = "random kill {0}")
  @MethodSource("randomKills")
  void survivesAKillAtARandomMoment(int iteration, Ec2Client ec2) throws Exception {
    Random random = new Random(SEED + iteration);
    long delay;
    OperatorProcess operator = operator("solo", Map.of());
    liveAt("1.0.0", operator);
    try (ElasticIpSampler probe = new ElasticIpSampler(ec2, allocationId)) {
      patch(r -> {
        r.getSpec().version = "2.0.0";
        r.getSpec().retention.previousFleetTTL = "3s";
      });
      delay = random.nextInt(4000);
      await().pollDelay(Duration.ofMillis(delay)).atMost(Duration.ofMillis(delay + 5000))
          .until(() -> true);
      operator.kill();
      operator.start();
      awaitLive("2.0.0", r -> r.getStatus().previousFleet == null);
      assertThat(probe.violations()).as("Elastic IP samples (%d)", probe.samples()).isEmpty();
      probed(probe);
    }
    Invariants.check(ec2, client, namespace, foreign, allocationId);
    report("random kill " + delay + " ms after the version change", 1);
  }

  // ------------------------------------------------------------------ EC2 faults

  @Test
  void completesABlueGreenWhileEc2ThrottlesFailsResetsAndLags(Ec2Client ec2) throws Exception {
    OperatorProcess operator = operator("solo", Map.of());
    proxy.inject(Ec2Proxy.Faults.of(SEED, 0.20, 0.05, 0.03, 30));
    try (ElasticIpSampler probe = new ElasticIpSampler(ec2, allocationId)) {
      create("1.0.0", r -> { });
      awaitLive("1.0.0", r -> true);
      patch(r -> r.getSpec().version = "2.0.0");
      awaitLive("2.0.0", r -> true);
      patch(r -> r.getSpec().version = "1.0.0");
      awaitLive("1.0.0", r -> "SwitchedBack".equals(r.getStatus().history
          .get(r.getStatus().history.size() - 1).reason));
      assertThat(probe.violations()).isEmpty();
      probed(probe);
    }
    Map<String, Long> injected = proxy.injected();
    long calls = proxy.calls().values().stream().mapToLong(Long::longValue).sum();
    System.out.println("faults: " + injected + " in " + calls + " EC2 calls; 3 switches done");
    assertThat(injected.values().stream().mapToLong(Long::longValue).sum()).isPositive();
    proxy.inject(Ec2Proxy.Faults.NONE);
    Invariants.check(ec2, client, namespace, foreign, allocationId);
    operator.kill();
  }

  // ------------------------------------------------------------------ HA

  @Test
  void aSecondReplicaTakesOverFromAKilledLeaderMidRollout(Ec2Client ec2) throws Exception {
    Map<String, String> election = Map.of("CUTOVER_LEADER_ELECTION", "true",
        "CUTOVER_LEASE_NAME", "cutover-" + namespace, "CUTOVER_LEASE_NAMESPACE", namespace);
    OperatorProcess a = operator("replica-a", election);
    OperatorProcess b = operator("replica-b", election);
    create("1.0.0", r -> { });
    awaitLive("1.0.0", r -> true);
    String leader = client.resources(Lease.class).inNamespace(namespace)
        .withName("cutover-" + namespace).get().getSpec().getHolderIdentity();
    OperatorProcess leading = leader.equals("replica-a") ? a : b;

    CountDownLatch killed = new CountDownLatch(1);
    armKill("RunInstances", leading, killed);
    long start;
    try (ElasticIpSampler probe = new ElasticIpSampler(ec2, allocationId)) {
      patch(r -> r.getSpec().version = "2.0.0");
      assertThat(killed.await(60, TimeUnit.SECONDS)).isTrue();
      start = System.nanoTime();
      awaitLive("2.0.0", r -> true);
      assertThat(probe.violations()).isEmpty();
      probed(probe);
    }
    long takeover = (System.nanoTime() - start) / 1_000_000;
    String newLeader = client.resources(Lease.class).inNamespace(namespace)
        .withName("cutover-" + namespace).get().getSpec().getHolderIdentity();
    System.out.println("HA: leader " + leader + " killed after RunInstances; " + newLeader
        + " completed the rollout " + takeover + " ms later");
    assertThat(newLeader).isNotEqualTo(leader);
    Invariants.check(ec2, client, namespace, foreign, allocationId);
  }

  // ------------------------------------------------------------------ helpers

  /**
   * Deletes what a test left while an operator still runs, so no Release keeps a finalizer that
   * nobody will remove (it would hold the CRD in Terminating for the classes that follow).
   */
  @org.junit.jupiter.api.AfterEach
  void cleanUp() {
    proxy.inject(Ec2Proxy.Faults.NONE);
    var releases = client.resources(Release.class).inNamespace(namespace);
    if (!releases.list().getItems().isEmpty()) {
      if (processes.stream().noneMatch(OperatorProcess::isAlive)) {
        operator("cleanup", Map.of());
      }
      releases.delete();
      await().atMost(PATIENCE).until(() -> releases.list().getItems().isEmpty());
    }
    processes.forEach(OperatorProcess::kill);
    processes.clear();
  }

  private OperatorProcess operator(String name, Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(extra);
    env.put("CUTOVER_POLL_INTERVAL", "1s");
    env.put("CUTOVER_NAMESPACES", namespace);
    env.put("HOSTNAME", name);
    OperatorProcess p = new OperatorProcess(TestWorld.kube(), proxy.endpoint(), env,
        Path.of("target", "reliability-" + namespace + "-" + name + ".log")).start();
    processes.add(p);
    return p;
  }

  void armKill(String action, OperatorProcess operator, CountDownLatch killed) {
    proxy.afterNextResponse(action, a -> {
      operator.kill();
      killed.countDown();
    });
  }

  void restartAfter(CountDownLatch killed, OperatorProcess operator) throws InterruptedException {
    assertThat(killed.await(60, TimeUnit.SECONDS)).as("the kill point was reached").isTrue();
    operator.start();
  }

  void liveAt(String version, OperatorProcess operator) {
    create(version, r -> { });
    awaitLive(version, r -> true);
  }

  void create(String version, Consumer<Release> tweak) {
    Release r = Samples.minimal("shop");
    r.getSpec().version = version;
    r.getSpec().fleetSize = 3;
    r.getSpec().template.subnetIds = List.of(subnet);
    r.getSpec().elasticIp.allocationId = allocationId;
    r.getSpec().retention = new Retention();
    r.getSpec().retention.previousFleetTTL = "10m";
    tweak.accept(r);
    client.resources(Release.class).inNamespace(namespace).resource(r).create();
  }

  Release release() {
    return client.resources(Release.class).inNamespace(namespace).withName("shop").get();
  }

  void patch(Consumer<Release> change) {
    ReleaseOps.update(client, namespace, "shop", change);
  }

  void awaitLive(String version, Predicate<Release> also) {
    ReleaseOps.await(client, namespace, "shop", r -> ReleaseOps.live(r, version) && also.test(r));
  }

  private static String launchForeign(Ec2Client ec2, Map<String, String> tags) {
    return ec2.runInstances(b -> {
      b.imageId("ami-0123456789abcdef0").minCount(1).maxCount(1);
      if (!tags.isEmpty()) {
        b.tagSpecifications(t -> t.resourceType("instance").tags(tags.entrySet().stream()
            .map(e -> software.amazon.awssdk.services.ec2.model.Tag.builder().key(e.getKey())
                .value(e.getValue()).build()).toList()));
      }
    }).instances().get(0).instanceId();
  }

  private static void probed(ElasticIpSampler probe) {
    System.out.println("probe: " + probe.samples() + " samples, " + probe.violations().size()
        + " violations");
  }

  private static void report(String what, int count) {
    System.out.println("reliability: " + what + " x" + count + " survived");
  }
}
