package dev.cutover.bench;

import java.time.Duration;
import java.util.List;

/**
 * What a run measures: {@code make bench} (quick, a few minutes) or {@code BENCH=full make bench}
 * (fleets of 100, 1,000 Releases, 10,000 instances in the account).
 *
 * @param fleets fleet sizes of the blue/green call counts
 * @param smallReleases Release counts whose reads per poll an in-process operator measures
 * @param burst Releases created at once against the operator process (reconcile latency, reads
 *     per poll, RSS and heap, resync after a restart)
 * @param accountInstances instances in the account for the last reads-per-poll row, of which
 *     {@code burst} are Cutover's (0: not measured)
 * @param samples samples of each latency (gate → switch, switch back, drift)
 * @param decideRuns JMH iterations of the decide microbenchmarks
 * @param pollRuns JMH iterations of the inventory poll microbenchmark
 * @param burstPatience how long the burst may take to be all Live (and a resync to finish)
 */
record Sizes(boolean full, List<Integer> fleets, List<Integer> smallReleases, int burst,
    int accountInstances, int samples, Jmh decideRuns, Jmh pollRuns, Duration burstPatience) {

  /** One fork; warm-up and measured iterations of {@code iteration} each. */
  record Jmh(int warmups, int iterations, Duration iteration) {}

  static final Sizes QUICK = new Sizes(false, List.of(1, 10), List.of(1, 10), 100, 0, 5,
      new Jmh(2, 3, Duration.ofSeconds(1)), new Jmh(1, 3, Duration.ofSeconds(1)),
      Duration.ofMinutes(5));
  static final Sizes FULL = new Sizes(true, List.of(1, 10, 100), List.of(1, 10), 1000, 10_000,
      5, new Jmh(5, 10, Duration.ofSeconds(1)), new Jmh(3, 5, Duration.ofSeconds(2)),
      Duration.ofMinutes(25));

  static Sizes of(String[] args) {
    Sizes sizes = args.length > 0 && args[0].equals("full") ? FULL : QUICK;
    // "burst=N" (with only=...): another number of Releases for a trial of the scale cases.
    for (String arg : args) {
      if (arg.startsWith("burst=")) {
        sizes = new Sizes(sizes.full, sizes.fleets, sizes.smallReleases,
            Integer.parseInt(arg.substring(6)), sizes.accountInstances, sizes.samples,
            sizes.decideRuns, sizes.pollRuns, sizes.burstPatience);
      }
    }
    return sizes;
  }

  String command() {
    return full ? "BENCH=full make bench" : "make bench";
  }

  String describe() {
    return full ? "Full sizes: fleets up to 100, " + burst + " Releases, " + accountInstances
        + " instances in the account."
        : "Quick sizes: fleets up to " + fleets.get(fleets.size() - 1) + ", " + burst
            + " Releases; `BENCH=full make bench` runs fleets of 100, 1,000 Releases and 10,000"
            + " instances in the account.";
  }
}
