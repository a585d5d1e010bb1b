package dev.cutover.sim;

import dev.cutover.sim.Steps.Step;
import java.util.ArrayList;
import java.util.List;
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
 * not depend on how many threads ran them. {@code -Dcutover.sim.tries=N} (default 10000) sets
 * how many, {@code -Dcutover.sim.seed=S} (default 1) the first one, so
 * {@code -Dcutover.sim.seed=4711 -Dcutover.sim.tries=1} replays history 4711;
 * {@code -Dcutover.sim.invariants=b} looks at one invariant only.
 */
class SafetySimulationTest {

  /** Histories per batch: all of a batch run, then the lowest failing seed is reported. */
  static final int BATCH = 256;

  @Test
  void everyHistoryKeepsTheSafetyInvariants() throws Exception {
    int tries = Integer.getInteger("cutover.sim.tries", 10_000);
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
          batch.add(pool.submit(() -> SeededHistories.run(SeededHistories.generate(s))));
        }
        for (int i = 0; i < batch.size(); i++) {
          Optional<SafetyViolation> violation = result(batch.get(i));
          if (violation.isPresent()) {
            throw report(start + i, tries, violation.get());
          }
        }
      }
    } finally {
      pool.shutdownNow();
    }
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
    List<Step> shortest = SeededHistories.minimise(SeededHistories.generate(seed), kind);
    SafetyViolation again = SeededHistories.run(shortest).orElse(violation);
    return new AssertionError("History " + seed + " (of " + tries + " from seed "
        + Long.getLong("cutover.sim.seed", 1L) + ") broke an invariant; replay it with "
        + "-Dcutover.sim.seed=" + seed + " -Dcutover.sim.tries=1.\n"
        + "Shortest history found (" + shortest.size() + " steps, then the final settle): "
        + shortest + "\n" + again.getMessage(), violation);
  }
}
