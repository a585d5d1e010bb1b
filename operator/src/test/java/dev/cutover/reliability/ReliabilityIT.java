package dev.cutover.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cutover.api.ActionError;
import dev.cutover.api.Intent;
import dev.cutover.api.Release;
import dev.cutover.ec2.Tags;
import dev.cutover.testworld.Crds;
import dev.cutover.testworld.Ec2Proxy;
import dev.cutover.testworld.Ec2Proxy.Fault;
import dev.cutover.testworld.Ec2Proxy.Faults;
import dev.cutover.testworld.Ec2Proxy.Stage;
import dev.cutover.testworld.Ec2World;
import dev.cutover.testworld.ElasticIpSampler;
import dev.cutover.testworld.Namespaces;
import dev.cutover.testworld.OperatorProcess;
import dev.cutover.testworld.Operators;
import dev.cutover.testworld.Patience;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.ReleaseOps;
import dev.cutover.testworld.TestWorld;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Evidence that Cutover deserves production traffic: the packaged operator runs as its own
 * process and is SIGKILLed when a call reaches EC2, after EC2 applied it but before the answer
 * got back, and after the answer, at each step of the lifecycle and at random moments; EC2
 * throttles, fails, drops connections and loses the answers of calls it applied; a second
 * replica takes over from a killed leader. After every run the {@link Invariants} hold, and a
 * 50 ms probe of the Elastic IP's association never saw it unassociated or on an instance that
 * was not running. {@code make soak} raises the number of random kills
 * ({@code -Dcutover.reliability.randomKills}) and writes docs/RELIABILITY.md from the results
 * ({@code -Dcutover.reliability.writeDoc=true}).
 */
@ExtendWith(TestWorld.class)
@ExtendWith(ReliabilityReport.Outcomes.class)
class ReliabilityIT {

  /**
   * Random kills when {@code -Dcutover.reliability.randomKills} is not set ({@code make test}):
   * one, beside the nine scripted kill points, to keep the warm test run under 15 minutes;
   * {@code make soak} runs 50.
   */
  static final int DEFAULT_RANDOM_KILLS = 1;
  static final int RANDOM_KILLS = Integer.getInteger("cutover.reliability.randomKills",
      DEFAULT_RANDOM_KILLS);
  static final long SEED = Long.getLong("cutover.reliability.seed", 20261127L);
  static final String NAME = "shop";
  /** Random kills come this long after the version change, at most. */
  static final Duration RANDOM_KILL_WINDOW = Duration.ofSeconds(4);
  /** The retained fleet's TTL in the random-kill runs. */
  static final String RANDOM_KILL_TTL = "3s";
  /** The retained fleet's TTL where a scenario awaits its termination. */
  static final String SHORT_TTL = "2s";
  /** The EC2 operations every fault run must have performed, and faulted. */
  static final List<String> MUST_FAULT = List.of("RunInstances", "AssociateAddress",
      "TerminateInstances");
  static Ec2Proxy proxy;

  private final KubernetesClient client = TestWorld.client();
  private final Ec2World world = new Ec2World(TestWorld.ec2());
  private Ec2Client ec2;
  private String namespace;
  private ReleaseOps releases;
  private Ec2World.Network network;
  private List<String> foreign;
  private final List<OperatorProcess> processes = new ArrayList<>();
  private final List<String> unannounced = new CopyOnWriteArrayList<>();
  private volatile long killedAt;
  private ReliabilityReport.Run run;

  @BeforeAll
  static void proxy() {
    Crds.installReleaseCrd(TestWorld.client());
    proxy = new Ec2Proxy(TestWorld.moto().endpoint());
    FastStart.prepare(proxy);
  }

  @AfterAll
  static void stopProxyAndReport() {
    proxy.close();
    if (ReliabilityReport.WRITE_DOC) {
      Path doc = ReliabilityReport.write(TestWorld.client(), SEED);
      System.out.println("reliability: wrote " + doc);
    }
  }

  @BeforeEach
  void world(Ec2Client ec2, TestInfo info) {
    this.ec2 = ec2;
    proxy.reset();
    namespace = Namespaces.fresh("rel");
    releases = ReleaseOps.in(namespace);
    network = world.defaultNetwork();
    foreign = List.of(world.launchUntagged(), world.launchLookAlike(releases.key(NAME)));
    proxy.observe(this::checkAnnounced);
    run = ReliabilityReport.begin(info.getDisplayName());
    run.namespace = namespace;
  }

