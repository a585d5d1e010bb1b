package dev.cutover.bench;

import static org.awaitility.Awaitility.await;

import dev.cutover.CutoverOperator;
import dev.cutover.OperatorConfig;
import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.api.Release;
import dev.cutover.observe.CheckAddresses;
import dev.cutover.testworld.Crds;
import dev.cutover.testworld.Ec2Proxy;
import dev.cutover.testworld.Namespaces;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.ReleaseOps;
import dev.cutover.testworld.TestWorld;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * {@code make bench}: measures Cutover's EC2 API cost and speed on the real API server + moto,
 * counting EC2 calls on the wire (a proxy between the operator and moto), and writes
 * docs/BENCHMARKS.md. {@code BENCH=full make bench} runs the full sizes.
 */
public final class BenchmarkRunner {

  static final Duration POLL = Duration.ofSeconds(2);
  static final Duration PATIENCE = Duration.ofMinutes(10);

  private final boolean full;
  private final KubernetesClient client = TestWorld.client();
  private final Ec2Client ec2 = TestWorld.ec2();
  private final Ec2Proxy proxy = new Ec2Proxy(TestWorld.moto().endpoint());
  private final List<String[]> rows = new ArrayList<>();
  private String subnet;
  private int namespaces;

  private BenchmarkRunner(boolean full) {
    this.full = full;
  }

  public static void main(String[] args) throws Exception {
    boolean full = args.length > 0 && args[0].equals("full");
    BenchmarkRunner runner = new BenchmarkRunner(full);
    try {
      runner.run();
    } finally {
      runner.proxy.close();
    }
    System.exit(0);
  }

  private void run() throws Exception {
    Instant started = Instant.now();
    Crds.installReleaseCrd(client);
    resetMoto();

    for (int size : full ? List.of(1, 10, 100) : List.of(1, 10)) {
      mutatingCallsPerBlueGreen(size);
    }
    mutatingCallsPerSystemBlueGreen();
    for (int addresses : List.of(1, 2, 5)) {
      addressMoveSkew(addresses);
    }
    for (int releases : full ? List.of(1, 10, 100, 1000) : List.of(1, 10, 100)) {
      readsPerPoll(releases);
    }
    switchAndSwitchBackLatency();
    driftDetection();
    footprint(full ? 1000 : 100);

    String table = table();
    System.out.println(table);
    writeReport(table, Duration.between(started, Instant.now()));
  }

  // ------------------------------------------------------------------ cases

  private void mutatingCallsPerBlueGreen(int size) {
    String ns = namespace();
    try (CutoverOperator operator = operator(ns)) {
      String eip = allocate();
      create(ns, "bg", "1.0.0", size, eip, r -> r.getSpec().retention.previousFleetTTL = "3s");
      awaitRelease(ns, "bg", r -> live(r, "1.0.0"));
      proxy.reset();
      patch(ns, "bg", r -> r.getSpec().version = "2.0.0");
      awaitRelease(ns, "bg", r -> live(r, "2.0.0") && r.getStatus().previousFleet == null);
      Map<String, Long> calls = proxy.calls();
      long mutating = mutating(calls);
      row("1. mutating EC2 calls, one blue/green (launch, verify, switch, TTL terminate), fleet "
          + size, mutating + " (" + mutatingDetail(calls) + ")", "≤ 4, constant in N",
          mutating <= 4);
      delete(ns, "bg");
    }
  }

