package dev.cutover.observe;

import dev.cutover.ec2.Ec2Gateway;
import java.util.Optional;

/** The metric checks a reconcile reads and steers: the real checker, or none. */
public interface MetricResults {

  /**
   * Measures {@code target} from now on (the same target goes on; another starts over); empty
   * stops the Release's checks. {@code gateway} is the Release's account and region (CloudWatch
   * is read with its credentials).
   */
  void watch(String releaseKey, Optional<MetricTarget> target, Ec2Gateway gateway);

  MeasuredMetrics results(String releaseKey);

  /** No metric checks run (a Release without them never waits for one). */
  MetricResults NONE = new MetricResults() {
    @Override
    public void watch(String releaseKey, Optional<MetricTarget> target, Ec2Gateway gateway) {}

    @Override
    public MeasuredMetrics results(String releaseKey) {
      return MeasuredMetrics.NONE;
    }
  };
}