  // ------------------------------------------------------------------ kills at each step

  /**
   * @param endState what the test awaits after the restart, in words
   * @param servesThroughout false when the scenario ends production on purpose (deletion)
   */
  record KillPoint(String name, Stage stage, String endState, boolean servesThroughout,
      Scenario scenario) {
    @Override
    public String toString() {
      return name + ", " + stageLabel(stage);
    }
  }

  interface Scenario {
    void run(ReliabilityIT test, OperatorProcess operator, CountDownLatch killed) throws Exception;
  }

  static String stageLabel(Stage stage) {
    return switch (stage) {
      case ON_REQUEST -> "on request (never applied)";
      case AFTER_FORWARD -> "applied, answer lost";
      case AFTER_RESPONSE -> "after the answer";
    };
  }

  /** The first release: the kill comes at {@code stage} of its first {@code action}. */
  static KillPoint firstFleet(String name, String action, Stage stage) {
    return new KillPoint(name, stage, "1.0.0 Live", true, (t, op, killed) -> {
      t.armKill(action, stage, op, killed);
      t.create("1.0.0", r -> { });
      t.restartAfter(killed, op);
      t.awaitLive("1.0.0", r -> true);
    });
  }

  /** A blue/green from 1.0.0 to 2.0.0: the kill comes at {@code stage} of its next call. */
  static KillPoint newVersion(String name, String action, Stage stage) {
    return new KillPoint(name, stage, "2.0.0 Live, 1.0.0 retained", true, (t, op, killed) -> {
      t.liveAt("1.0.0");
      t.armKill(action, stage, op, killed);
      t.patch(r -> r.getSpec().version = "2.0.0");
      t.restartAfter(killed, op);
      t.awaitLive("2.0.0", r -> r.getStatus().previousFleet != null
          && "1.0.0".equals(r.getStatus().previousFleet.version));
    });
  }

  static Stream<KillPoint> killPoints() {
    return Stream.of(
        firstFleet("RunInstances of the first fleet", "RunInstances", Stage.AFTER_RESPONSE),
        newVersion("RunInstances of the new version", "RunInstances", Stage.ON_REQUEST),
        newVersion("RunInstances of the new version", "RunInstances", Stage.AFTER_FORWARD),
        newVersion("RunInstances of the new version", "RunInstances", Stage.AFTER_RESPONSE),
        newVersion("AssociateAddress of the switch", "AssociateAddress", Stage.ON_REQUEST),
        newVersion("AssociateAddress of the switch", "AssociateAddress", Stage.AFTER_FORWARD),
        newVersion("AssociateAddress of the switch", "AssociateAddress", Stage.AFTER_RESPONSE),
        new KillPoint("TerminateInstances of the retained fleet at its TTL (" + SHORT_TTL + ")",
            Stage.AFTER_RESPONSE, "2.0.0 Live, 1.0.0 terminated", true, (t, op, k) -> {
              t.liveAt("1.0.0");
              t.armKill("TerminateInstances", Stage.AFTER_RESPONSE, op, k);
              t.patch(r -> {
                r.getSpec().version = "2.0.0";
                r.getSpec().retention.previousFleetTTL = SHORT_TTL;
              });
              t.restartAfter(k, op);
              t.awaitLive("2.0.0", r -> r.getStatus().previousFleet == null);
            }),
        new KillPoint("TerminateInstances of the deletion", Stage.AFTER_RESPONSE,
            "Release gone", false, (t, op, k) -> {
              t.liveAt("1.0.0");
              t.armKill("TerminateInstances", Stage.AFTER_RESPONSE, op, k);
              t.releases.delete(NAME);
              t.restartAfter(k, op);
              t.releases.awaitGone(NAME, Patience.LONG);
            }));
  }