  /**
   * A system of web (2 instances, 2 Elastic IPs), api (3) and worker (2) in one subnet: one
   * RunInstances per role and subnet, one AssociateAddress per address, one TerminateInstances
   * of the whole retained system at its TTL.
   */
  private void mutatingCallsPerSystemBlueGreen() {
    String ns = namespace();
    try (CutoverOperator operator = operator(ns)) {
      String first = allocate();
      String second = allocate();
      ReleaseOps.in(ns).create(ReleaseBuilder.named("sys").version("1.0.0").subnet(subnet)
          .previousFleetTTL("3s").role("web", 2, first, second).role("api", 3)
          .role("worker", 2).build());
      awaitRelease(ns, "sys", r -> live(r, "1.0.0"));
      proxy.reset();
      patch(ns, "sys", r -> r.getSpec().version = "2.0.0");
      awaitRelease(ns, "sys", r -> live(r, "2.0.0") && r.getStatus().previousFleet == null);
      Map<String, Long> calls = proxy.calls();
      long mutating = mutating(calls);
      int roles = 3;
      int subnets = 1;
      int addresses = 2;
      long formula = (long) roles * subnets + addresses + 1;
      row("1b. mutating EC2 calls, one blue/green of a 3-role system (web 2 + 2 Elastic IPs, "
              + "api 3, worker 2; one subnet)", mutating + " (" + mutatingDetail(calls) + ")",
          "roles × subnets + addresses + 1 = " + formula, mutating == formula);
      delete(ns, "sys");
    }
  }

  /**
   * A switch of one role holding n Elastic IPs (n instances): the time between the first and
   * the last AssociateAddress request of the switch, as the EC2 endpoint received them.
   */
  private void addressMoveSkew(int addresses) {
    String ns = namespace();
    try (CutoverOperator operator = operator(ns)) {
      String[] ids = new String[addresses];
      for (int i = 0; i < addresses; i++) {
        ids[i] = allocate();
      }
      ReleaseOps.in(ns).create(ReleaseBuilder.named("skew").version("1.0.0").subnet(subnet)
          .previousFleetTTL("10m").role("web", addresses, ids).build());
      awaitRelease(ns, "skew", r -> live(r, "1.0.0"));
      proxy.reset();
      patch(ns, "skew", r -> r.getSpec().version = "2.0.0");
      awaitRelease(ns, "skew", r -> live(r, "2.0.0"));
      List<Instant> moves = proxy.log().stream()
          .filter(c -> c.action().equals("AssociateAddress") && c.applied())
          .map(Ec2Proxy.Call::at).sorted().toList();
      long skew = moves.isEmpty() ? -1
          : Duration.between(moves.get(0), moves.get(moves.size() - 1)).toMillis();
      row("1c. skew between the first and the last AssociateAddress of a switch, " + addresses
              + " Elastic IP" + (addresses == 1 ? "" : "s") + " (request arrival at the EC2 "
              + "endpoint)", skew + " ms (" + moves.size() + " AssociateAddress)",
          "< 1 s for 5", moves.size() == addresses && skew < 1000);
      delete(ns, "skew");
    }
  }

