package dev.cutover.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cutover.CutoverOperator;
import dev.cutover.OperatorConfig;
import dev.cutover.ShardOwnership;
import dev.cutover.api.Promotion;
import dev.cutover.api.Release;
import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.ec2.Tags;
import dev.cutover.observe.CheckAddresses;
import dev.cutover.testworld.Crds;
import dev.cutover.testworld.Ec2Proxy;
import dev.cutover.testworld.Ec2World;
import dev.cutover.testworld.Namespaces;
import dev.cutover.testworld.Operators;
import dev.cutover.testworld.Patience;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.ReleaseOps;
import dev.cutover.testworld.TestWorld;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two operator shards on one API server and one moto: shard a reconciles the Releases labelled
 * {@code cutover.dev/shard=a}, shard b those labelled {@code =b}, in the same namespace, each
 * with its own Lease and its own EC2 endpoint (a proxy in front of moto that logs every call),
 * so every EC2 call is attributed to the shard that made it. Each runs the blue/greens and the
 * deletion of its own Releases only; a Release relabelled from a to b mid-release is handed
 * over with nothing launched, terminated or moved, and b finishes and later deletes it.
 */
@ExtendWith(TestWorld.class)
class ShardsIT {

  static final String LABEL = "cutover.dev/shard";
  static final String LEASES = "cutover-system";

  static String namespace;
  static Shard a;
  static Shard b;

  private final Ec2World ec2 = new Ec2World(TestWorld.ec2());
  /** Allocation id → the Release (namespace/name) whose spec names it. */
  private final Map<String, String> addressOf = new HashMap<>();
  private ReleaseOps releases;

  /** One shard: its operator and the proxy its EC2 calls go through. */
  record Shard(String name, Ec2Proxy proxy, CutoverOperator operator) implements AutoCloseable {

    static Shard start(String name) {
      Ec2Proxy proxy = new Ec2Proxy(TestWorld.moto().endpoint());
      OperatorConfig config = OperatorConfig.fromEnvironment(Operators.settings(Map.of(
          "CUTOVER_NAMESPACES", namespace,
          "CUTOVER_SHARD", name,
          "CUTOVER_RELEASE_SELECTOR", LABEL + "=" + name,
          "CUTOVER_LEADER_ELECTION", "true",
          "CUTOVER_LEASE_NAMESPACE", LEASES)));
      CutoverOperator operator = CutoverOperator.start(config, TestWorld.kube().newClient(),
          new Ec2Gateway(TestWorld.newEc2Client(proxy.endpoint())), Clock.systemUTC(),
          CheckAddresses.instanceIps(), Optional.of("pod-of-" + name), 0);
      return new Shard(name, proxy, operator);
    }

    /** The calls that changed something in EC2, from the {@code from}-th call of the log on. */
    List<Ec2Proxy.Call> mutations(int from) {
      List<Ec2Proxy.Call> log = proxy.log();
      return log.subList(Math.min(from, log.size()), log.size()).stream()
          .filter(c -> Ec2Proxy.MUTATING.contains(c.action()) && c.applied()).toList();
    }

    String instance() {
      return "cutover-operator-" + name;
    }

    @Override
    public void close() {
      operator.close();
      proxy.close();
    }
  }

  @BeforeAll
  static void twoShards() {
    Crds.installReleaseCrd(TestWorld.client());
    namespace = Namespaces.fresh("shards");
    Namespaces.create(LEASES);
    // Both start at once: each waits EC2's listing delay before its first launch.
    var startA = java.util.concurrent.CompletableFuture.supplyAsync(() -> Shard.start("a"));
    b = Shard.start("b");
    a = startA.join();
  }

  @AfterAll
  static void stopShards() {
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
  }

  @BeforeEach
  void releasesOfTheNamespace() {
    releases = ReleaseOps.in(namespace);
    a.proxy().reset();
    b.proxy().reset();
  }

