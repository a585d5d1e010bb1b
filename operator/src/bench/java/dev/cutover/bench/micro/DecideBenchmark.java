package dev.cutover.bench.micro;

import static dev.cutover.ec2.InstanceState.RUNNING;

import dev.cutover.api.Phase;
import dev.cutover.decide.Action;
import dev.cutover.decide.Decider;
import dev.cutover.decide.Given;
import dev.cutover.decide.Plan;
import dev.cutover.observe.ObservedWorld;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Deciding one Release: the pure policy ({@link Decider#decide}) on worlds built the way the
 * decide tables build them ({@link Given}). Every call is timed (sample mode): the median is
 * not moved by the calls another process preempted on a shared machine.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DecideBenchmark {

  private static final Instant LATER = Given.T0.plus(Duration.ofMinutes(1));

  private Given steady;
  private ObservedWorld steadyWorld;
  private Given blueGreen;
  private ObservedWorld blueGreenWorld;

  @Setup
  public void worlds() {
    // Live at 2.0.0 on 3 instances, the previous fleet (1.0.0, 3 instances) retained.
    steady = Given.release("2.0.0", 3).fleet("1.0.0", 3, RUNNING).fleet("2.0.0", 3, RUNNING)
        .eipOn("2.0.0", 0).active("2.0.0").previous("1.0.0", Given.T0.plus(Duration.ofHours(2)))
        .phase(Phase.Live).at(LATER);
    steadyWorld = steady.world();
    // Live at 1.0.0 on 3 instances while 3.0.0 verifies on a staging fleet of 3: HTTP checks
    // passed on two of them, one to go.
    blueGreen = Given.release("1.0.0", 3).httpCheck().fleet("1.0.0", 3, RUNNING)
        .eipOn("1.0.0", 0).active("1.0.0").phase(Phase.Live)
        .change(r -> r.getSpec().version = "3.0.0").fleet("3.0.0", 3, RUNNING)
        .staging("3.0.0", Given.T0, null).http("1.0.0", 0, 5, 0).http("3.0.0", 0, 2, 0)
        .http("3.0.0", 1, 2, 0).http("3.0.0", 2, 1, 0).at(LATER);
    blueGreenWorld = blueGreen.world();
    // The worlds must be what they claim: nothing to do, and still verifying.
    Plan quiet = decideLive();
    Plan verifying = decideDuringBlueGreen();
    if (!quiet.actions().isEmpty() || verifying.actions().stream()
        .anyMatch(a -> a instanceof Action.Associate || a instanceof Action.Launch)) {
      throw new IllegalStateException("benchmark worlds are not as described: " + quiet
          + " / " + verifying);
    }
  }

  @Benchmark
  public Plan decideLive() {
    return Decider.decide(steady.release, steadyWorld, steady.now);
  }

  @Benchmark
  public Plan decideDuringBlueGreen() {
    return Decider.decide(blueGreen.release, blueGreenWorld, blueGreen.now);
  }
}
