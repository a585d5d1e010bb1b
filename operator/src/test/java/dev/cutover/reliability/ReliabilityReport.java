package dev.cutover.reliability;

import dev.cutover.testworld.Ec2Proxy;
import dev.cutover.testworld.ElasticIpSampler;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The results of each ReliabilityIT run, and docs/RELIABILITY.md written from them: with
 * {@code -Dcutover.reliability.writeDoc=true} ({@code make soak}) the whole file is rewritten at
 * the end of the class. Nothing in it is typed by hand: every figure comes from the runs.
 */
final class ReliabilityReport {

  static final boolean WRITE_DOC = Boolean.getBoolean("cutover.reliability.writeDoc");

  enum Kind { KILL, RANDOM_KILL, FAULTS, HA }

  /** One test run and what it measured. */
  static final class Run {
    final String displayName;
    final Instant startedAt = Instant.now();
    final long startNanos = System.nanoTime();
    Kind kind;
    String name;
    String stage;
    String endState;
    String namespace;
    long millis = -1;
    Boolean passed;
    String failure;
    // from the proxy
    Map<String, Long> calls = Map.of();
    Map<String, Long> applied = Map.of();
    Map<String, Map<String, Long>> faults = Map.of();
    int moves;
    // the probe
    boolean probed;
    int samples;
    int sampleErrors;
    long expectedSamples;
    long probeMillis;
    int violations;
    // kills
    Long killToSettledMillis;
    Long delayMillis;
    List<String> appliedBeforeKill;
    // HA
    Long killToLeaseMillis;
    // faults
    String faultSetup;
    Map<String, List<String>> lastErrors = Map.of();

    Run(String displayName) {
      this.displayName = displayName;
    }

    void probe(ElasticIpSampler probe) {
      probed = true;
      samples = probe.samples();
      sampleErrors = probe.errors();
      expectedSamples = probe.expected();
      probeMillis = probe.millis();
      violations = probe.violations().size();
    }

    /** Takes what the proxy saw in this run; the end of the run is now. */
    void ec2(Ec2Proxy proxy) {
      if (millis < 0) {
        millis = (System.nanoTime() - startNanos) / 1_000_000;
      }
      calls = proxy.calls();
      faults = proxy.injectedByAction();
      Map<String, Long> a = new TreeMap<>();
      proxy.log().stream().filter(Ec2Proxy.Call::applied)
          .forEach(c -> a.merge(c.action(), 1L, Long::sum));
      applied = a;
    }

