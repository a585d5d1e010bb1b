package dev.cutover.testworld;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.awaitility.core.ConditionFactory;

/**
 * How long the integration tests wait, named by what they wait for. A wait that runs out fails
 * the test: these bound failing runs, a passing run waits only as long as it takes.
 */
public final class Patience {

  /**
   * An operator already running in this JVM, polling every {@link Operators#POLL}, brings EC2
   * or a Release to a state: instances launched, replaced or terminated, a Release deleted.
   */
  public static final Duration RECONCILE = Duration.ofSeconds(60);

  /**
   * Longer than {@link #RECONCILE}: the wait may include operators starting and one winning a
   * Lease, a packaged operator restarting after a SIGKILL, or EC2 faults and the SDK's retries.
   * Every Release await and update ({@link ReleaseOps}) uses it, whichever operator runs.
   */
  public static final Duration LONG = Duration.ofSeconds(90);

  /**
   * A packaged operator process starts (its own JVM, then its informers) and gets to work: logs
   * that it started, reaches the EC2 call a kill was armed for.
   */
  public static final Duration PROCESS_START = Duration.ofSeconds(60);

  /** A packaged operator process that refuses its configuration exits at once: within this. */
  public static final Duration PROCESS_EXIT = Duration.ofSeconds(30);

  /** The API server acts on a CRD: establishes it, serves it, publishes its OpenAPI. */
  public static final Duration API_SERVER = Duration.ofSeconds(30);

  /** HTTP checks run every 200 ms plus their timeout: several arrive within this. */
  public static final Duration HTTP_CHECKS = Duration.ofSeconds(10);

  /** Something that must not happen does not, for three poll intervals of the operator. */
  public static final Duration STEADY = Duration.ofSeconds(3);

  private Patience() {}

  /** An await whose condition must hold for {@link #STEADY}. */
  public static ConditionFactory steady() {
    return await().during(STEADY).atMost(STEADY.plusSeconds(2));
  }
}
