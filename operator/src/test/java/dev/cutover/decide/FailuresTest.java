package dev.cutover.decide;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.decide.Action.Launch;
import dev.cutover.decide.Action.Terminate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A failure belongs to the action that failed, and is retried with a bounded backoff. */
class FailuresTest {

  static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

  @Test
  void aRefusedTerminationBlamesNoFleet() {
    Given g = Given.release("1.0.0", 1);
    Failures.Refusal r = Failures.onFailure(g.release,
        new Terminate(List.of("i-1"), "0.9.0", "Superseded"), "OperationNotPermitted",
        "protected", false, NOW);
    assertThat(r.fleetFailure()).isNull();
    assertThat(r.error().action).isEqualTo("TerminateInstances/i-1");
    assertThat(r.error().retryAt).isEqualTo(NOW.plusSeconds(10).toString());
  }

  @Test
  void aLaunchRefusedForASpecReasonFailsThatFleetOnly() {
    Given g = Given.release("2.0.0", 1);
    Failures.Refusal r = Failures.onFailure(g.release, launch("fleet-b", "Staging"),
        "InvalidAMIID.NotFound", "no such image", false, NOW);
    assertThat(r.fleetFailure().fleetId).isEqualTo("fleet-b");
    assertThat(r.fleetFailure().reason).isEqualTo("InvalidAMIIDNotFound");
  }

  @Test
  void capacityAndProductionLaunchesAreRetriedNotFailed() {
    Given g = Given.release("2.0.0", 1);
    assertThat(Failures.onFailure(g.release, launch("f", "Staging"),
        "InsufficientInstanceCapacity", "none", false, NOW).fleetFailure()).isNull();
    assertThat(Failures.onFailure(g.release, launch("f", "Relaunched"),
        "InvalidAMIID.NotFound", "gone", false, NOW).fleetFailure()).isNull();
  }

  @Test
  void theSameFailureAgainDoublesTheWaitUpToFiveMinutes() {
    Given g = Given.release("2.0.0", 1);
    Action terminate = new Terminate(List.of("i-1"), "1", "Superseded");
    Failures.Refusal r = null;
    for (int i = 0; i < 12; i++) {
      r = Failures.onFailure(g.release, terminate, "OperationNotPermitted", "p", false, NOW);
      g.release.getStatus().errors = List.of(r.error());
    }
    assertThat(r.error().attempts).isEqualTo(12);
    assertThat(Instant.parse(r.error().retryAt)).isEqualTo(NOW.plus(Duration.ofMinutes(5)));
    assertThat(Failures.backoff(1, false)).isEqualTo(Duration.ofSeconds(10));
    assertThat(Failures.backoff(2, false)).isEqualTo(Duration.ofSeconds(20));
    assertThat(Failures.backoff(1, true)).isEqualTo(Duration.ofSeconds(2));
  }

  private static Launch launch(String fleetId, String purpose) {
    return new Launch(fleetId, "2.0.0", List.of(0), "subnet-1", List.of(), purpose);
  }
}