  @Test
  void eachShardRunsTheBlueGreensAndDeletionOfItsOwnReleasesAndTouchesNothingElse()
      throws Exception {
    create("web-a", "a", r -> { });
    create("web-b", "b", r -> { });
    releases.awaitLive("web-a", "1.0.0");
    releases.awaitLive("web-b", "1.0.0");
    releases.update("web-a", r -> r.getSpec().version = "2.0.0");
    releases.update("web-b", r -> r.getSpec().version = "2.0.0");
    Release webA = releases.awaitLive("web-a", "2.0.0");
    Release webB = releases.awaitLive("web-b", "2.0.0");

    assertThat(webA.getStatus().shard.name).isEqualTo("a");
    assertThat(webB.getStatus().shard.name).isEqualTo("b");
    assertThat(webA.getStatus().shard.from).as("never handed over").isNull();
    assertThat(leaseHolder("cutover-operator-a")).isEqualTo("pod-of-a");
    assertThat(leaseHolder("cutover-operator-b")).isEqualTo("pod-of-b");
    assertThat(get(a.operator().port(), "/metrics")).contains(
        "cutover_ec2_calls_total{operation=\"RunInstances\",outcome=\"ok\",shard=\"a\"}");

    // EC2 reads: each shard polls the account on its own, whatever the other shard holds.
    // Counted over whole polls: from the end of one poll (its DescribeAddresses) to the end of
    // the fifth after it.
    Map<Shard, Integer> from = Map.of(a, a.proxy().log().size(), b, b.proxy().log().size());
    await().atMost(Patience.RECONCILE).until(() -> from.entrySet().stream().allMatch(e ->
        pollEnds(e.getKey(), e.getValue()).size() >= 6));
    for (Shard shard : List.of(a, b)) {
      List<Ec2Proxy.Call> log = shard.proxy().log();
      List<Integer> ends = pollEnds(shard, from.get(shard));
      List<Ec2Proxy.Call> polls = log.subList(ends.get(0) + 1, ends.get(5) + 1);
      Map<String, Long> reads = polls.stream().filter(c -> c.action().startsWith("Describe"))
          .collect(Collectors.groupingBy(Ec2Proxy.Call::action, java.util.TreeMap::new,
              Collectors.counting()));
      long total = reads.values().stream().mapToLong(Long::longValue).sum();
      System.out.printf("shard %s: 5 polls in %d ms (interval %d s), EC2 reads %s: %.2f "
              + "reads per poll%n", shard.name(), Duration.between(log.get(ends.get(0)).at(),
              log.get(ends.get(5)).at()).toMillis(), Operators.POLL.toSeconds(), reads,
          total / 5.0);
      assertThat(total / 5.0).as("reads per poll of shard %s", shard.name())
          .isLessThanOrEqualTo(3.0);
    }

    // Both deleted at once: each shard terminates its own Release's instances, and only those.
    Map<Shard, Set<String>> instances = Map.of(
        a, Set.copyOf(Ec2World.ids(ec2.aliveOfRelease(releases.key("web-a")))),
        b, Set.copyOf(Ec2World.ids(ec2.aliveOfRelease(releases.key("web-b")))));
    assertThat(instances.get(a)).hasSize(4);
    deleteAndAwaitGone("web-a", "web-b");
    for (Shard shard : List.of(a, b)) {
      String mine = releases.key("web-" + shard.name());
      List<Ec2Proxy.Call> calls = shard.mutations(0);
      assertThat(calls).extracting(Ec2Proxy.Call::action)
          .as("shard %s launched both fleets of its Release, switched and deleted it",
              shard.name())
          .contains("CreateTags", "RunInstances", "AssociateAddress", "TerminateInstances",
              "DeleteTags");
      assertThat(calls).allSatisfy(call -> assertThat(releasesTouched(call))
          .as("%s by shard %s", call.action(), shard.name()).containsOnly(mine));
      assertThat(calls.stream().filter(c -> c.action().equals("TerminateInstances"))
          .flatMap(c -> c.list("InstanceId").stream()).collect(Collectors.toSet()))
          .isEqualTo(instances.get(shard));
      assertThat(reportingInstances("web-" + shard.name())).containsExactly(shard.instance());
    }
  }

