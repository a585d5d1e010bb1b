package dev.cutover.decide;

import static dev.cutover.decide.Given.T0;
import static dev.cutover.decide.Given.release;
import static dev.cutover.ec2.InstanceState.RUNNING;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.act.LaunchRequests;
import dev.cutover.api.Intent;
import dev.cutover.api.Phase;
import dev.cutover.api.Promotion;
import dev.cutover.decide.Action.Launch;
import dev.cutover.status.StatusBuilder;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Safety properties that take more than one row: what status says after a decision, and what
 * the next decision makes of it.
 */
class DeciderSafetyTest {

  static final Instant LATER = T0.plus(Duration.ofMinutes(1));

  @Test
  void theFleetThatServedJustBeforeIsRetainedWhenTheStatusAfterTheSwitchWasLost() {
    Given g = release("3.0.0", 1).fleet("3.0.0", 1, RUNNING).eipOn("3.0.0", 0)
        .fleet("2.0.0", 1, RUNNING).fleet("1.0.0", 1, RUNNING).active("2.0.0")
        .previous("1.0.0", T0.plus(Duration.ofHours(2))).at(LATER);
    Plan plan = g.decide();
    assertThat(g.status(plan).previousFleet.version).isEqualTo("2.0.0");
    assertThat(g.status(plan).activeFleet.version).isEqualTo("3.0.0");
  }

  @Test
  void aSwitchIsAnnouncedAsAnIntentBeforeTheCall() {
    Given g = release("2.0.0", 1).fleet("1.0.0", 1, RUNNING).eipOn("1.0.0", 0).active("1.0.0")
        .fleet("2.0.0", 1, RUNNING).staging("2.0.0", T0, null).at(LATER);
    Plan plan = g.decide();
    assertThat(plan.intent()).isPresent();
    Intent intent = plan.intent().get();
    assertThat(intent.kind).isEqualTo(Intent.Kind.Switch);
    assertThat(intent.fromVersion).isEqualTo("1.0.0");
    assertThat(intent.toVersion).isEqualTo("2.0.0");
    assertThat(g.status(plan).intent).as("the status after the call clears it").isNull();
  }

  @Test
  void aVerifiedFleetStaysVerifiedThroughAFailingCheckAndPastTheDeadline() {
    Given g = release("2.0.0", 1).fleet("1.0.0", 1, RUNNING).eipOn("1.0.0", 0).active("1.0.0")
        .spec(r -> r.getSpec().promotion.mode = Promotion.Mode.Manual).httpCheck()
        .fleet("2.0.0", 1, RUNNING).http("2.0.0", 0, 0, 1).staging("2.0.0", T0, LATER)
        .at(T0.plus(Duration.ofHours(1)));
    Plan first = g.decide();
    assertThat(g.status(first).stagingFleet.verifiedAt).isEqualTo(LATER.toString());
    g.release.setStatus(g.status(first));
    g.at(g.now.plusSeconds(5));
    Plan second = g.decide();
    assertThat(g.summary(second)).isEmpty();
    assertThat(g.status(second).phase).isEqualTo(Phase.Verifying);
  }

  @Test
  void theLaunchTokenDoesNotDependOnTheGeneration() {
    Given first = release("1.0.0", 3).generation(1);
    Given second = release("1.0.0", 3).generation(7);
    assertThat(token(second, second.decide())).isEqualTo(token(first, first.decide()));
  }

  @Test
  void pausedWritesNoSwitchItDidNotMake() {
    Given g = release("2.0.0", 1).fleet("1.0.0", 1, RUNNING).eipOn("1.0.0", 0).active("1.0.0")
        .fleet("2.0.0", 1, RUNNING).staging("2.0.0", T0, null)
        .spec(r -> r.getSpec().paused = true).at(LATER);
    Plan plan = g.decide();
    assertThat(plan.actions()).isEmpty();
    assertThat(plan.intent()).isEmpty();
    assertThat(g.status(plan).history).isEmpty();
    assertThat(g.status(plan).activeFleet.version).isEqualTo("1.0.0");
    assertThat(plan.health().reason()).isEqualTo("Paused");
    assertThat(plan.health().message()).contains("1 change is waiting");
  }