    long totalCalls() {
      return calls.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private static final List<Run> RUNS = new CopyOnWriteArrayList<>();
  private static volatile Run current;

  private ReliabilityReport() {}

  static Run begin(String displayName) {
    current = new Run(displayName);
    return current;
  }

  /** Records each run's outcome once JUnit knows it (after its @AfterEach). */
  static final class Outcomes implements TestWatcher {
    @Override
    public void testSuccessful(ExtensionContext context) {
      finish(true, null);
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      finish(false, cause);
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
      finish(false, cause);
    }

    private static void finish(boolean passed, Throwable cause) {
      Run run = current;
      current = null;
      if (run == null) {
        return;
      }
      run.passed = passed;
      if (cause != null) {
        String message = String.valueOf(cause.getMessage()).strip();
        run.failure = cause.getClass().getSimpleName() + ": "
            + message.lines().limit(60).collect(Collectors.joining("\n"));
      }
      RUNS.add(run);
    }
  }

  static List<Run> runs() {
    return List.copyOf(RUNS);
  }

  // ------------------------------------------------------------------ the document

  /** Writes docs/RELIABILITY.md (found from the working directory upwards). */
  static Path write(KubernetesClient client, long seed) {
    Path doc = repositoryRoot().resolve("docs").resolve("RELIABILITY.md");
    try {
      Files.writeString(doc, render(client, seed), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return doc;
  }

  static String render(KubernetesClient client, long seed) {
    List<Run> runs = runs();
    StringBuilder md = new StringBuilder();
    long passed = runs.stream().filter(r -> Boolean.TRUE.equals(r.passed)).count();
    Instant first = runs.stream().map(r -> r.startedAt).min(Instant::compareTo)
        .orElse(Instant.now());
    long wall = runs.isEmpty() ? 0 : runs.stream()
        .mapToLong(r -> r.startedAt.toEpochMilli() + Math.max(0, r.millis)).max().getAsLong()
        - first.toEpochMilli();
    String command = Optional.ofNullable(System.getProperty("cutover.reliability.command"))
        .filter(s -> !s.isBlank()).orElse("mvn verify -Dit.test=ReliabilityIT "
            + "-Dcutover.reliability.writeDoc=true -Dcutover.reliability.randomKills="
            + ReliabilityIT.RANDOM_KILLS);

    md.append("# Reliability\n\n");
    md.append("<!-- Written by ReliabilityIT (operator/src/test/java/dev/cutover/reliability/"
        + "ReliabilityReport.java) when\n     -Dcutover.reliability.writeDoc=true, as `make soak` "
        + "sets it. Do not edit by hand:\n     every figure below comes from the run it "
        + "describes. -->\n\n");
    md.append("What Cutover was put through in one run of `ReliabilityIT`, and what held. The "
        + "operator is the packaged jar, run as its own process (as in a pod) against a real "
        + "kube-apiserver + etcd and a real moto server. It reaches EC2 only through a proxy "
        + "(`operator/src/test/java/dev/cutover/testworld/Ec2Proxy.java`) that logs every call "
        + "on the wire (the AWS SDK's own retries included), injects faults, and SIGKILLs the "
        + "operator (no shutdown hook, no graceful stop) at a chosen stage of a chosen call.\n\n");
    md.append("| | |\n|---|---|\n");
    md.append("| command | `").append(command).append("` |\n");
    md.append("| date | ").append(first.truncatedTo(ChronoUnit.SECONDS))
        .append(" (start of the first run) |\n");
    md.append("| machine | ").append(Runtime.getRuntime().availableProcessors())
        .append(" CPUs (as `nproc` counts them), ").append(memory()).append(" memory (MemTotal), ")
        .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
        .append(' ').append(System.getProperty("os.arch")).append(" |\n");
    md.append("| Java | ").append(System.getProperty("java.vm.name")).append(' ')
        .append(System.getProperty("java.runtime.version"))
        .append(" (the test JVM; the operator processes run `java` from the same PATH) |\n");
    md.append("| operator JVM | `java -Xmx256m -jar operator/target/cutover-operator-*.jar`")
        .append(FastStart.options().isEmpty() ? " |\n" : " with JAVA_TOOL_OPTIONS `"
            + FastStart.options().replaceAll("=\\S*/target/", "=target/") + "`: startup speed "
            + "only (C1 only, serial GC, a class archive dumped by a warm-up operator process in "
            + seconds(FastStart.warmUpMillis()) + " s before the runs; see FastStart.java) |\n");
    md.append("| kube-apiserver | ").append(kubeVersion(client)).append(" |\n");
    md.append("| moto | ").append(motoVersion()).append(" |\n");
    md.append("| seed | ").append(seed).append(" (`-Dcutover.reliability.seed`) |\n");
    md.append("| runs | ").append(runs.size()).append(": ").append(passed).append(" passed, ")
        .append(runs.size() - passed).append(" failed; ").append(seconds(wall))
        .append(" s from the start of the first run to the end of the last (servers already "
            + "started) |\n\n");

    kills(md, runs);
    randomKills(md, runs);
    faults(md, runs);
    takeover(md, runs);
    probe(md, runs);

    md.append("## Invariants checked after every run\n\n");
    md.append("Once the run's end state is reached (for runs whose Release still exists; after a "
        + "deletion, only the first and the last apply):\n\n");
    Invariants.CHECKED.forEach(c -> md.append("- ").append(c).append(";\n"));
    md.append('\n');

    List<Run> failed = runs.stream().filter(r -> !Boolean.TRUE.equals(r.passed)).toList();
    if (!failed.isEmpty()) {
      md.append("## Failed runs\n\n");
      for (Run r : failed) {
        md.append("### ").append(r.displayName).append("\n\nOperator logs: `operator/target/"
            + "reliability-").append(r.namespace).append("-*.log`.\n\n```\n")
            .append(r.failure == null ? "(no message)" : r.failure.strip()).append("\n```\n\n");
      }
    }

    md.append("## Reproduce\n\n```bash\n");
    md.append("make test                 # includes ReliabilityIT with ")
        .append(ReliabilityIT.DEFAULT_RANDOM_KILLS).append(" random kills; does not write this "
            + "file\n");
    md.append("make soak                 # more random kills (SOAK_KILLS, see the Makefile); "
        + "rewrites this file\n");
    md.append("make soak SOAK_KILLS=200  # the same with 200\n```\n\n");
    md.append("Each operator process logs to `operator/target/reliability-<namespace>-<name>"
        + ".log`.\n");
    return md.toString();
  }

  private static void kills(StringBuilder md, List<Run> all) {
    List<Run> runs = all.stream().filter(r -> r.kind == Kind.KILL).toList();
    if (runs.isEmpty()) {
      return;
    }
    md.append("## Process kills at chosen points\n\n");
    md.append("Each run starts from a fresh namespace and an empty moto account with one "
        + "operator process. The proxy SIGKILLs it at the stage of the call named; the test then "
        + "starts a new process and awaits the end state. Stages: *on request*: the request "
        + "reached the proxy and was dropped unforwarded, the call never happened; *applied, "
        + "answer lost*: moto applied the call, the operator was killed before the answer "
        + "reached it; *after the answer*: the operator had moto's answer.\n\n");
    md.append("- *kill → end state*: from the SIGKILL (in the proxy's hook) to the test's "
        + "first observation of the end state (it polls the Release every 100 ms), the new "
        + "process's JVM start included;\n");
    md.append("- *EC2 calls*: every call the proxy saw in the run, both processes, reads "
        + "included;\n");
    md.append("- *probe*: samples over the whole run / the number its duration allows at "
        + ElasticIpSampler.PERIOD_MILLIS + " ms, errors, violations (none expected except "
        + "where production ends on purpose).\n\n");
    md.append("| kill point | stage | runs | passed | end state awaited | kill → end state (s) "
        + "| EC2 calls | probe samples / expected | probe errors | violations |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|\n");
    Map<String, List<Run>> byPoint = new LinkedHashMap<>();
    runs.forEach(r -> byPoint.computeIfAbsent(r.name + "\u0000" + r.stage,
        k -> new ArrayList<>()).add(r));
    byPoint.values().forEach(group -> {
      Run r = group.get(0);
      md.append("| ").append(cell(r.name)).append(" | ").append(cell(r.stage)).append(" | ")
          .append(group.size()).append(" | ").append(passedCount(group)).append(" | ")
          .append(cell(r.endState)).append(" | ")
          .append(list(group, x -> x.killToSettledMillis == null ? "-"
              : seconds(x.killToSettledMillis))).append(" | ")
          .append(list(group, x -> String.valueOf(x.totalCalls()))).append(" | ")
          .append(list(group, x -> x.probed ? x.samples + " / " + x.expectedSamples : "-"))
          .append(" | ").append(list(group, x -> x.probed ? String.valueOf(x.sampleErrors) : "-"))
          .append(" | ").append(list(group, x -> x.probed ? String.valueOf(x.violations)
              : "not probed (production ends on purpose)")).append(" |\n");
    });
    md.append('\n');
  }

  private static void randomKills(StringBuilder md, List<Run> all) {
    List<Run> runs = all.stream().filter(r -> r.kind == Kind.RANDOM_KILL).toList();
    if (runs.isEmpty()) {
      return;
    }
    md.append("## Kills at random moments\n\n");
    md.append("The operator serves 1.0.0; the test changes the version to 2.0.0 with a ")
        .append(ReliabilityIT.RANDOM_KILL_TTL).append(" TTL for the retained fleet, waits a "
            + "random delay (seeded, 0 to ").append(ReliabilityIT.RANDOM_KILL_WINDOW.toMillis())
        .append(" ms), SIGKILLs the operator and starts a new one. End state: 2.0.0 Live and "
            + "the retained 1.0.0 fleet gone.\n\n");
    md.append("- *delay*: from the API server accepting the version change to the SIGKILL;\n");
    md.append("- *applied before the kill*: mutating EC2 calls moto applied between the version "
        + "change and the SIGKILL (the proxy's log);\n");
    md.append("- *kill → end state*: from the SIGKILL to the test's first observation of the "
        + "end state (100 ms polling), the new JVM's start included.\n\n");
    Map<String, Long> landed = new TreeMap<>();
    runs.forEach(r -> landed.merge(r.appliedBeforeKill == null || r.appliedBeforeKill.isEmpty()
        ? "nothing yet" : String.join(" + ", r.appliedBeforeKill), 1L, Long::sum));
    md.append(runs.size()).append(" runs, ").append(passedCount(runs))
        .append(" passed. Where the kills landed: ").append(landed.entrySet().stream()
            .map(e -> e.getKey() + " ×" + e.getValue()).collect(Collectors.joining(", ")))
        .append(".\n\n");
    md.append("| run | delay (ms) | applied before the kill | passed | kill → end state (s) "
        + "| EC2 calls | probe samples / expected | violations |\n");
    md.append("|---|---|---|---|---|---|---|---|\n");
    for (Run r : runs) {
      md.append("| ").append(cell(r.name)).append(" | ").append(r.delayMillis).append(" | ")
          .append(r.appliedBeforeKill == null || r.appliedBeforeKill.isEmpty() ? "nothing"
              : String.join(", ", r.appliedBeforeKill)).append(" | ").append(yes(r))
          .append(" | ").append(r.killToSettledMillis == null ? "-"
              : seconds(r.killToSettledMillis)).append(" | ").append(r.totalCalls())
          .append(" | ").append(r.probed ? r.samples + " / " + r.expectedSamples : "-")
          .append(" | ").append(r.probed ? r.violations : "-").append(" |\n");
    }
    md.append('\n');
  }

  private static void faults(StringBuilder md, List<Run> all) {
    List<Run> runs = all.stream().filter(r -> r.kind == Kind.FAULTS).toList();
    if (runs.isEmpty()) {
      return;
    }
    md.append("## EC2 faults\n\n");
    for (Run r : runs) {
      md.append("Scenario: ").append(r.endState).append(".\n\nFaults injected into the "
          + "operator's calls: ").append(r.faultSetup).append(".\n\n")
          .append("Result: ").append(Boolean.TRUE.equals(r.passed) ? "passed" : "FAILED")
          .append(" in ").append(seconds(r.millis)).append(" s (from the operator's start to "
              + "the invariants checked); ").append(r.moves)
          .append(" moves of the Elastic IP between fleets; probe ")
          .append(r.samples).append(" samples / ").append(r.expectedSamples).append(" expected, ")
          .append(r.sampleErrors).append(" errors, ").append(r.violations)
          .append(" violations.\n\n");
      md.append("Per EC2 operation: *calls* on the wire (the SDK's retries included), how many "
          + "moto *applied* (answered 2xx, whether or not the answer reached the operator), the "
          + "faults injected by kind, and the failures `status.errors` recorded (code × "
          + "consecutive attempts), read from a watch on the Release:\n\n");
      List<String> kinds = java.util.Arrays.stream(Ec2Proxy.Fault.values())
          .map(Ec2Proxy.Fault::label).toList();
      md.append("| operation | calls | applied | ");
      kinds.forEach(k -> md.append(k).append(" | "));
      md.append("status.errors |\n|---|---|---|");
      kinds.forEach(k -> md.append("---|"));
      md.append("---|\n");
      for (String op : r.calls.keySet()) {
        Map<String, Long> f = r.faults.getOrDefault(op, Map.of());
        md.append("| ").append(op).append(" | ").append(r.calls.get(op)).append(" | ")
            .append(r.applied.getOrDefault(op, 0L)).append(" | ");
        kinds.forEach(k -> md.append(f.getOrDefault(k, 0L)).append(" | "));
        List<String> errors = r.lastErrors.getOrDefault(op, List.of());
        md.append(errors.isEmpty() ? "-" : String.join(", ", errors)).append(" |\n");
      }
      long total = r.faults.values().stream().flatMap(m -> m.values().stream())
          .mapToLong(Long::longValue).sum();
      md.append("| all | ").append(r.totalCalls()).append(" | ")
          .append(r.applied.values().stream().mapToLong(Long::longValue).sum()).append(" | ");
      kinds.forEach(k -> md.append(r.faults.values().stream()
          .mapToLong(m -> m.getOrDefault(k, 0L)).sum()).append(" | "));
      md.append(total).append(" faults |\n\n");
    }
  }

  private static void takeover(StringBuilder md, List<Run> all) {
    List<Run> runs = all.stream().filter(r -> r.kind == Kind.HA).toList();
    if (runs.isEmpty()) {
      return;
    }
    md.append("## HA takeover\n\n");
    md.append("Two operator processes with leader election (a `coordination.k8s.io` Lease, "
        + "JOSDK's defaults: 15 s lease, 10 s renew deadline, 2 s retry). The leader is "
        + "SIGKILLed right after the answer to its RunInstances of the new version.\n\n");
    md.append("- *kill → Lease taken*: from the SIGKILL to the test's first observation (100 ms "
        + "polling) of the Lease held by the other replica;\n");
    md.append("- *kill → end state*: from the SIGKILL to the first observation of 2.0.0 Live.\n\n");
    md.append("| run | passed | kill → Lease taken (s) | kill → end state (s) | EC2 calls "
        + "| probe samples / expected | violations |\n|---|---|---|---|---|---|---|\n");
    for (Run r : runs) {
      md.append("| ").append(cell(r.name)).append(" | ").append(yes(r)).append(" | ")
          .append(r.killToLeaseMillis == null ? "-" : seconds(r.killToLeaseMillis)).append(" | ")
          .append(r.killToSettledMillis == null ? "-" : seconds(r.killToSettledMillis))
          .append(" | ").append(r.totalCalls()).append(" | ")
          .append(r.probed ? r.samples + " / " + r.expectedSamples : "-").append(" | ")
          .append(r.probed ? r.violations : "-").append(" |\n");
    }
    md.append('\n');
  }

  private static void probe(StringBuilder md, List<Run> all) {
    List<Run> runs = all.stream().filter(r -> r.probed).toList();
    md.append("## Zero-downtime probe\n\n");
    md.append("What it samples is the control-plane association state, not traffic: ")
        .append(ElasticIpSampler.WHAT).append(". It shows that EC2's control plane never "
            + "showed the address off a running instance; it does not show that no request "
            + "failed (on AWS a remap takes effect about 5–6 s after the call). A run fails when "
            + "the probe took fewer than half the samples its duration allows.\n\n");
    md.append("Counted from the probe's start (before the change that moves production) to its "
        + "close (once the end state was observed); runs where production ends on purpose "
        + "(deletion) are not probed.\n\n");
    long samples = runs.stream().mapToLong(r -> r.samples).sum();
    long expected = runs.stream().mapToLong(r -> r.expectedSamples).sum();
    long errors = runs.stream().mapToLong(r -> r.sampleErrors).sum();
    long violations = runs.stream().mapToLong(r -> r.violations).sum();
    long millis = runs.stream().mapToLong(r -> r.probeMillis).sum();
    md.append("| probed runs | probed time (s) | samples | expected at ")
        .append(ElasticIpSampler.PERIOD_MILLIS).append(" ms | lowest ratio in one run | errors "
            + "| violations |\n|---|---|---|---|---|---|---|\n");
    double lowest = runs.stream().filter(r -> r.expectedSamples > 0)
        .mapToDouble(r -> (double) r.samples / r.expectedSamples).min().orElse(0);
    md.append("| ").append(runs.size()).append(" | ").append(seconds(millis)).append(" | ")
        .append(samples).append(" | ").append(expected).append(" | ")
        .append(String.format(Locale.ROOT, "%.2f", lowest)).append(" | ").append(errors)
        .append(" | ").append(violations).append(" |\n\n");
  }

  // ------------------------------------------------------------------ helpers

  private static String memory() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
          return String.format(Locale.ROOT, "%.1f GiB", kib / 1024.0 / 1024.0);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return "unknown";
  }

  private static String kubeVersion(KubernetesClient client) {
    try {
      return client.getKubernetesVersion().getGitVersion();
    } catch (RuntimeException e) {
      return "unknown (" + e.getClass().getSimpleName() + ")";
    }
  }

  /** Asks the Python of the test world's moto for moto's version. */
  private static String motoVersion() {
    Optional<Path> python = Optional.of(dev.cutover.testworld.MotoServer.python())
        .filter(Files::isExecutable);
    if (python.isEmpty()) {
      return "unknown";
    }
    try {
      Process p = new ProcessBuilder(python.get().toString(), "-c",
          "import moto; print(moto.__version__)").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "unknown";
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("Makefile")) && Files.isDirectory(p.resolve("docs"))) {
        return p;
      }
    }
    throw new IllegalStateException("no repository root (Makefile + docs/) above " + dir);
  }

  private static String seconds(long millis) {
    return String.format(Locale.ROOT, "%.1f", millis / 1000.0);
  }

  private static long passedCount(List<Run> runs) {
    return runs.stream().filter(r -> Boolean.TRUE.equals(r.passed)).count();
  }

  private static String yes(Run r) {
    return Boolean.TRUE.equals(r.passed) ? "yes" : "**no**";
  }

  private static String list(List<Run> runs, java.util.function.Function<Run, String> f) {
    return runs.stream().map(f).collect(Collectors.joining(", "));
  }

  private static String cell(String s) {
    return s == null ? "-" : s.replace("|", "\\|").replace("\n", " ");
  }
}