  @Test
  void aReleaseRelabelledFromAToBWhileALaunchesIsHandedOverUntouchedAndBFinishesIt() {
    // Two subnets: the launch of a new version is two RunInstances in one pass.
    List<String> subnets = TestWorld.ec2().describeSubnets().subnets().stream()
        .map(software.amazon.awssdk.services.ec2.model.Subnet::subnetId).limit(2).toList();
    create("moving", "a", r -> {
      r.getSpec().template.subnetIds = subnets;
      r.getSpec().promotion = new Promotion();
      r.getSpec().promotion.mode = Promotion.Mode.Manual;
      r.getSpec().promotion.approvedVersion = "1.0.0";
    });
    releases.awaitLive("moving", "1.0.0");
    String key = releases.key("moving");
    String production = eipHolder("moving");
    int fromA = a.proxy().log().size();
    int fromB = b.proxy().log().size();
    Set<String> eventsBefore = events("moving").stream().map(e -> e.getMetadata().getName())
        .collect(Collectors.toSet());

    // Shard a launches 2.0.0; while its first RunInstances is on its way to EC2 the Release is
    // relabelled to b and approved in one change. a's call completes; a must not make its
    // second, nor switch; b must do nothing before its takeover's grace has passed.
    java.util.concurrent.atomic.AtomicReference<Instant> relabelled =
        new java.util.concurrent.atomic.AtomicReference<>();
    a.proxy().observe((action, params) -> {
      if (action.equals("RunInstances") && relabelled.compareAndSet(null, Instant.now())) {
        releases.update("moving", r -> {
          r.getMetadata().getLabels().put(LABEL, "b");
          r.getSpec().promotion.approvedVersion = "2.0.0";
        });
      }
    });
    releases.update("moving", r -> r.getSpec().version = "2.0.0");
    Release taken = releases.await("moving", r -> r.getStatus().shard != null
        && "b".equals(r.getStatus().shard.name));
    assertThat(taken.getStatus().shard.from).isEqualTo("a");
    Instant actsAt = Instant.parse(taken.getStatus().shard.since).plus(ShardOwnership.GRACE);
    assertThat(taken.getMetadata().getFinalizers()).as("the finalizer stays: not deleted")
        .containsExactly("releases.cutover.dev/finalizer");
    assertThat(taken.getMetadata().getDeletionTimestamp()).isNull();

    // The handover: nothing more launched, nothing terminated or moved, until b may act.
    Duration handover = Duration.between(Instant.now(), actsAt).minusMillis(500);
    assertThat(handover).isGreaterThan(ShardOwnership.GRACE.minusSeconds(10));
    await().during(handover).atMost(handover.plusSeconds(5)).until(() ->
        a.mutations(fromA).size() == 1 && b.mutations(fromB).isEmpty()
            && ec2.aliveOfRelease(key).size() == 3 && production.equals(eipHolder("moving")));
    Ec2Proxy.Call inFlight = a.mutations(fromA).get(0);
    assertThat(inFlight.action()).isEqualTo("RunInstances");

    Release done = releases.awaitLive("moving", "2.0.0");
    assertThat(a.mutations(fromA)).as("shard a after the relabelling: its call in flight")
        .containsExactly(inFlight);
    List<Ec2Proxy.Call> byB = b.mutations(fromB);
    assertThat(byB).extracting(Ec2Proxy.Call::action)
        .as("b launches the slot a did not, and switches").containsExactly("RunInstances",
            "AssociateAddress");
    assertThat(byB).allSatisfy(call -> assertThat(call.at()).isAfterOrEqualTo(actsAt));
    assertThat(tagValue(byB.get(0), Tags.SLOT)).isNotEqualTo(tagValue(inFlight, Tags.SLOT));
    assertThat(ec2.alive(key, "2.0.0")).as("one instance per slot").hasSize(2);
    assertThat(ec2.aliveOfRelease(key)).as("nothing terminated").hasSize(4);
    assertThat(done.getStatus().previousFleet.version).isEqualTo("1.0.0");
    System.out.printf("handover a -> b: relabelled to switched by b in %d ms (grace %d s)%n",
        Duration.between(relabelled.get(), byB.get(1).at()).toMillis(),
        ShardOwnership.GRACE.toSeconds());

    List<Event> after = events("moving").stream()
        .filter(e -> !eventsBefore.contains(e.getMetadata().getName())).toList();
    assertThat(after).filteredOn(e -> a.instance().equals(e.getReportingInstance()))
        .extracting(Event::getReason).as("a narrates its call in flight, nothing more")
        .containsOnly("Launched");
    assertThat(after).filteredOn(e -> b.instance().equals(e.getReportingInstance()))
        .extracting(Event::getReason).contains("TakenOver", "Launched", "Promoted");
    assertThat(after).extracting(Event::getReason).doesNotContain("Deleted", "Terminated");

    // Its deletion is now shard b's alone.
    deleteAndAwaitGone("moving");
    assertThat(a.mutations(fromA)).as("shard a, relabelling to deletion")
        .containsExactly(inFlight);
    assertThat(b.mutations(fromB)).extracting(Ec2Proxy.Call::action)
        .contains("TerminateInstances", "DeleteTags");
    assertThat(events("moving").stream().filter(e -> "Deleted".equals(e.getReason())))
        .extracting(Event::getReportingInstance).containsExactly(b.instance());
  }

