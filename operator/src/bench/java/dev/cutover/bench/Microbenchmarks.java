package dev.cutover.bench;

import dev.cutover.bench.micro.DecideBenchmark;
import dev.cutover.bench.micro.InventoryPollBenchmark;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.profile.StackProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * JMH microbenchmarks of the CPU Cutover spends: deciding one Release, and one poll of the
 * inventory of 1,000 Releases × 10 instances. Short runs for a 2-core machine: one fork, a few
 * warm-up and measured iterations, the 99.9 % confidence interval JMH gives as the error.
 */
final class Microbenchmarks {

  static final String SECTION = "6. CPU per decision and per poll (JMH)";

  private final Report report;

  Microbenchmarks(Report report) {
    this.report = report;
  }

  void run(Sizes sizes) throws RunnerException {
    Sizes.Jmh d = sizes.decideRuns();
    String loadBefore = loadAverage();
    for (RunResult r : run(DecideBenchmark.class, d, true)) {
      Result<?> primary = r.getPrimaryResult();
      boolean live = r.getParams().getBenchmark().endsWith("decideLive");
      var stats = primary.getStatistics();
      double median = stats.getPercentile(50);
      report.add(SECTION, Row.judged(live ? "6a" : "6b", live
              ? "decide one Live Release (3 instances Live, a retained previous fleet of 3)"
              : "decide one Release during a blue/green (Live fleet of 3; staging fleet of 3 "
                  + "verifying, HTTP checks passed on 2)",
          method(d).replace("average time of one call", "every call timed (sample mode)")
              + "; the world built with the decide tables' Given",
          String.format(Locale.ROOT, "median %.1f µs, p99 %.1f µs, mean %s over %d calls (%s)",
              median, stats.getPercentile(99), score(primary), stats.getN(),
              allocation(r.getSecondaryResults())),
          "median < 50 µs per Release", median < 50)
          .because("where the time went (JMH stack profiler, top frames on the running "
              + "thread): " + hottest(r.getSecondaryResults()) + "; "
              + allocation(r.getSecondaryResults()) + "; load average " + loadBefore
              + " before the run, " + loadAverage() + " after"));
    }
    Sizes.Jmh p = sizes.pollRuns();
    for (RunResult r : run(InventoryPollBenchmark.class, p, true)) {
      report.add(SECTION, Row.report("6c", "one poll of the inventory: 1,000 Releases × 10 "
              + "instances (10,000 instances, 1,000 Elastic IPs)",
          method(p) + "; EC2's XML answers (about 2.9 KB per instance) served from memory to "
              + "the real SDK client (DescribeInstances in pages of 1,000, "
              + "DescribeInstanceStatus, DescribeAddresses), then the snapshot and the views per "
              + "Release: the CPU one poll costs per 1,000 Releases",
          score(r.getPrimaryResult()) + " of one core per poll (" + allocation(
              r.getSecondaryResults()) + "; hottest frames: " + hottest(
              r.getSecondaryResults()) + ")"));
    }
  }

  private static Collection<RunResult> run(Class<?> benchmark, Sizes.Jmh runs, boolean stacks)
      throws RunnerException {
    OptionsBuilder options = new OptionsBuilder();
    options.include(benchmark.getName())
        .forks(1).warmupIterations(runs.warmups())
        .warmupTime(TimeValue.milliseconds(runs.iteration().toMillis()))
        .measurementIterations(runs.iterations())
        .measurementTime(TimeValue.milliseconds(runs.iteration().toMillis()))
        .threads(1).jvmArgs("-Xms1g", "-Xmx1g").addProfiler(GCProfiler.class)
        .shouldFailOnError(true);
    if (stacks) {
      options.addProfiler(StackProfiler.class, "lines=1;top=3");
    }
    return new Runner(options.build()).run();
  }

  private static String method(Sizes.Jmh runs) {
    return "JMH 1.37, average time of one call on one thread, 1 fork (-Xmx1g), "
        + runs.warmups() + " warm-up + " + runs.iterations() + " measured iterations of "
        + runs.iteration().toSeconds() + " s; ± is JMH's 99.9 % confidence interval; "
        + "allocation from its GC profiler";
  }

  private static String score(Result<?> primary) {
    return String.format(Locale.ROOT, "%.2f ± %.2f %s", primary.getScore(),
        primary.getScoreError(), primary.getScoreUnit().replace("us/op", "µs/op"));
  }

  /** The top frames of the stack profiler's RUNNABLE section, e.g. "12.1% Foo.bar". */
  private static String hottest(Map<String, Result> secondary) {
    Result<?> stack = secondary.get("stack");
    if (stack == null) {
      return "not profiled";
    }
    String text = stack.extendedInfo();
    int runnable = text.indexOf("[Thread state: RUNNABLE]");
    if (runnable < 0) {
      return "not profiled";
    }
    String section = text.substring(runnable + 1);
    int next = section.indexOf("[Thread state");
    section = next < 0 ? section : section.substring(0, next);
    java.util.List<String> frames = new java.util.ArrayList<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(
        "(?m)^\\s*[0-9.]+%\\s+([0-9.]+%)\\s+([\\w.$]+)\\s*$").matcher(section);
    while (m.find() && frames.size() < 3) {
      frames.add(m.group(1) + " " + m.group(2));
    }
    return frames.isEmpty() ? "not profiled" : String.join(", ", frames);
  }

  private static String loadAverage() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  private static String allocation(Map<String, Result> secondary) {
    return secondary.entrySet().stream().filter(e -> e.getKey().endsWith("gc.alloc.rate.norm"))
        .findFirst().map(e -> formatBytes(e.getValue().getScore()) + " allocated per call")
        .orElse("allocation not measured");
  }

  private static String formatBytes(double bytes) {
    if (bytes >= 1048576) {
      return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576);
    }
    if (bytes >= 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024);
    }
    return Math.round(bytes) + " B";
  }
}
