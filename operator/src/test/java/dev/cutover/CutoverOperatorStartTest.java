package dev.cutover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.sim.SimClock;
import dev.cutover.sim.SimulatedEc2;
import dev.cutover.sim.SimulatedEc2.Fault;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The read of EC2 that a process makes before it starts (the process test runs the real one). */
class CutoverOperatorStartTest {

  final SimulatedEc2 ec2 = new SimulatedEc2(new SimClock(Instant.parse("2026-11-27T12:00:00Z")));
  final Ec2Gateway gateway = new Ec2Gateway(ec2);
  final OperatorConfig config = OperatorConfig.fromEnvironment(Map.of(
      "CUTOVER_EC2_ENDPOINT", "http://127.0.0.1:4566", "CUTOVER_REGION", "eu-west-1"));

  @Test
  void refusedCredentialsEndTheStartAtOnceSayingWhy() {
    ec2.failNext("DescribeAddresses", Fault.error("AuthFailure", 401));

    long started = System.nanoTime();
    IllegalStateException refused = catchThrowableOfType(IllegalStateException.class,
        () -> CutoverOperator.requireEc2(gateway, config, Duration.ofSeconds(20)));

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    assertThat(refused).hasMessageStartingWith("EC2 in eu-west-1 at http://127.0.0.1:4566 "
        + "cannot be used: DescribeAddresses failed: AuthFailure");
  }

  @Test
  void aPassingServerErrorIsWaitedFor() {
    ec2.failNext("DescribeAddresses", Fault.internalError());
    CutoverOperator.requireEc2(gateway, config, Duration.ofSeconds(20));
    assertThat(ec2.calls()).extracting(SimulatedEc2.Call::operation)
        .containsExactly("DescribeAddresses", "DescribeAddresses");
  }

  @Test
  void aLastingServerErrorEndsTheStartAfterTheWindow() {
    for (int i = 0; i < 5; i++) {
      ec2.failNext("DescribeAddresses", Fault.internalError());
    }
    IllegalStateException refused = catchThrowableOfType(IllegalStateException.class,
        () -> CutoverOperator.requireEc2(gateway, config, Duration.ZERO));
    assertThat(refused).hasMessageContaining("cannot be used (still failing after 0 s)")
        .hasMessageContaining("InternalError");
  }
}