  // ------------------------------------------------------------------ helpers

  private void create(String name, String shard, Consumer<Release> change) {
    Ec2World.Network network = ec2.defaultNetwork();
    addressOf.put(network.allocationId(), releases.key(name));
    releases.create(ReleaseBuilder.named(name).version("1.0.0").fleetSize(2).network(network)
        .with(r -> r.getMetadata().setLabels(new HashMap<>(Map.of(LABEL, shard))))
        .with(change).build());
  }

  private void deleteAndAwaitGone(String... names) {
    for (String name : names) {
      releases.delete(name);
    }
    for (String name : names) {
      releases.awaitGone(name, Patience.RECONCILE);
    }
  }

  /** Which Releases (namespace/name) a mutating call acted on, as EC2's tags say. */
  private Set<String> releasesTouched(Ec2Proxy.Call call) {
    return switch (call.action()) {
      case "RunInstances" -> Set.of(tagValue(call, Tags.RELEASE));
      case "TerminateInstances" -> call.list("InstanceId").stream()
          .map(id -> Ec2World.tag(ec2.instance(id), Tags.RELEASE)).collect(Collectors.toSet());
      case "AssociateAddress" -> Set.copyOf(List.of(
          Ec2World.tag(ec2.instance(call.param("InstanceId")), Tags.RELEASE),
          addressOf.getOrDefault(call.param("AllocationId"), "(foreign)")));
      case "CreateTags", "DeleteTags" -> call.list("ResourceId").stream()
          .map(id -> addressOf.getOrDefault(id, "(foreign " + id + ")"))
          .collect(Collectors.toSet());
      default -> Set.of("(unexpected " + call.action() + ")");
    };
  }

  /** Positions in the shard's call log, from {@code from} on, of the last call of each poll. */
  private static List<Integer> pollEnds(Shard shard, int from) {
    List<Ec2Proxy.Call> log = shard.proxy().log();
    return java.util.stream.IntStream.range(from, log.size())
        .filter(i -> log.get(i).action().equals("DescribeAddresses")).boxed().toList();
  }

  private static String tagValue(Ec2Proxy.Call call, String key) {
    return call.params().entrySet().stream()
        .filter(e -> e.getKey().matches("TagSpecification\\.\\d+\\.Tag\\.\\d+\\.Key")
            && e.getValue().equals(key))
        .map(e -> call.param(e.getKey().replaceAll("Key$", "Value")))
        .findFirst().orElse("(untagged)");
  }

  private String eipHolder(String name) {
    return ec2.address(releases.get(name).getSpec().elasticIp.allocationId).instanceId();
  }

  private List<Event> events(String name) {
    return TestWorld.client().v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
  }

  private Set<String> reportingInstances(String name) {
    return events(name).stream().map(Event::getReportingInstance).collect(Collectors.toSet());
  }

  private static String leaseHolder(String name) {
    Lease lease = TestWorld.client().leases().inNamespace(LEASES).withName(name).get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  private static String get(int port, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }
}
