package dev.cutover.bench;

import java.time.Duration;
import java.util.List;

/** Order statistics of a few samples, and how they are written. */
final class Stats {

  private Stats() {}

  /** The median (the mean of the two middle values for an even count). */
  static double median(List<? extends Number> samples) {
    List<Double> sorted = samples.stream().map(Number::doubleValue).sorted().toList();
    int n = sorted.size();
    if (n == 0) {
      return Double.NaN;
    }
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  static long medianMillis(List<Duration> samples) {
    return Math.round(median(samples.stream().map(Duration::toMillis).toList()));
  }

  /** "312, 401, 455, 470, 620 ms": every sample, sorted. */
  static String millis(List<Duration> samples) {
    return String.join(", ", samples.stream().map(Duration::toMillis).sorted()
        .map(String::valueOf).toList()) + " ms";
  }

  static long mib(double bytes) {
    return Math.round(bytes / 1048576.0);
  }
}