  @Test
  void aRevertRecordsTheFailureInItsIntentSoALostStatusCannotRetryTheFailedFleet() {
    Given g = release("2.0.0", 1).httpCheck().fleet("2.0.0", 1, RUNNING).eipOn("2.0.0", 0)
        .activeSince("2.0.0", LATER).fleet("1.0.0", 1, RUNNING)
        .previous("1.0.0", T0.plus(Duration.ofHours(2))).http("2.0.0", 0, 0, 2)
        .at(LATER.plusSeconds(30));
    Plan plan = g.decide();
    assertThat(plan.intent().map(i -> i.reason)).contains("Reverted");
    var written = StatusBuilder.withIntent(g.release, plan);
    assertThat(written.lastFailure.reason).isEqualTo("PostSwitchCheckFailed");
    assertThat(written.activeFleet.version).as("nothing claimed before the call")
        .isEqualTo("2.0.0");
  }

  @Test
  void aSwitchWhoseStatusWasLostIsInTheHistoryWithTheReasonItsIntentRecorded() {
    Given g = release("2.0.0", 1).fleet("1.0.0", 1, RUNNING).eipOn("1.0.0", 0)
        .activeSince("2.0.0", T0).fleet("2.0.0", 1, RUNNING)
        .switchIntent("2.0.0", "1.0.0", "Reverted", LATER).failedPostSwitch("2.0.0", 1)
        .at(LATER.plusSeconds(1));
    Plan plan = g.decide();
    assertThat(g.status(plan).history).last().satisfies(h -> {
      assertThat(h.from).isEqualTo("2.0.0");
      assertThat(h.to).isEqualTo("1.0.0");
      assertThat(h.reason).isEqualTo("Reverted");
    });
    assertThat(g.status(plan).activeFleet.version).isEqualTo("1.0.0");
    assertThat(g.status(plan).previousFleet).as("the failed fleet is not retained").isNull();
  }

  @Test
  void anInstanceEcTwoRefusesToTerminateIsReportedAsHeldNotForgotten() {
    Given g = release("3.0.0", 1).fleet("1.0.0", 1, RUNNING).eipOn("1.0.0", 0).active("1.0.0")
        .fleet("2.0.0", 1, RUNNING).staging("3.0.0", LATER, null)
        .refusedTermination("2.0.0", 0, LATER.plusSeconds(60)).at(LATER);
    var status = g.status(g.decide());
    assertThat(status.heldFleets).singleElement().satisfies(h -> {
      assertThat(h.version).isEqualTo("2.0.0");
      assertThat(h.reason).isEqualTo("TerminationRefused");
      assertThat(h.until).isEqualTo(LATER.plusSeconds(60).toString());
    });
  }

  @Test
  void theFirstPromotionWhoseStatusWasLostIsInTheHistory() {
    Given g = release("1.0.0", 1).fleet("1.0.0", 1, RUNNING).eipOn("1.0.0", 0)
        .staging("1.0.0", T0, T0).at(LATER);
    var intent = new Intent();
    intent.kind = Intent.Kind.Switch;
    intent.toFleet = g.fleetId("1.0.0");
    intent.toVersion = "1.0.0";
    intent.reason = "Promoted";
    intent.at = T0.toString();
    g.release.getStatus().intent = intent;
    var status = g.status(g.decide());
    assertThat(status.history).singleElement().satisfies(h -> {
      assertThat(h.from).isNull();
      assertThat(h.to).isEqualTo("1.0.0");
      assertThat(h.reason).isEqualTo("Promoted");
    });
  }

  @Test
  void theSameSwitchTriedAgainKeepsTheTimeOfItsFirstIntent() {
    Given g = release("2.0.0", 1).fleet("1.0.0", 1, RUNNING).eipOn("1.0.0", 0).active("1.0.0")
        .fleet("2.0.0", 1, RUNNING).staging("2.0.0", T0, T0)
        .switchIntent("1.0.0", "2.0.0", "Promoted", T0).at(LATER);
    assertThat(g.decide().intent().orElseThrow().at).isEqualTo(T0.toString());
  }

  private static String token(Given g, Plan plan) {
    return plan.actions().stream().filter(a -> a instanceof Launch).map(a -> LaunchRequests
        .of(g.release, (Launch) a).clientToken()).findFirst().orElseThrow();
  }
}
