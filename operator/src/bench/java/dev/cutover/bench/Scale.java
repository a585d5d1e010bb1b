package dev.cutover.bench;

import dev.cutover.api.Release;
import dev.cutover.testworld.Ec2World;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import dev.cutover.testworld.TestWorld;
import org.awaitility.Awaitility;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Many Releases against the operator as its own process with the shipped JVM flags: N Releases
 * created at once (reconcile latency by phase while they come up), reads per poll with N Live,
 * resident memory and heap, a full resync after a restart and, in the full run, reads per poll
 * with 10,000 instances in the account of which N are Cutover's.
 */
final class Scale {

  static final String LATENCY = "4. Reconciles while Releases are created at once";
  static final String FOOTPRINT = "5. Footprint and restart";
  static final List<String> PHASES = List.of("data_wait", "ec2_calls", "api_server", "work");
  private static final Duration SCRAPE_EVERY = Duration.ofSeconds(5);
  private static final String OTHERS_VPC = "127.32.0.0/16";
  private static final String OTHERS_SUBNET = "127.32.0.0/17";

  private final Fixtures world;
  private final Report report;
  private final ShippedJvm jvm;

  Scale(Fixtures world, Report report, ShippedJvm jvm) {
    this.world = world;
    this.report = report;
    this.jvm = jvm;
  }

  /** The highest value of each quantile series seen in the scrapes during a burst. */
  private static final class Quantiles {
    final Map<String, Double> highest = new LinkedHashMap<>();
    final Map<String, Double> last = new LinkedHashMap<>();

    void take(PrometheusText metrics) {
      for (String phase : PHASES) {
        for (String q : List.of("0.5", "0.99")) {
          record(phase + "/" + q, metrics.sum("cutover_reconcile_phase_seconds",
              "phase=\"" + phase + "\"", "quantile=\"" + q + "\""));
        }
      }
      for (String q : List.of("0.5", "0.99")) {
        record("reconcile/" + q, metrics.sum("cutover_reconcile_duration_seconds",
            "quantile=\"" + q + "\""));
      }
    }

    private void record(String key, OptionalDouble seconds) {
      if (seconds.isPresent()) {
        last.put(key, seconds.getAsDouble() * 1000);
        highest.merge(key, seconds.getAsDouble() * 1000, Math::max);
      }
    }

    boolean hasPhases() {
      return highest.containsKey("work/0.99");
    }

    String ms(String key) {
      Double v = highest.get(key);
      return v == null ? "n/a" : String.format(Locale.ROOT, "%.1f ms", v);
    }

    double of(String key) {
      return highest.getOrDefault(key, Double.NaN);
    }
  }