  @ParameterizedTest(name = "SIGKILL at {0}")
  @MethodSource("killPoints")
  void survivesAKillAtEachStep(KillPoint point, Ec2Client ec2) throws Exception {
    run.kind = ReliabilityReport.Kind.KILL;
    run.name = point.name();
    run.stage = stageLabel(point.stage());
    run.endState = point.endState();
    OperatorProcess operator = operator("solo", Map.of());
    CountDownLatch killed = new CountDownLatch(1);
    try (ElasticIpSampler probe = new ElasticIpSampler(ec2, network.allocationId())) {
      point.scenario().run(this, operator, killed);
      run.killToSettledMillis = sinceKill();
      assertThat(killed.getCount()).as("the kill happened").isZero();
      if (point.servesThroughout()) {
        probed(probe);
      }
    }
    checkInvariants();
    report("kill at " + point, 1);
  }

  /**
   * A system (web: 2 instances and 2 Elastic IPs; worker: 1) switching to 2.0.0 is killed when
   * its first AssociateAddress (the primary) is applied and the answer lost: the restarted
   * operator finishes the switch with one more call, for the second address, in its first
   * reconcile, and launches nothing.
   */
  @Test
  void finishesASystemSwitchCutShortBetweenItsAddressMoves(Ec2Client ec2) throws Exception {
    run.kind = ReliabilityReport.Kind.KILL;
    run.name = "AssociateAddress of the primary in a 2-address switch";
    run.stage = stageLabel(Stage.AFTER_FORWARD);
    run.endState = "2.0.0 Live, both addresses on it";
    String second = world.allocateAddress();
    OperatorProcess operator = operator("solo", Map.of());
    releases.create(ReleaseBuilder.named(NAME).version("1.0.0").network(network)
        .previousFleetTTL("10m").role("web", 2, network.allocationId(), second)
        .role("worker", 1).build());
    awaitLive("1.0.0", r -> true);
    try (ElasticIpSampler probe = new ElasticIpSampler(ec2, network.allocationId())) {
      CountDownLatch killed = new CountDownLatch(1);
      armKill("AssociateAddress", Stage.AFTER_FORWARD, operator, killed);
      patch(r -> r.getSpec().version = "2.0.0");
      restartAfter(killed, operator);
      Instant restarted = Instant.now();
      awaitLive("2.0.0", r -> r.getStatus().addresses != null && r.getStatus().addresses
          .stream().allMatch(a -> a.instanceId != null && "2.0.0".equals(a.version)));
      run.killToSettledMillis = sinceKill();
      List<Ec2Proxy.Call> after = proxy.log().stream()
          .filter(c -> c.applied() && !c.at().isBefore(restarted)
              && Ec2Proxy.MUTATING.contains(c.action())).toList();
      assertThat(after).extracting(Ec2Proxy.Call::action).as("after the restart")
          .containsExactly("AssociateAddress");
      String primaryOn = world.address(network.allocationId()).instanceId();
      String secondOn = world.address(second).instanceId();
      assertThat(secondOn).as("address 2 on its own web slot").isNotEqualTo(primaryOn);
      assertThat(Ec2World.tag(world.instance(secondOn), Tags.VERSION)).isEqualTo("2.0.0");
      assertThat(Ec2World.tag(world.instance(primaryOn), Tags.VERSION)).isEqualTo("2.0.0");
      probed(probe);
    }
    checkInvariants();
    report("kill between the address moves of a system switch", 1);
  }

  // ------------------------------------------------------------------ random kills

  static Stream<Integer> randomKills() {
    return IntStream.range(0, RANDOM_KILLS).boxed();
  }

  @ParameterizedTest(name = "random kill {0}")
  @MethodSource("randomKills")
  void survivesAKillAtARandomMoment(int iteration, Ec2Client ec2) throws Exception {
    run.kind = ReliabilityReport.Kind.RANDOM_KILL;
    run.name = "#" + iteration;
    run.endState = "2.0.0 Live, 1.0.0 terminated after its " + RANDOM_KILL_TTL + " TTL";
    Random random = new Random(SEED + iteration);
    OperatorProcess operator = operator("solo", Map.of());
    liveAt("1.0.0");
    try (ElasticIpSampler probe = new ElasticIpSampler(ec2, network.allocationId())) {
      patch(r -> {
        r.getSpec().version = "2.0.0";
        r.getSpec().retention.previousFleetTTL = RANDOM_KILL_TTL;
      });
      Instant changed = Instant.now();
      long delay = random.nextInt((int) RANDOM_KILL_WINDOW.toMillis());
      await().pollDelay(Duration.ofMillis(delay)).atMost(Duration.ofMillis(delay + 5000))
          .until(() -> true);
      operator.kill();
      killedAt = System.nanoTime();
      Instant kill = Instant.now();
      run.delayMillis = Duration.between(changed, kill).toMillis();
      run.appliedBeforeKill = proxy.log().stream()
          .filter(c -> c.applied() && Ec2Proxy.MUTATING.contains(c.action())
              && !c.at().isBefore(changed) && c.at().isBefore(kill))
          .map(Ec2Proxy.Call::action).distinct().toList();
      operator.start();
      awaitLive("2.0.0", r -> r.getStatus().previousFleet == null);
      run.killToSettledMillis = sinceKill();
      probed(probe);
    }
    checkInvariants();
    report("random kill " + run.delayMillis + " ms after the version change (applied before: "
        + run.appliedBeforeKill + ")", 1);
  }

