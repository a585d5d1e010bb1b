package dev.cutover.sim;

import dev.cutover.sim.Steps.Step;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The safety simulation: thousands of generated histories of the real reconcile pass against a
 * simulated EC2 with AWS semantics, outside events and faults ({@link Steps},
 * {@link SeededHistories}); after every step the invariants of {@link Invariants} are checked
 * against ground truth, and every history ends by settling without outside events
 * (convergence). The first failing history (by seed) is minimised and printed as a story, one
 * line per step.
 *
 * <p>Histories are numbered: the same seed is the same history anywhere, and the result does
 * not depend on how many threads ran them. Half of them are of a single role behind one Elastic
 * IP (even seeds), half of a system of roles with several addresses and, in half of those, a
 * preview address (odd seeds; see {@link SeededHistories#worldOf}).
 * {@code -Dcutover.sim.tries=N} (default {@value #DEFAULT_TRIES}) sets how many,
 * {@code -Dcutover.sim.seed=S} (default 1) the first one, so
 * {@code -Dcutover.sim.seed=4711 -Dcutover.sim.tries=1} replays history 4711;
 * {@code -Dcutover.sim.invariants=b} looks at one invariant only;
 * {@code -Dcutover.sim.world=single} (or {@code system}) runs every history against one Release.
 *
 * <p>A system's history that ends in a {@link KnownDefect} (a defect found and not fixed yet,
 * shown by its own failing scenario) is counted and printed, not failed, so that the others are
 * still checked; {@code -Dcutover.sim.strict=true} fails on those too.
 */
class SafetySimulationTest {

  /** Histories per batch: all of a batch run, then the lowest failing seed is reported. */
  static final int BATCH = 256;
  static final int DEFAULT_TRIES = 8_000;

  @Test
  void everyHistoryKeepsTheSafetyInvariants() throws Exception {
    int tries = Integer.getInteger("cutover.sim.tries", DEFAULT_TRIES);
    Map<KnownDefect, List<Long>> known = new EnumMap<>(KnownDefect.class);
    long started = System.nanoTime();
    long first = Long.getLong("cutover.sim.seed", 1L);
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "safety-simulation");
      t.setDaemon(true);
      return t;
    });
    try {
      for (long start = first; start < first + tries; start += BATCH) {
        long end = Math.min(first + tries, start + BATCH);
        List<Future<Optional<SafetyViolation>>> batch = new ArrayList<>();
        for (long seed = start; seed < end; seed++) {
          long s = seed;
          batch.add(pool.submit(() -> SeededHistories.run(s, SeededHistories.generate(s))));
        }
        for (int i = 0; i < batch.size(); i++) {
          Optional<SafetyViolation> violation = result(batch.get(i));
          if (violation.isEmpty()) {
            continue;
          }
          Optional<KnownDefect> defect = KnownDefect.strict() ? Optional.empty()
              : KnownDefect.of(violation.get());
          if (defect.isEmpty()) {
            throw report(start + i, tries, violation.get());
          }
          known.computeIfAbsent(defect.get(), k -> new ArrayList<>()).add(start + i);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    System.out.println(summary(first, tries, known, System.nanoTime() - started));
  }

  /** How many histories of each world ran, and which ended in a known defect. */
  private static String summary(long first, int tries, Map<KnownDefect, List<Long>> known,
      long nanos) {
    long systems = 0;
    for (long seed = first; seed < first + tries; seed++) {
      systems += SeededHistories.worldOf(seed) == Simulation.World.SYSTEM ? 1 : 0;
    }
    StringBuilder out = new StringBuilder("Safety simulation: " + tries + " histories ("
        + (tries - systems) + " of a single role, " + systems + " of a system of roles) from "
        + "seed " + first + " in " + nanos / 1_000_000 + " ms; every invariant held");
    if (known.isEmpty()) {
      return out.append('.').toString();
    }
    out.append(" except in ").append(known.values().stream().mapToInt(List::size).sum())
        .append(" histories that ended in known defects (-Dcutover.sim.strict=true fails on "
            + "them):");
    known.forEach((defect, seeds) -> out.append("\n  ").append(defect).append(": ")
        .append(seeds.size()).append(" (seeds ").append(seeds.subList(0,
            Math.min(5, seeds.size()))).append(seeds.size() > 5 ? "..." : "").append(")"));
    return out.toString();
  }

  private static Optional<SafetyViolation> result(Future<Optional<SafetyViolation>> future)
      throws InterruptedException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw new AssertionError("a history failed outside the invariants", e.getCause());
    }
  }

  /** The failing history minimised, as a story. */
  private static AssertionError report(long seed, int tries, SafetyViolation violation) {
    String kind = SeededHistories.kindOf(violation);
    Simulation.World world = SeededHistories.worldOf(seed);
    List<Step> shortest = SeededHistories.minimise(world, SeededHistories.generate(seed), kind);
    SafetyViolation again = SeededHistories.run(world, shortest).orElse(violation);
    return new AssertionError("History " + seed + " (" + (world == Simulation.World.SINGLE
        ? "a single role" : "a system of roles") + "; of " + tries + " from seed "
        + Long.getLong("cutover.sim.seed", 1L) + ") broke an invariant; replay it with "
        + "-Dcutover.sim.seed=" + seed + " -Dcutover.sim.tries=1"
        + (System.getProperty("cutover.sim.world", "").isBlank() ? ""
            : " -Dcutover.sim.world=" + System.getProperty("cutover.sim.world")) + ".\n"
        + "Shortest history found (" + shortest.size() + " steps, then the final settle): "
        + shortest + "\n" + again.getMessage(), violation);
  }
}
