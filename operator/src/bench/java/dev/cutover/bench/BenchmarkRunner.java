package dev.cutover.bench;

import dev.cutover.testworld.TestWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code make bench}: measures Cutover's EC2 API cost, latency, footprint and CPU on the real
 * kube-apiserver + etcd and moto, counting EC2 calls on the wire (a proxy between the operator
 * and moto), and writes docs/BENCHMARKS.md. {@code BENCH=full make bench} runs the full sizes
 * ({@link Sizes}). One class per family of cases; each adds its rows to the {@link Report}.
 */
public final class BenchmarkRunner {

  private BenchmarkRunner() {}

  /** One family of cases. */
  @FunctionalInterface
  private interface Family {
    void run() throws Exception;
  }

  public static void main(String[] args) {
    try {
      run(args);
      System.exit(0);
    } catch (Throwable e) {
      // The operators and servers this JVM started must not keep it alive after a failure.
      e.printStackTrace();
      System.exit(1);
    }
  }

  private static void run(String[] args) throws Exception {
    Sizes sizes = Sizes.of(args);
    // "only=micro,mutating,reads+latency,scale": those families alone, printed, no file written.
    Set<String> only = Arrays.stream(args).filter(a -> a.startsWith("only="))
        .flatMap(a -> Arrays.stream(a.substring(5).split(","))).collect(Collectors.toSet());
    Instant started = Instant.now();
    Report report = new Report();
    Map<String, Duration> took = new LinkedHashMap<>();
    // First, while nothing else runs: the microbenchmarks want the cores to themselves.
    run("micro", only, took, () -> new Microbenchmarks(report).run(sizes));
    ShippedJvm jvm = ShippedJvm.read(Scale.repo());
    try (Fixtures world = new Fixtures()) {
      run("mutating", only, took, () -> new MutatingCalls(world, report).run(sizes));
      // One operator for both: the Releases of the reads stay Live while the latencies are
      // measured on a Release of their own.
      run("reads+latency", only, took, () -> {
        world.resetMoto();
        String ns = world.namespace();
        try (var operator = world.operator(ns)) {
          new ReadsPerPoll(world, report).run(sizes, ns);
          new Latencies(world, report).run(sizes, ns);
        }
      });
      run("scale", only, took, () -> new Scale(world, report, jvm).run(sizes));
      Duration total = Duration.between(started, Instant.now());
      report.note("Time of each family of cases: " + took.entrySet().stream()
          .map(e -> e.getKey() + " " + Report.minutesAndSeconds(e.getValue()))
          .collect(Collectors.joining(", ")) + "; the rest is starting the API server, etcd "
          + "and moto.");
      boolean whole = only.isEmpty() && sizes.equals(Sizes.of(new String[] {args.length > 0
          ? args[0] : ""}));
      // A partial run (only=..., burst=...) writes beside the build, never over the real file.
      report.write(whole ? Scale.repo().resolve("docs/BENCHMARKS.md")
          : Path.of("target", "BENCHMARKS-partial.md"), sizes, environment(), total);
      System.out.println(report.table());
      System.out.println("[bench] done in " + Report.minutesAndSeconds(total));
    }
  }

  private static void run(String family, Set<String> only, Map<String, Duration> took,
      Family cases) throws Exception {
    if (!only.isEmpty() && !only.contains(family)) {
      return;
    }
    Instant started = Instant.now();
    cases.run();
    took.put(family, Duration.between(started, Instant.now()));
    System.out.println("[bench] " + family + " took " + Report.minutesAndSeconds(
        took.get(family)));
  }

  private static String environment() throws Exception {
    long memKib = Files.readAllLines(Path.of("/proc/meminfo")).stream()
        .filter(l -> l.startsWith("MemTotal")).map(l -> Long.parseLong(l.replaceAll("[^0-9]",
            ""))).findFirst().orElse(0L);
    String kube = TestWorld.kube().kubectl("version", "-o", "json").replaceAll(
        "(?s).*\"serverVersion\".*?\"gitVersion\": \"([^\"]+)\".*", "$1");
    return "- Machine: " + Runtime.getRuntime().availableProcessors() + " cores, "
        + Math.round(memKib / 1048576.0) + " GiB, Java " + System.getProperty("java.version")
        + ".\n- Kubernetes: real kube-apiserver " + kube + " + etcd. EC2: moto "
        + System.getenv().getOrDefault("MOTO_VERSION", "5.2.5")
        + " behind a proxy that counts every call on the wire by "
        + "EC2 Action; what the benchmark itself does in EC2 (Elastic IPs, instances that are "
        + "not Cutover's, out-of-band terminations) goes straight to moto and is not counted.\n"
        + "- Poll interval " + Fixtures.POLL.toSeconds() + " s in every case. moto starts "
        + "instances `running` at once and reports status checks `ok` immediately, so no time "
        + "here includes EC2 boot (5–17 s on AWS) or status-check initialisation (minutes on "
        + "AWS). moto runs through the test world's launcher (moto_server.py), which reads a "
        + "resource's tags from moto's own index instead of scanning every tag of the account "
        + "per resource (same answers; a tag-filtered DescribeInstances of 1,000 among 10,000 "
        + "instances fell from 7–13 s to 2–4 s). moto's DescribeInstances still slows down as "
        + "the account grows, far more than AWS's (about a second for a page of 1,000): the "
        + "reads-per-poll rows give the refresh period seen here.";
  }
}