  // ------------------------------------------------------------------ EC2 faults

  /**
   * Every mutating operation's first calls: applied with the answer lost, then three failures
   * before forwarding (the SDK's retries of that call, so the failure reaches the operator and
   * status.errors), then applied with a 500 in place of the answer; reads get a throttle and
   * a lost answer first. After the scripts, seeded rates for every call.
   */
  static Faults faults() {
    Faults faults = Faults.seeded(SEED)
        .withRate(Fault.THROTTLE, 0.08).withRate(Fault.INTERNAL_ERROR, 0.03)
        .withRate(Fault.RESET, 0.03).withRate(Fault.LOST_RESPONSE, 0.02)
        .withRate(Fault.INTERNAL_ERROR_AFTER, 0.02).withLatency(20);
    for (String op : new TreeSet<>(Ec2Proxy.MUTATING)) {
      faults = faults.failingFirst(op, Fault.LOST_RESPONSE, Fault.THROTTLE, Fault.INTERNAL_ERROR,
          Fault.RESET, Fault.INTERNAL_ERROR_AFTER);
    }
    for (String read : List.of("DescribeInstances", "DescribeAddresses",
        "DescribeInstanceStatus")) {
      faults = faults.failingFirst(read, Fault.THROTTLE, Fault.LOST_RESPONSE);
    }
    return faults;
  }

  /** Why the scripts look as they do (the figures come from {@link Faults#describe()}). */
  static final String FAULT_WHY = "after the first call of a mutating operation is applied and "
      + "its answer lost, the AWS SDK retries it (it makes up to 4 attempts) into the three "
      + "failures before forwarding, so the failure reaches the operator and status.errors; "
      + "the fifth call is applied and answered with a 500, which the SDK retries";

