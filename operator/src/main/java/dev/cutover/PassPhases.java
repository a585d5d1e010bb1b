package dev.cutover;

import dev.cutover.api.Release;
import dev.cutover.status.ReleaseEvents;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Where one pass of a Release spent its time, for {@code cutover_reconcile_phase_seconds}:
 * waiting for observations, in EC2's mutating calls, waiting for the API server (the status
 * written before acting, Events, the Release read again before each mutating call), and the
 * rest. A pass runs on one thread, which is how the Events it records find it.
 */
final class PassPhases {

  /** The phases of the pass this thread runs, for the Events it records. */
  private static final ThreadLocal<PassPhases> CURRENT = new ThreadLocal<>();

  private final long started = System.nanoTime();
  Duration dataWait = Duration.ZERO;
  Duration ec2Calls = Duration.ZERO;
  private long apiNanos;

  private PassPhases() {}

  /** A pass begins on this thread. */
  static PassPhases begin() {
    PassPhases phases = new PassPhases();
    CURRENT.set(phases);
    return phases;
  }

  /** The pass ends: its phases are recorded. */
  void end(CutoverMetrics metrics) {
    CURRENT.remove();
    Duration apiServer = Duration.ofNanos(apiNanos);
    metrics.reconcilePhases(dataWait, ec2Calls, apiServer, Duration.ofNanos(
        System.nanoTime() - started).minus(dataWait).minus(ec2Calls).minus(apiServer));
  }

  ReleasePass.StatusWriter timed(ReleasePass.StatusWriter writer) {
    return (release, status) -> withApiServer(() -> {
      writer.write(release, status);
      return null;
    });
  }

  BooleanSupplier timed(BooleanSupplier read) {
    return () -> withApiServer(read::getAsBoolean);
  }

  private <T> T withApiServer(Supplier<T> call) {
    long start = System.nanoTime();
    try {
      return call.get();
    } finally {
      apiNanos += System.nanoTime() - start;
    }
  }

  /** Events whose recording counts as the running pass's time with the API server. */
  static ReleaseEvents timed(ReleaseEvents events) {
    return new ReleaseEvents() {
      @Override
      public void normal(Release release, String reason, String message) {
        recorded(() -> events.normal(release, reason, message));
      }

      @Override
      public void warning(Release release, String reason, String message) {
        recorded(() -> events.warning(release, reason, message));
      }

      private void recorded(Runnable recording) {
        PassPhases phases = CURRENT.get();
        if (phases == null) {
          recording.run();
        } else {
          phases.withApiServer(() -> {
            recording.run();
            return null;
          });
        }
      }
    };
  }
}