  void run(Sizes sizes) throws Exception {
    world.resetMoto();
    String ns = world.namespace();
    int n = sizes.burst();
    List<String> addresses = world.allocate(n);
    List<Release> releases = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      releases.add(world.release(String.format("s%04d", i), "1.0.0", 1, addresses.get(i))
          .build());
    }
    OperatorProcess operator = OperatorProcess.start(jvm, world.proxy.endpoint(), ns, "scale");
    OperatorProcess restarted = null;
    try {
      OperatorProcess.Gc gcBefore = operator.gc();
      Quantiles quantiles = new Quantiles();
      Duration cpuBefore = operator.cpu();
      Instant started = Instant.now();
      world.createAtOnce(ns, releases, 16);
      Duration creating = Duration.between(started, Instant.now());
      Awaitility.await().atMost(sizes.burstPatience()).pollInterval(SCRAPE_EVERY)
          .until(() -> {
            quantiles.take(operator.scrape());
            return world.live(ns, "1.0.0") == n;
          });
      Duration allLive = Duration.between(started, Instant.now());
      quantiles.take(operator.scrape());
      OperatorProcess.Gc gcBurst = operator.gc();
      String load = "the operator used " + seconds(operator.cpu().minus(cpuBefore)) + " of CPU "
          + "in the " + seconds(allLive) + " of the burst, on " + Runtime.getRuntime()
          .availableProcessors() + " cores shared with the API server, etcd, moto and the "
          + "benchmark (load average " + java.nio.file.Files.readString(Path.of("/proc/loadavg"))
          .split(" ")[0] + " at its end)";
      latencyRows(n, creating, allLive, quantiles, gcBurst, gcBefore, load);

      Instant since = Instant.now();
      CallLog.Polls polls = world.awaitPolls(since, ReadsPerPoll.POLLS,
          sizes.burstPatience());
      report.add(ReadsPerPoll.SECTION, ReadsPerPoll.row("2" + (char) ('a'
              + sizes.smallReleases().size()), n + " Live Releases of 1 instance",
          "the operator process of rows 4–5, poll interval " + Fixtures.POLL.toSeconds()
              + " s; reads at the proxy between two DescribeAddresses arrivals "
              + ReadsPerPoll.POLLS + " refreshes apart, divided by " + ReadsPerPoll.POLLS, n,
          polls));

      footprintRow(n, operator);
      operator.kill();

      Instant restarting = Instant.now();
      restarted = OperatorProcess.start(jvm, world.proxy.endpoint(), ns, "resync");
      OperatorProcess resyncing = restarted;
      Awaitility.await().atMost(sizes.burstPatience()).pollInterval(Duration.ofMillis(200))
          .ignoreExceptions().until(() -> resyncing.scrape().require("cutover_releases") >= n);
      Duration resync = Duration.between(restarting, Instant.now());
      report.add(FOOTPRINT, Row.judged("5b", "full resync after a restart, " + n
              + " Releases", "the operator process killed (SIGKILL) with " + n + " Live "
              + "Releases and started again with the same flags: from starting the new JVM to "
              + "its cutover_releases gauge (Releases reconciled since start) reaching " + n
              + "; one restart", resync.toMillis() + " ms", "< 30 s",
          resync.toSeconds() < 30).because(resyncCause(restarted, restarting)));

      if (sizes.accountInstances() > 0) {
        // No operator runs while moto creates the other instances: its polls would slow those
        // calls past any timeout. A third process is started once they exist.
        restarted.kill();
        tenThousandInstances(sizes, n, ns);
      }
    } finally {
      operator.kill();
      if (restarted != null) {
        restarted.kill();
      }
    }
  }

  private void latencyRows(int n, Duration creating, Duration allLive, Quantiles q,
      OperatorProcess.Gc gc, OperatorProcess.Gc before, String load) {
    String scrapes = "p50 and p99 are Micrometer's (cutover_reconcile_phase_seconds, over its "
        + "sliding window of the last 2 minutes; every pass counts, those that only wait for a "
        + "refresh of the inventory too), scraped every " + SCRAPE_EVERY.toSeconds()
        + " s from the first create until all were Live; the highest scrape of each is shown";
    report.add(LATENCY, Row.report("4a", n + " Releases created at once → all Live",
        n + " Releases of 1 instance (each its own Elastic IP) created from 16 threads against "
            + "the operator process (shipped flags, poll interval " + Fixtures.POLL.toSeconds()
            + " s): from the first create request to every Release Live and Ready, listed every "
            + SCRAPE_EVERY.toSeconds() + " s",
        Report.minutesAndSeconds(allLive) + " (the API server accepted all " + n + " in "
            + creating.toMillis() + " ms)"));
    if (!q.hasPhases()) {
      report.add(LATENCY, Row.judged("4b", "reconcile p50/p99 during the burst, excluding "
              + "EC2 latency", scrapes, "whole reconcile p50 " + q.ms("reconcile/0.5")
              + ", p99 " + q.ms("reconcile/0.99") + "; this build does not time the phases",
          "p99 < 250 ms", false).because("not measurable: the operator exports no "
              + "cutover_reconcile_phase_seconds, so time waiting for data cannot be told from "
              + "time deciding/acting"));
      return;
    }
    double withoutEc2 = q.of("data_wait/0.99") + q.of("api_server/0.99") + q.of("work/0.99");
    String dominant = java.util.stream.Stream.of("data_wait", "api_server", "work")
        .max(java.util.Comparator.comparingDouble(p -> q.of(p + "/0.99"))).orElseThrow();
    report.add(LATENCY, Row.judged("4b", "reconcile p50/p99 during the burst, by phase",
        scrapes + "; data_wait = waiting for observations (the inventory's snapshot, lookups), "
            + "ec2_calls = inside EC2's mutating calls, api_server = waiting for the API "
            + "server (the status recorded before acting, Events, the Release read again before "
            + "each mutating call), work = the rest (deciding, building status); the target "
            + "adds the p99 of data_wait, api_server and work",
        "data_wait p50 " + q.ms("data_wait/0.5") + ", p99 " + q.ms("data_wait/0.99")
            + "; ec2_calls p50 " + q.ms("ec2_calls/0.5") + ", p99 " + q.ms("ec2_calls/0.99")
            + "; api_server p50 " + q.ms("api_server/0.5") + ", p99 " + q.ms("api_server/0.99")
            + "; work p50 " + q.ms("work/0.5") + ", p99 " + q.ms("work/0.99")
            + "; whole reconcile p99 " + q.ms("reconcile/0.99"),
        "p99 excluding EC2 latency (data_wait + api_server + work) < 250 ms: here "
            + String.format(Locale.ROOT, "%.1f ms", withoutEc2), withoutEc2 < 250)
        .because(dominant + " dominates (p99 " + q.ms(dominant + "/0.99") + "); GC during the "
            + "burst: " + gcSince(gc, before) + "; " + load));
  }

  private static String gcSince(OperatorProcess.Gc now, OperatorProcess.Gc before) {
    return new OperatorProcess.Gc(now.collector(), now.pauses() - before.pauses(),
        now.pauseMillis() - before.pauseMillis(), now.longestMillis()).describe();
  }

  private void footprintRow(int n, OperatorProcess operator) throws Exception {
    OperatorProcess.Memory memory = operator.memory();
    PrometheusText metrics = operator.scrape();
    double heapUsed = metrics.require("jvm_memory_used_bytes", "area=\"heap\"");
    double heapCommitted = metrics.require("jvm_memory_committed_bytes", "area=\"heap\"");
    double nonHeapCommitted = metrics.require("jvm_memory_committed_bytes",
        "area=\"nonheap\"");
    OperatorProcess.Gc gc = operator.gc();
    long rssMib = memory.rssKib() / 1024;
    long peakMib = memory.peakKib() / 1024;
    long other = peakMib - Stats.mib(heapCommitted) - Stats.mib(nonHeapCommitted);
    report.add(FOOTPRINT, Row.judged("5a", "operator memory with " + n + " Live Releases",
        "the operator process of row 4a, JVM flags " + jvm.describe() + ", once all " + n
            + " were Live and the reads of row 2 were counted: VmRSS and VmHWM (peak) from "
            + "/proc, heap and non-heap from jvm_memory_* on /metrics, GC from its -Xlog:gc log",
        "RSS " + rssMib + " MiB, peak " + peakMib + " MiB; heap used "
            + Stats.mib(heapUsed) + " MiB of " + Stats.mib(heapCommitted) + " MiB committed; "
            + "non-heap committed " + Stats.mib(nonHeapCommitted) + " MiB; " + memory.threads()
            + " threads; " + gc.describe(),
        "peak RSS < 300 MiB", peakMib < 300)
        .because("peak RSS " + peakMib + " MiB = heap committed " + Stats.mib(heapCommitted)
            + " MiB + non-heap committed " + Stats.mib(nonHeapCommitted) + " MiB (metaspace, "
            + "code cache, class space) + " + other + " MiB outside both (stacks of "
            + memory.threads() + " threads, GC structures, malloc, direct buffers)"));
  }

  /**
   * Where a resync's time went: when the new process's first refresh began and ended (its first
   * DescribeInstances and DescribeAddresses at the proxy), the phases' p99 and the GC.
   */
  private String resyncCause(OperatorProcess operator, Instant started) {
    try {
      CallLog log = new CallLog(world.callsSince(started));
      var firstRead = log.first("DescribeInstances", started, c -> true);
      var firstPoll = firstRead.flatMap(c -> log.first("DescribeAddresses", c.at(), x -> true));
      PrometheusText m = operator.scrape();
      return "the first refresh's DescribeInstances arrived " + firstRead.map(c -> seconds(
          Duration.between(started, c.at()))).orElse("never") + " after the JVM was started "
          + "and its DescribeAddresses " + firstPoll.map(c -> seconds(Duration.between(started,
          c.at()))).orElse("never") + " after; data_wait p99 " + ms(m.sum(
          "cutover_reconcile_phase_seconds", "phase=\"data_wait\"", "quantile=\"0.99\""))
          + ", work p99 " + ms(m.sum("cutover_reconcile_phase_seconds", "phase=\"work\"",
          "quantile=\"0.99\"")) + "; GC " + operator.gc().describe();
    } catch (Exception e) {
      return "not measured: " + e.getMessage();
    }
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }

  /**
   * Instances that are not Cutover's, launched straight at moto in a few large calls (moto
   * takes seconds for each), until the account holds {@code sizes.accountInstances()}.
   */
  private void tenThousandInstances(Sizes sizes, int cutover, String ns) throws Exception {
    int others = sizes.accountInstances() - cutover;
    Instant started = Instant.now();
    // A subnet of their own, large enough for all of them (a default subnet holds about
    // 4,000), of loopback addresses like every instance of the test world.
    String vpc = world.ec2.createVpc(r -> r.cidrBlock(OTHERS_VPC)).vpc().vpcId();
    String subnet = world.ec2.createSubnet(r -> r.vpcId(vpc).cidrBlock(OTHERS_SUBNET)).subnet()
        .subnetId();
    // One call of 1,000 takes moto tens of seconds: no read timeout, and no retry (moto does
    // not deduplicate a ClientToken, so a retried launch would add instances).
    try (Ec2Client bulk = Ec2Client.builder().endpointOverride(TestWorld.moto().endpoint())
        .region(TestWorld.REGION).credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create("testing", "testing")))
        .httpClientBuilder(Apache5HttpClient.builder().socketTimeout(Duration.ofMinutes(10)))
        .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofMinutes(10))
            .retryStrategy(AwsRetryStrategy.doNotRetry())).build()) {
      for (int launched = 0; launched < others; launched += 1000) {
        int count = Math.min(1000, others - launched);
        bulk.runInstances(r -> r.imageId(Ec2World.IMAGE).minCount(count).maxCount(count)
            .subnetId(subnet));
      }
    }
    Duration launching = Duration.between(started, Instant.now());
    CallLog.Polls polls;
    try (OperatorProcess operator = OperatorProcess.start(jvm, world.proxy.endpoint(), ns,
        "instances")) {
      // From its first poll on: its start-up check of EC2 (one DescribeAddresses) is behind.
      polls = world.awaitPolls(Instant.now(), 2, Duration.ofMinutes(15));
    }
    report.add(ReadsPerPoll.SECTION, ReadsPerPoll.row("2" + (char) ('a'
            + sizes.smallReleases().size() + 1), sizes.accountInstances() + " instances in the "
            + "account, " + cutover + " of them Cutover's (" + cutover + " Live Releases)",
        "a third operator process (same flags) started once " + others + " other "
            + "instances (untagged, in a subnet " + OTHERS_SUBNET + " of their own) were "
            + "launched straight at moto in "
            + (others + 999) / 1000 + " RunInstances of up to 1,000 (" + launching.toSeconds()
            + " s, no operator running meanwhile); reads at the proxy between two "
            + "DescribeAddresses arrivals 2 refreshes apart, divided by 2", cutover, polls));
  }

  private static String ms(OptionalDouble seconds) {
    return seconds.isPresent() ? String.format(Locale.ROOT, "%.1f ms",
        seconds.getAsDouble() * 1000) : "n/a";
  }

  static Path repo() {
    return Path.of("..").toAbsolutePath().normalize();
  }
}