  @Test
  void completesABlueGreenWhileEc2ThrottlesFailsResetsAndLosesAnswers(Ec2Client ec2)
      throws Exception {
    run.kind = ReliabilityReport.Kind.FAULTS;
    run.name = "faults";
    run.endState = "1.0.0 Live; 2.0.0 Live with 1.0.0 retained; switch back to 1.0.0 with a "
        + SHORT_TTL + " TTL; the retained 2.0.0 fleet terminated";
    run.faultSetup = faults().describe() + ". Why: " + FAULT_WHY;
    OperatorProcess operator = operator("solo", Map.of());
    proxy.inject(faults());
    List<ActionError> errors;
    try (StatusTimeline timeline = new StatusTimeline(client, namespace, NAME)) {
      try (ElasticIpSampler probe = new ElasticIpSampler(ec2, network.allocationId())) {
        create("1.0.0", r -> { });
        awaitLive("1.0.0", r -> true);
        patch(r -> r.getSpec().version = "2.0.0");
        awaitLive("2.0.0", r -> r.getStatus().previousFleet != null
            && "1.0.0".equals(r.getStatus().previousFleet.version));
        patch(r -> {
          r.getSpec().version = "1.0.0";
          r.getSpec().retention.previousFleetTTL = SHORT_TTL;
        });
        awaitLive("1.0.0", r -> r.getStatus().history != null
            && !r.getStatus().history.isEmpty() && "SwitchedBack".equals(r.getStatus().history
                .get(r.getStatus().history.size() - 1).reason)
            && r.getStatus().previousFleet == null);
        probed(probe);
      } finally {
        run.lastErrors = timeline.lastErrorsByOperation();
        System.out.println("status timeline:\n" + timeline.render());
      }
      errors = timeline.lastErrors();
    }
    proxy.inject(Faults.NONE);
    Map<String, Map<String, Long>> injected = proxy.injectedByAction();
    Map<String, Long> calls = proxy.calls();
    System.out.println("faults: " + injected + " in " + calls);

    // What the faults reached, checked together with the invariants: one failure hides none.
    SoftAssertions coverage = new SoftAssertions();
    Set<String> performed = Ec2Proxy.MUTATING.stream()
        .filter(op -> calls.getOrDefault(op, 0L) > 0).collect(Collectors.toSet());
    coverage.assertThat(performed).as("mutating operations the scenario performed")
        .containsAll(MUST_FAULT);
    for (String op : performed) {
      Map<String, Long> byKind = injected.getOrDefault(op, Map.of());
      coverage.assertThat(byKind.getOrDefault(Fault.LOST_RESPONSE.label(), 0L))
          .as("%s was applied and its answer lost at least once (%s)", op, byKind).isPositive();
      coverage.assertThat(byKind.values().stream().mapToLong(Long::longValue).sum())
          .as("faults injected into %s", op).isPositive();
    }
    for (String op : MUST_FAULT) {
      coverage.assertThat(errors).as("status.errors recorded a failed %s with its code, "
          + "attempts and retry time (seen: %s)", op, run.lastErrors)
          .anySatisfy(e -> {
            assertThat(e.operation).isEqualTo(op);
            assertThat(e.code).isNotBlank();
            assertThat(e.attempts).isPositive();
            assertThat(e.retryAt).isNotBlank();
          });
    }
    try {
      checkInvariants();
    } catch (AssertionError e) {
      coverage.fail("invariants: " + e.getMessage());
    }
    coverage.assertAll();
    operator.kill();
  }

  // ------------------------------------------------------------------ HA

  @Test
  void aSecondReplicaTakesOverFromAKilledLeaderMidRollout(Ec2Client ec2) throws Exception {
    run.kind = ReliabilityReport.Kind.HA;
    run.name = "leader killed after the answer to its RunInstances of 2.0.0";
    run.endState = "2.0.0 Live";
    Map<String, String> election = Map.of("CUTOVER_LEADER_ELECTION", "true",
        "CUTOVER_LEASE_NAME", "cutover-" + namespace, "CUTOVER_LEASE_NAMESPACE", namespace);
    OperatorProcess a = operator("replica-a", election);
    OperatorProcess b = operator("replica-b", election);
    create("1.0.0", r -> { });
    awaitLive("1.0.0", r -> true);
    String leader = leaseHolder();
    OperatorProcess leading = leader.equals("replica-a") ? a : b;

    CountDownLatch killed = new CountDownLatch(1);
    armKill("RunInstances", Stage.AFTER_RESPONSE, leading, killed);
    try (ElasticIpSampler probe = new ElasticIpSampler(ec2, network.allocationId())) {
      patch(r -> r.getSpec().version = "2.0.0");
      assertThat(killed.await(Patience.PROCESS_START.toSeconds(), TimeUnit.SECONDS)).isTrue();
      await().atMost(Patience.LONG).until(() -> !leader.equals(leaseHolder()));
      run.killToLeaseMillis = sinceKill();
      awaitLive("2.0.0", r -> true);
      run.killToSettledMillis = sinceKill();
      probed(probe);
    }
    String newLeader = leaseHolder();
    System.out.println("HA: leader " + leader + " killed after RunInstances; " + newLeader
        + " held the Lease " + run.killToLeaseMillis + " ms and completed the rollout "
        + run.killToSettledMillis + " ms later");
    assertThat(newLeader).isNotEqualTo(leader);
    checkInvariants();
  }

  // ------------------------------------------------------------------ helpers

  /**
   * Ends what the test left: the operator processes, then the Releases, with their finalizer
   * removed (moto is reset before the next test), so no Release holds the CRD in Terminating
   * for the classes that follow.
   */
  @AfterEach
  void cleanUp() {
    proxy.inject(Faults.NONE);
    if (run != null) {
      run.ec2(proxy);
    }
    processes.forEach(OperatorProcess::kill);
    processes.clear();
    releases.removeAll();
  }

