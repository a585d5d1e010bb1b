package dev.cutover.bench;

import dev.cutover.CutoverOperator;
import dev.cutover.OperatorConfig;
import dev.cutover.api.Release;
import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.observe.CheckAddresses;
import dev.cutover.testworld.Crds;
import dev.cutover.testworld.Ec2Proxy;
import dev.cutover.testworld.Namespaces;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.ReleaseOps;
import dev.cutover.testworld.TestWorld;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The world every case runs in: the real kube-apiserver + etcd and moto of the test world, a
 * counting proxy between the operator and moto (calls are counted on the wire), and what the
 * cases do with them: namespaces, Elastic IPs, Releases, an operator in this JVM.
 */
final class Fixtures implements AutoCloseable {

  /** The operators' poll interval in every case. */
  static final Duration POLL = Duration.ofSeconds(2);
  static final Duration PATIENCE = Duration.ofMinutes(3);

  final KubernetesClient client = TestWorld.client();
  /** Straight to moto: what the benchmark itself does is not counted. */
  final Ec2Client ec2 = TestWorld.ec2();
  final Ec2Proxy proxy = new Ec2Proxy(TestWorld.moto().endpoint());
  private List<String> subnets = List.of();
  private int namespaces;

  Fixtures() {
    Crds.installReleaseCrd(client);
    resetMoto();
  }

  /** An empty account again (moto's default subnets get new ids). */
  void resetMoto() {
    TestWorld.moto().reset();
    subnets = ec2.describeSubnets().subnets().stream()
        .sorted(java.util.Comparator.comparing(s -> s.availabilityZone()))
        .map(s -> s.subnetId()).toList();
  }

  /** The default subnet of the first zone. */
  String subnet() {
    return subnets.get(0);
  }

  int subnetCount() {
    return subnets.size();
  }

  /** Default subnets of {@code n} zones. */
  List<String> subnets(int n) {
    return subnets.subList(0, n);
  }

  String namespace() {
    return Namespaces.create("bench-" + (++namespaces) + "-"
        + Long.toHexString(System.nanoTime() & 0xffffff));
  }

  String allocate() {
    return ec2.allocateAddress(r -> r.domain("vpc")).allocationId();
  }

  List<String> allocate(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(allocate());
    }
    return ids;
  }

  /** An operator in this JVM that watches only {@code ns}, its EC2 calls through the proxy. */
  CutoverOperator operator(String ns) {
    OperatorConfig config = OperatorConfig.fromEnvironment(Map.of(
        "CUTOVER_POLL_INTERVAL", POLL.toSeconds() + "s", "CUTOVER_NAMESPACES", ns));
    return CutoverOperator.start(config, TestWorld.kube().newClient(),
        new Ec2Gateway(TestWorld.newEc2Client(proxy.endpoint())), Clock.systemUTC(),
        CheckAddresses.instanceIps(), Optional.empty(), 0);
  }

  /** A single-role Release of {@code size} instances in the first subnet behind {@code eip}. */
  ReleaseBuilder release(String name, String version, int size, String eip) {
    return ReleaseBuilder.named(name).version(version).fleetSize(size).subnet(subnet())
        .elasticIp(eip).previousFleetTTL("10m");
  }

  void create(String ns, ReleaseBuilder release) {
    ReleaseOps.in(ns).create(release.build());
  }

  /**
   * Creates the Releases from {@code threads} threads at once; returns when the API server has
   * accepted all of them.
   */
  void createAtOnce(String ns, List<Release> releases, int threads) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> created = new ArrayList<>();
      ReleaseOps ops = new ReleaseOps(client, ns);
      for (Release r : releases) {
        created.add(pool.submit(() -> ops.create(r)));
      }
      for (Future<?> f : created) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  void patch(String ns, String name, Consumer<Release> change) {
    ReleaseOps.in(ns).update(name, change);
  }

  Release await(String ns, String name, Predicate<Release> condition) {
    return Awaitility.await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50))
        .until(() -> ReleaseOps.in(ns).get(name), r -> r != null && condition.test(r));
  }

  Release awaitLive(String ns, String name, String version) {
    return await(ns, name, r -> ReleaseOps.live(r, version));
  }

  /** How many Releases of {@code ns} serve {@code version} (see {@link ReleaseOps#live}). */
  long live(String ns, String version) {
    return client.resources(Release.class).inNamespace(ns).list().getItems().stream()
        .filter(r -> ReleaseOps.live(r, version)).count();
  }

  void delete(String ns, String name) {
    ReleaseOps.in(ns).delete(name);
    ReleaseOps.in(ns).awaitGone(name, PATIENCE);
  }

  /** Every call the proxy saw from {@code since} on. */
  List<Ec2Proxy.Call> callsSince(Instant since) {
    return proxy.log().stream().filter(c -> !c.at().isBefore(since)).toList();
  }

  /** Waits until the proxy has seen {@code polls} whole refreshes after {@code since}. */
  CallLog.Polls awaitPolls(Instant since, int polls, Duration patience) {
    return Awaitility.await().atMost(patience).pollInterval(Duration.ofMillis(200))
        .until(() -> new CallLog(callsSince(since)).lastPolls(polls), Optional::isPresent)
        .orElseThrow();
  }

  /**
   * Waiting a fixed time is the measurement here (what happens within it), not a way to wait
   * for something.
   */
  static void hold(Duration d) {
    if (!d.isZero()) {
      Awaitility.await().pollDelay(d).atMost(d.plusSeconds(5)).until(() -> true);
    }
  }

  @Override
  public void close() {
    proxy.close();
  }
}