  private void readsPerPoll(int releases) {
    String ns = namespace();
    try (CutoverOperator operator = operator(ns)) {
      for (int i = 0; i < releases; i++) {
        create(ns, "r" + i, "1.0.0", 1, allocate(), r -> { });
      }
      await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(1)).until(() -> client
          .resources(Release.class).inNamespace(ns).list().getItems().stream()
          .filter(r -> live(r, "1.0.0")).count() == releases);
      int intervals = 5;
      proxy.reset();
      sleepUninterruptibly(POLL.multipliedBy(intervals));
      Map<String, Long> calls = proxy.calls();
      long reads = calls.entrySet().stream().filter(e -> e.getKey().startsWith("Describe"))
          .mapToLong(Map.Entry::getValue).sum();
      long writes = calls.values().stream().mapToLong(Long::longValue).sum() - reads;
      double perPoll = reads / (double) intervals;
      row("2. EC2 read calls per poll interval, " + releases + " Live Release"
              + (releases == 1 ? "" : "s"), String.format("%.1f (%s; %d writes)", perPoll,
              detail(calls, "Describe"), writes), "3, constant in Releases", perPoll <= 3.4);
      resetMoto();
    }
  }

  /** An empty account again; moto's default subnets get new ids. */
  private void resetMoto() {
    TestWorld.moto().reset();
    subnet = ec2.describeSubnets().subnets().get(0).subnetId();
  }

  private void switchAndSwitchBackLatency() throws Exception {
    String ns = namespace();
    try (CutoverOperator operator = operator(ns)) {
      String eip = allocate();
      create(ns, "sw", "1.0.0", 3, eip, r -> { });
      awaitRelease(ns, "sw", r -> live(r, "1.0.0"));
      patch(ns, "sw", r -> r.getSpec().version = "2.0.0");
      awaitRelease(ns, "sw", r -> live(r, "2.0.0"));
      Duration associate = Duration.ofMillis(Math.round(1000 * metric(operator,
          "cutover_switch_duration_seconds_max")));
      String gates = client.v1().events().inNamespace(ns).list().getItems().stream()
          .map(e -> e.getMessage()).filter(m -> m.startsWith("Promoted") && m.contains("to 2.0.0"))
          .findFirst().orElse("");
      row("3. switch: last gate passed → Elastic IP associated (AssociateAddress call)",
          associate.toMillis() + " ms (slowest AssociateAddress); the gate passes in the same "
              + "reconcile that switches" + (gates.contains("ms after") ? ": " + gates : ""),
          "< 1 s", associate.toMillis() < 1000);

      List<String> v1 = ec2.describeInstances(r -> r.filters(
              f -> f.name("tag:cutover.dev/version").values("1.0.0"),
              f -> f.name("instance-state-name").values("running"))).reservations().stream()
          .flatMap(r -> r.instances().stream()).map(i -> i.instanceId()).toList();
      proxy.reset();
      long start = System.nanoTime();
      patch(ns, "sw", r -> r.getSpec().version = "1.0.0");
      await().atMost(PATIENCE).pollInterval(Duration.ofMillis(10)).until(() -> v1.contains(
          ec2.describeAddresses(r -> r.allocationIds(eip)).addresses().get(0).instanceId()));
      long back = (System.nanoTime() - start) / 1_000_000;
      row("4. switch back: spec patch → Elastic IP on the retained fleet",
          back + " ms (" + proxy.calls().getOrDefault("AssociateAddress", 0L)
              + " AssociateAddress, " + proxy.calls().getOrDefault("RunInstances", 0L)
              + " RunInstances)", "< 2 s", back < 2000);
      delete(ns, "sw");
    }
  }

  private void driftDetection() {
    String ns = namespace();
    try (CutoverOperator operator = operator(ns)) {
      create(ns, "drift", "1.0.0", 3, allocate(), r -> { });
      awaitRelease(ns, "drift", r -> live(r, "1.0.0"));
      Release live = client.resources(Release.class).inNamespace(ns).withName("drift").get();
      String victim = live.getStatus().activeFleet.instanceIds.stream()
          .filter(id -> !id.equals(live.getStatus().activeFleet.primaryInstanceId))
          .findFirst().orElseThrow();
      proxy.reset();
      long start = System.nanoTime();
      ec2.terminateInstances(r -> r.instanceIds(victim));
      await().atMost(PATIENCE).pollInterval(Duration.ofMillis(20))
          .until(() -> proxy.calls().getOrDefault("RunInstances", 0L) > 0);
      long took = (System.nanoTime() - start) / 1_000_000;
      row("6. drift: instance terminated out of band → replacement RunInstances",
          took + " ms (poll interval " + POLL.toMillis() + " ms)", "≤ one poll interval",
          took <= POLL.toMillis() + 500);
      delete(ns, "drift");
    }
  }

  private void footprint(int releases) throws Exception {
    resetMoto();
    String ns = namespace();
    Path jar = Files.list(Path.of("target")).filter(p -> p.getFileName().toString()
        .matches("cutover-operator-.*\\.jar")).findFirst()
        .orElseThrow(() -> new IllegalStateException("run `make build` first"));
    Path kubeconfig = Files.createTempFile("bench-kubeconfig", ".yaml");
    Files.writeString(kubeconfig, TestWorld.kube().kubeConfigYaml());
    int port = freePort();
    Process operator = startProcess(jar, kubeconfig, ns, port);
    try {
      for (int i = 0; i < releases; i++) {
        create(ns, "f" + i, "1.0.0", 1, allocate(), r -> { });
      }
      await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(2)).until(() -> client
          .resources(Release.class).inNamespace(ns).list().getItems().stream()
          .filter(r -> live(r, "1.0.0")).count() == releases);
      sleepUninterruptibly(POLL.multipliedBy(3));
      long rss = rssKib(operator.pid());
      double heap = scrape(port, "jvm_memory_used_bytes\\{area=\"heap\"[^}]*\\}");
      double p50 = scrapeOne(port, "cutover_reconcile_duration_seconds\\{quantile=\"0.5\"\\}");
      double p99 = scrapeOne(port, "cutover_reconcile_duration_seconds\\{quantile=\"0.99\"\\}");
      row("5a. operator RSS with " + releases + " Live Releases (separate JVM, default flags)",
          rss / 1024 + " MiB (heap used " + Math.round(heap / 1048576) + " MiB)", "< 512 MiB",
          rss / 1024 < 512);
      row("5b. reconcile duration with " + releases + " Releases",
          String.format("p50 %.1f ms, p99 %.1f ms", p50 * 1000, p99 * 1000), "(report)", true);

      operator.destroyForcibly().waitFor();
      long start = System.nanoTime();
      operator = startProcess(jar, kubeconfig, ns, port);
      Process restarted = operator;
      await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
          .until(() -> restarted.isAlive() && scrapeOne(port, "cutover_releases") >= releases);
      long resync = (System.nanoTime() - start) / 1_000_000;
      row("5c. full resync after a restart (process start → every Release reconciled), "
          + releases + " Releases", resync + " ms", "< 30 s", resync < 30_000);
    } finally {
      operator.destroyForcibly().waitFor();
      resetMoto();
    }
  }

  // ------------------------------------------------------------------ helpers

  /** An operator in this JVM that watches only {@code ns}, its EC2 calls through the proxy. */
  private CutoverOperator operator(String ns) {
    OperatorConfig config = OperatorConfig.fromEnvironment(Map.of(
        "CUTOVER_POLL_INTERVAL", POLL.toSeconds() + "s", "CUTOVER_NAMESPACES", ns));
    return CutoverOperator.start(config, TestWorld.kube().newClient(),
        new Ec2Gateway(Ec2Client.builder().endpointOverride(proxy.endpoint())
            .region(TestWorld.REGION).credentialsProvider(() ->
                software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("testing",
                    "testing")).build()),
        Clock.systemUTC(), CheckAddresses.instanceIps(), Optional.empty(), 0);
  }

  private Process startProcess(Path jar, Path kubeconfig, String ns, int port)
      throws IOException {
    ProcessBuilder builder = new ProcessBuilder("java", "-jar", jar.toString())
        .redirectErrorStream(true)
        .redirectOutput(Path.of("target", "bench-operator.log").toFile());
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    builder.environment().put("CUTOVER_EC2_ENDPOINT", proxy.endpoint().toString());
    builder.environment().put("AWS_REGION", TestWorld.REGION.id());
    builder.environment().put("AWS_ACCESS_KEY_ID", "testing");
    builder.environment().put("AWS_SECRET_ACCESS_KEY", "testing");
    builder.environment().put("CUTOVER_POLL_INTERVAL", POLL.toSeconds() + "s");
    builder.environment().put("CUTOVER_NAMESPACES", ns);
    builder.environment().put("CUTOVER_HEALTH_PORT", String.valueOf(port));
    return builder.start();
  }

  private String namespace() {
    return Namespaces.create("bench-" + (++namespaces));
  }

  private String allocate() {
    return ec2.allocateAddress(r -> r.domain("vpc")).allocationId();
  }

  private void create(String ns, String name, String version, int size, String eip,
      Consumer<Release> tweak) {
    ReleaseOps.in(ns).create(ReleaseBuilder.named(name).version(version).fleetSize(size)
        .subnet(subnet).elasticIp(eip).previousFleetTTL("10m").with(tweak).build());
  }

  private void patch(String ns, String name, Consumer<Release> change) {
    ReleaseOps.in(ns).update(name, change);
  }

  private void delete(String ns, String name) {
    ReleaseOps.in(ns).delete(name);
    ReleaseOps.in(ns).awaitGone(name, PATIENCE);
  }

  private void awaitRelease(String ns, String name, Predicate<Release> condition) {
    ReleaseOps.in(ns).await(name, condition);
  }

  private static boolean live(Release r, String version) {
    return ReleaseOps.live(r, version);
  }

  /** Calls that change EC2: every call but the Describe ones. */
  private static long mutating(Map<String, Long> calls) {
    return calls.entrySet().stream().filter(e -> !e.getKey().startsWith("Describe"))
        .mapToLong(Map.Entry::getValue).sum();
  }

  private static String mutatingDetail(Map<String, Long> calls) {
    return calls.entrySet().stream().filter(e -> !e.getKey().startsWith("Describe"))
        .map(e -> e.getKey() + " " + e.getValue()).reduce((a, b) -> a + ", " + b).orElse("none");
  }

  private static String detail(Map<String, Long> calls, String prefix) {
    return calls.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
        .map(e -> e.getKey() + " " + e.getValue()).reduce((a, b) -> a + ", " + b).orElse("none");
  }

  private double metric(CutoverOperator operator, String name) throws Exception {
    return scrapeOne(operator.port(), name);
  }

  private static double scrapeOne(int port, String pattern) throws Exception {
    return scrape(port, pattern);
  }

  /** Sum of every sample whose name and labels match {@code pattern}. */
  private static double scrape(int port, String pattern) throws Exception {
    String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString())
        .body();
    Matcher m = Pattern.compile("(?m)^" + pattern + " ([0-9.eE+-]+)$").matcher(text);
    double sum = 0;
    boolean found = false;
    while (m.find()) {
      sum += Double.parseDouble(m.group(1));
      found = true;
    }
    if (!found) {
      throw new IllegalStateException("no metric " + pattern);
    }
    return sum;
  }

  private static long rssKib(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmRSS for " + pid);
  }

  private static int freePort() throws IOException {
    try (var socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Waiting a fixed time is the measurement here (calls per interval), not synchronisation. */
  private static void sleepUninterruptibly(Duration d) {
    await().pollDelay(d).atMost(d.plusSeconds(5)).until(() -> true);
  }

  private void row(String what, String measured, String target, boolean met) {
    rows.add(new String[] {what, measured, target, met ? "met" : "MISSED"});
    System.out.printf("%-90s %s [%s]%n", what, measured, met ? "met" : "MISSED");
  }

  private String table() {
    StringBuilder t = new StringBuilder("| case | measured | target | |\n|---|---|---|---|\n");
    rows.forEach(r -> t.append("| ").append(String.join(" | ", r)).append(" |\n"));
    return t.toString();
  }

  private void writeReport(String table, Duration took) throws IOException {
    String machine = Runtime.getRuntime().availableProcessors() + " cores, "
        + Math.round(Files.readAllLines(Path.of("/proc/meminfo")).stream()
            .filter(l -> l.startsWith("MemTotal")).map(l -> Long.parseLong(l.replaceAll(
                "[^0-9]", ""))).findFirst().orElse(0L) / 1048576.0) + " GiB, Java "
        + System.getProperty("java.version");
    String report = "# Benchmarks\n\n"
        + "Measured by `make bench` (" + (full ? "full sizes: `BENCH=full make bench`"
        : "quick sizes; `BENCH=full make bench` runs fleet size 100 and 1,000 Releases")
        + ") on " + Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ", in "
        + took.toSeconds() + " s.\n\n"
        + "- Machine: " + machine + ".\n"
        + "- Kubernetes: real kube-apiserver " + TestWorld.kube().kubectl("version",
            "-o", "json").replaceAll("(?s).*\"serverVersion\".*?\"gitVersion\": \"([^\"]+)\".*",
            "$1") + " + etcd; EC2: moto 5.2.5 through a counting proxy (calls are counted on the"
        + " wire, by EC2 Action).\n"
        + "- Poll interval " + POLL.toSeconds() + " s. moto starts instances `running` at once "
        + "and reports status checks `ok` immediately, so times here exclude EC2 boot (5–17 s "
        + "on AWS) and status-check initialisation (minutes on AWS).\n\n"
        + table + "\n"
        + "Reproduce: `make bench` (quick) or `BENCH=full make bench`. The runner is "
        + "`operator/src/bench/java/dev/cutover/bench/BenchmarkRunner.java`.\n";
    Files.createDirectories(Path.of("..", "docs"));
    Files.writeString(Path.of("..", "docs", "BENCHMARKS.md"), report);
  }
}