  /**
   * Before each AssociateAddress that moves the Elastic IP to another fleet reaches EC2, the
   * switch must be announced in status (intent Switch naming that fleet).
   */
  private void checkAnnounced(String action, Map<String, String> params) {
    if (!"AssociateAddress".equals(action) || params.get("InstanceId") == null) {
      return;
    }
    String target = params.get("InstanceId");
    var address = world.address(params.get("AllocationId"));
    String toFleet = fleetOf(target);
    String fromFleet = address.instanceId() == null || address.instanceId().isEmpty() ? null
        : fleetOf(address.instanceId());
    if (Objects.equals(toFleet, fromFleet)) {
      return;
    }
    Release r = releases.get(NAME);
    Intent intent = r == null || r.getStatus() == null ? null : r.getStatus().intent;
    if (intent == null || intent.kind != Intent.Kind.Switch
        || !Objects.equals(toFleet, intent.toFleet)) {
      unannounced.add("AssociateAddress " + target + " (fleet " + toFleet + ", from "
          + fromFleet + ") at " + Instant.now() + " found intent "
          + (intent == null ? "none" : Invariants.describe(intent)));
    }
  }

  private String fleetOf(String instanceId) {
    return Ec2World.tag(world.instance(instanceId), Tags.FLEET);
  }

  private void checkInvariants() {
    run.moves = Invariants.moves(world, proxy.log(), network.allocationId()).size();
    Invariants.check(world, client, namespace, foreign, network.allocationId(), proxy.log(),
        List.copyOf(unannounced));
  }

  private String leaseHolder() {
    Lease lease = client.resources(Lease.class).inNamespace(namespace)
        .withName("cutover-" + namespace).get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  private OperatorProcess operator(String name, Map<String, String> extra) {
    Map<String, String> env = Operators.settings(extra);
    env.put("CUTOVER_NAMESPACES", namespace);
    env.put("HOSTNAME", name);
    if (!FastStart.options().isEmpty()) {
      env.put("JAVA_TOOL_OPTIONS", FastStart.options());
    }
    OperatorProcess p = new OperatorProcess(TestWorld.kube(), proxy.endpoint(), env,
        Path.of("target", "reliability-" + namespace + "-" + name + ".log")).start();
    processes.add(p);
    return p;
  }

  void armKill(String action, Stage stage, OperatorProcess operator, CountDownLatch killed) {
    proxy.onNext(action, stage, a -> {
      operator.kill();
      killedAt = System.nanoTime();
      killed.countDown();
    });
  }

  private long sinceKill() {
    return (System.nanoTime() - killedAt) / 1_000_000;
  }

  void restartAfter(CountDownLatch killed, OperatorProcess operator) throws InterruptedException {
    assertThat(killed.await(Patience.PROCESS_START.toSeconds(), TimeUnit.SECONDS))
        .as("the kill point was reached").isTrue();
    operator.start();
  }

  void liveAt(String version) {
    create(version, r -> { });
    awaitLive(version, r -> true);
  }

  void create(String version, Consumer<Release> tweak) {
    releases.create(ReleaseBuilder.named(NAME).version(version).fleetSize(3).network(network)
        .previousFleetTTL("10m").with(tweak).build());
  }

  void patch(Consumer<Release> change) {
    releases.update(NAME, change);
  }

  void awaitLive(String version, Predicate<Release> also) {
    releases.await(NAME, r -> ReleaseOps.live(r, version) && also.test(r));
  }

  /**
   * Closes the probe and checks it: no violation, and at least half the samples its duration
   * allows at its period (errors are counted, not samples).
   */
  private void probed(ElasticIpSampler probe) {
    probe.close();
    run.probe(probe);
    System.out.println("probe: " + probe.samples() + " samples (" + probe.expected()
        + " expected in " + probe.millis() + " ms), " + probe.errors() + " errors "
        + probe.errorMessages() + ", " + probe.violations().size() + " violations");
    assertThat(probe.violations()).as("Elastic IP samples (%d)", probe.samples()).isEmpty();
    assertThat((long) probe.samples()).as("probe samples in %d ms at %d ms", probe.millis(),
        ElasticIpSampler.PERIOD_MILLIS).isGreaterThanOrEqualTo(probe.expected() / 2);
  }

  private static void report(String what, int count) {
    System.out.println("reliability: " + what + " x" + count + " survived");
  }
}
