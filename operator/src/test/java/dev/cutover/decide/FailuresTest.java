package dev.cutover.decide;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.act.LaunchRequest;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.decide.Action.Launch;
import dev.cutover.decide.Action.Terminate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A failure belongs to the action that failed, and is retried with a bounded backoff. */
class FailuresTest {

  static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

  @Test
  void aRefusedTerminationBlamesNoFleet() {
    Given g = Given.release("1.0.0", 1);
    ReleaseStatus s = Failures.onFailure(g.release, new ReleaseStatus(),
        new Terminate(List.of("i-1"), "0.9.0", "Superseded"), "OperationNotPermitted",
        "protected", false, NOW);
    assertThat(s.lastFailure).isNull();
    assertThat(s.lastError.action).isEqualTo("TerminateInstances");
    assertThat(s.lastError.retryAt).isEqualTo(NOW.plusSeconds(10).toString());
  }

  @Test
  void aLaunchRefusedForASpecReasonFailsThatFleetOnly() {
    Given g = Given.release("2.0.0", 1);
    ReleaseStatus s = Failures.onFailure(g.release, new ReleaseStatus(),
        launch("fleet-b", "Staging"), "InvalidAMIID.NotFound", "no such image", false, NOW);
    assertThat(s.lastFailure.fleetId).isEqualTo("fleet-b");
    assertThat(s.lastFailure.reason).isEqualTo("InvalidAMIIDNotFound");
  }

  @Test
  void capacityAndProductionLaunchesAreRetriedNotFailed() {
    Given g = Given.release("2.0.0", 1);
    assertThat(Failures.onFailure(g.release, new ReleaseStatus(), launch("f", "Staging"),
        "InsufficientInstanceCapacity", "none", false, NOW).lastFailure).isNull();
    assertThat(Failures.onFailure(g.release, new ReleaseStatus(), launch("f", "Relaunched"),
        "InvalidAMIID.NotFound", "gone", false, NOW).lastFailure).isNull();
  }

  @Test
  void theSameFailureAgainDoublesTheWaitUpToFiveMinutes() {
    Given g = Given.release("2.0.0", 1);
    ReleaseStatus s = new ReleaseStatus();
    Action terminate = new Terminate(List.of("i-1"), "1", "Superseded");
    for (int i = 0; i < 12; i++) {
      s = Failures.onFailure(g.release, s, terminate, "OperationNotPermitted", "p", false, NOW);
    }
    assertThat(s.lastError.attempts).isEqualTo(12);
    assertThat(Instant.parse(s.lastError.retryAt)).isEqualTo(NOW.plus(Duration.ofMinutes(5)));
    assertThat(Failures.backoff(1, false)).isEqualTo(Duration.ofSeconds(10));
    assertThat(Failures.backoff(2, false)).isEqualTo(Duration.ofSeconds(20));
    assertThat(Failures.backoff(1, true)).isEqualTo(Duration.ofSeconds(2));
  }

  private static Launch launch(String fleetId, String purpose) {
    return new Launch(new LaunchRequest("t", "ami-1", "t3.small", "subnet-1", List.of(), null,
        null, null, Map.of(), 1), fleetId, "2.0.0", List.of(0), purpose);
  }
}
