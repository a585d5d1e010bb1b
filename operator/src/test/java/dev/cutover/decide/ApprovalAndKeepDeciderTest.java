package dev.cutover.decide;

import static dev.cutover.decide.Given.T0;
import static dev.cutover.decide.Given.release;
import static dev.cutover.ec2.InstanceState.RUNNING;
import static dev.cutover.ec2.InstanceState.TERMINATED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.api.Drain;
import dev.cutover.api.DrainCall;
import dev.cutover.api.Phase;
import dev.cutover.api.Promotion;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.decide.Action.Associate;
import dev.cutover.ec2.ManagedInstance.StatusChecks;
import dev.cutover.status.StatusBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Approval expiry (promotion.approvalTimeout) and a failed fleet kept for debugging
 * (verification.keepFailedFor) as tables, with the clock the test's: an unapproved verified
 * fleet is abandoned when its time passes, a failed one stays until its time passes; neither
 * ever receives a production address.
 */
class ApprovalAndKeepDeciderTest {

  /** When the staging fleet of 2.0.0 was verified. */
  static final Instant VERIFIED = T0.plus(Duration.ofMinutes(1));
  static final Duration TIMEOUT = Duration.ofMinutes(30);
  static final Instant EXPIRY = VERIFIED.plus(TIMEOUT);
  /** When a staging fleet of 2.0.0 launched at T0 that never passed its checks fails. */
  static final Instant DEADLINE = T0.plus(Duration.ofMinutes(15));
  static final Duration KEEP = Duration.ofHours(1);

  // ---------------------------------------------------------------- approval expiry

  static Stream<Arguments> approval() {
    return Stream.of(
        row("before the expiry: waits for the approval, nothing is done",
            () -> awaiting().at(EXPIRY.minusSeconds(1)),
            Phase.AwaitingPromotion),
        row("at the expiry: the fleet is abandoned and terminated, production untouched",
            () -> awaiting().at(EXPIRY),
            Phase.Failed, "terminate [2.0.0/0, 2.0.0/1]"),
        row("long after the expiry (no pass in between): abandoned all the same",
            () -> awaiting().at(EXPIRY.plus(Duration.ofHours(6))),
            Phase.Failed, "terminate [2.0.0/0, 2.0.0/1]"),
        row("the expiry counts from the end of the soak",
            () -> awaiting().spec(r -> r.getSpec().promotion.soak = "10m")
                .at(EXPIRY.plus(Duration.ofMinutes(9))),
            Phase.AwaitingPromotion),
        row("the soak counted, the expiry passed: abandoned",
            () -> awaiting().spec(r -> r.getSpec().promotion.soak = "10m")
                .at(EXPIRY.plus(Duration.ofMinutes(10))),
            Phase.Failed, "terminate [2.0.0/0, 2.0.0/1]"),
        row("approved at the expiry: the switch, the timeout no longer counts",
            () -> awaiting().change(r -> r.getSpec().promotion.approvedVersion = "2.0.0")
                .at(EXPIRY),
            Phase.Live, "associate 2.0.0/0"),
        row("a longer timeout before the expiry: the same fleet waits on",
            () -> awaiting().change(r -> r.getSpec().promotion.approvalTimeout = "2h")
                .at(EXPIRY),
            Phase.AwaitingPromotion),
        row("checks failing again after the verification: the approval's time runs on",
            () -> awaiting().httpCheck().http("2.0.0", 0, 0, 3).http("2.0.0", 1, 3, 0)
                .at(EXPIRY),
            Phase.Failed, "terminate [2.0.0/0, 2.0.0/1]"),
        row("without a timeout a verified fleet waits forever (as before)",
            () -> awaiting().spec(r -> r.getSpec().promotion.approvalTimeout = null)
                .at(EXPIRY.plus(Duration.ofDays(30))),
            Phase.AwaitingPromotion),
        row("an expired approval with keepFailedFor: not kept, it did not fail",
            () -> awaiting().spec(r -> r.getSpec().verification.keepFailedFor = "1h")
                .at(EXPIRY),
            Phase.Failed, "terminate [2.0.0/0, 2.0.0/1]"),
        row("with spec.drain: the abandoned fleet drains first (people may be trying it)",
            () -> awaiting().spec(r -> r.getSpec().drain = drain()).at(EXPIRY),
            Phase.Failed, "drain [2.0.0/0, 2.0.0/1]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("approval")
  void approvalExpiry(String description, Supplier<Given> given, Phase phase,
      List<String> actions) {
    Given g = given.get();
    Plan plan = g.decide();
    assertThat(g.summary(plan)).as("actions").containsExactlyElementsOf(actions);
    assertThat(plan.facts().phase()).as("phase").isEqualTo(phase);
    assertThat(plan.facts().active()).as("production").hasValueSatisfying(
        a -> assertThat(a.fleet().version()).isEqualTo(phase == Phase.Live ? "2.0.0" : "1.0.0"));
  }

  @Test
  void waitingForTheApprovalLooksAgainAtTheExpiryAndSaysWhen() {
    Given g = awaiting().at(VERIFIED.plusSeconds(10));
    Plan plan = g.decide();
    assertThat(plan.wakeAt()).contains(EXPIRY);
    assertThat(plan.health().message()).contains("before " + EXPIRY)
        .contains("promotion.approvalTimeout");
  }

  @Test
  void anExpiredApprovalIsAFailureThatBlocksTheFleetAndNamesTheTimeout() {
    Given g = awaiting().at(EXPIRY);
    ReleaseStatus status = g.reconcile();
    assertThat(status.phase).isEqualTo(Phase.Failed);
    assertThat(status.lastFailure.reason).isEqualTo("ApprovalExpired");
    assertThat(status.lastFailure.fleetId).isEqualTo(g.fleetId("2.0.0"));
    assertThat(status.lastFailure.generation).isEqualTo(1L);
    assertThat(status.lastFailure.keptUntil).isNull();
    assertThat(status.stagingFleet).isNull();
    assertThat(status.activeFleet.version).isEqualTo("1.0.0");
    var stalled = StatusBuilder.find(status, StatusBuilder.STALLED);
    assertThat(stalled.getStatus()).isEqualTo("True");
    assertThat(stalled.getReason()).isEqualTo("ApprovalExpired");
    assertThat(stalled.getMessage()).contains("promotion.approvalTimeout (30m")
        .contains("Production is untouched")
        .contains("set promotion.approvedVersion to 2.0.0");

    // The instances are still listed on the next pass: terminated again, never launched anew.
    Plan again = g.at(EXPIRY.plusSeconds(5)).decide();
    assertThat(g.summary(again)).containsExactly("terminate [2.0.0/0, 2.0.0/1]");
    assertThat(again.facts().phase()).isEqualTo(Phase.Failed);
    assertThat(again.actions()).noneMatch(a -> a instanceof Associate);
  }

  @Test
  void approvingAfterTheExpiryLaunchesTheVersionAgainAndSwitchesOnceVerified() {
    Given g = awaiting().at(EXPIRY);
    g.reconcile();
    g.change(r -> r.getSpec().promotion.approvedVersion = "2.0.0").at(EXPIRY.plusSeconds(5));

    // The abandoned instances are still listed running: they go first, nothing is reused.
    Plan replacing = g.decide();
    assertThat(g.summary(replacing)).containsExactly("terminate [2.0.0/0, 2.0.0/1]");
    assertThat(replacing.facts().phase()).isEqualTo(Phase.Provisioning);
    assertThat(replacing.health().reason()).isEqualTo("ReplacingFailedAttempt");
    g.reconcile();

    gone(g, "2.0.0");
    Plan launching = g.at(EXPIRY.plusSeconds(30)).decide();
    assertThat(g.summary(launching)).containsExactly("launch 2.0.0 [0, 1]");
    g.reconcile();

    Instant relaunched = EXPIRY.plusSeconds(30);
    g.fleet("2.0.0", 2, RUNNING, StatusChecks.OK, relaunched);
    Plan switching = g.at(relaunched.plusSeconds(60)).decide();
    assertThat(g.summary(switching)).containsExactly("associate 2.0.0/0");
  }

  // ---------------------------------------------------------------- keep a failed fleet

  static Stream<Arguments> keep() {
    return Stream.of(
        row("the deadline passes: the failed fleet is kept, nothing is terminated",
            () -> failing().at(DEADLINE),
            Phase.Failed),
        row("keepFailedFor 0s (the default): terminated at once, as before",
            () -> failing().spec(r -> r.getSpec().verification.keepFailedFor = "0s")
                .at(DEADLINE),
            Phase.Failed, "terminate [2.0.0/0, 2.0.0/1]"),
        row("a check failing during the soak: kept as well",
            () -> live("1.0.0", 1).spec(r -> {
              r.getSpec().version = "2.0.0";
              r.getSpec().promotion.soak = "10m";
              r.getSpec().verification.keepFailedFor = "1h";
            }).httpCheck().fleet("2.0.0", 1, RUNNING).http("2.0.0", 0, 0, 3)
                .staging("2.0.0", T0, VERIFIED).at(VERIFIED.plusSeconds(30)),
            Phase.Failed),
        row("production lost its address while the failed fleet is kept: it goes back to "
                + "production's own instance, never to the kept fleet",
            () -> keptFailed().noEipHolder().at(DEADLINE.plus(Duration.ofMinutes(5))),
            Phase.Failed, "associate 1.0.0/0"),
        row("production's instances all gone while the failed fleet is kept: production is "
                + "relaunched, the kept fleet never gets the address",
            () -> {
              Given g = keptFailed();
              gone(g, "1.0.0");
              return g.noEipHolder().at(DEADLINE.plus(Duration.ofMinutes(5)));
            },
            Phase.Failed, "launch 1.0.0 [0, 1]"),
        row("during the keep: nothing is terminated",
            () -> keptFailed().at(DEADLINE.plus(KEEP).minusSeconds(1)),
            Phase.Failed),
        row("the keep is over: terminated",
            () -> keptFailed().at(DEADLINE.plus(KEEP)),
            Phase.Failed, "terminate [2.0.0/0, 2.0.0/1]"),
        row("a new version during the keep: the kept fleet is superseded and terminated",
            () -> keptFailed().change(r -> r.getSpec().version = "3.0.0")
                .at(DEADLINE.plus(Duration.ofMinutes(5))),
            Phase.Provisioning, "terminate [2.0.0/0, 2.0.0/1]", "launch 3.0.0 [0, 1]"),
        row("a spec change naming the same fleet during the keep: the kept instances go "
                + "before the version is launched again, never reused",
            () -> keptFailed().change(r -> r.getSpec().verification.keepFailedFor = "2h")
                .at(DEADLINE.plus(Duration.ofMinutes(5))),
            Phase.Provisioning, "terminate [2.0.0/0, 2.0.0/1]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keep")
  void keepFailedFor(String description, Supplier<Given> given, Phase phase,
      List<String> actions) {
    Given g = given.get();
    Plan plan = g.decide();
    assertThat(g.summary(plan)).as("actions").containsExactlyElementsOf(actions);
    assertThat(plan.facts().phase()).as("phase").isEqualTo(phase);
    assertThat(plan.actions()).as("no address moves to 2.0.0").noneMatch(a ->
        a instanceof Associate as && g.instances.stream().anyMatch(i ->
            i.id().equals(as.instanceId()) && i.version().equals("2.0.0")));
  }

  @Test
  void aKeptFailedFleetIsReportedWithItsEndAndLooksAgainThen() {
    Given g = failing().at(DEADLINE);
    Plan plan = g.decide();
    Instant until = DEADLINE.plus(KEEP);
    assertThat(plan.wakeAt()).contains(until);
    ReleaseStatus status = g.status(plan);
    assertThat(status.lastFailure.reason).isEqualTo("DeadlineExceeded");
    assertThat(status.lastFailure.keptUntil).isEqualTo(until.toString());
    assertThat(status.heldFleets).singleElement().satisfies(h -> {
      assertThat(h.id).isEqualTo(g.fleetId("2.0.0"));
      assertThat(h.reason).isEqualTo("KeptForDebugging");
      assertThat(h.until).isEqualTo(until.toString());
      assertThat(h.instanceIds).containsExactlyInAnyOrder(g.id("2.0.0", 0), g.id("2.0.0", 1));
    });
    assertThat(StatusBuilder.find(status, StatusBuilder.STALLED).getMessage())
        .contains("kept for debugging until " + until)
        .contains("never receives production traffic");
  }

  @Test
  void theKeepCountsFromTheRecordedFailureAcrossPasses() {
    Given g = keptFailed();
    Instant until = DEADLINE.plus(KEEP);
    Plan during = g.at(DEADLINE.plus(Duration.ofMinutes(40))).decide();
    assertThat(during.wakeAt()).contains(until);
    assertThat(g.status(during).heldFleets).singleElement()
        .satisfies(h -> assertThat(h.until).isEqualTo(until.toString()));
    assertThat(g.status(during).lastFailure.keptUntil).isEqualTo(until.toString());

    g.reconcile();
    ReleaseStatus after = g.at(until).reconcile();
    assertThat(after.heldFleets).isNull();
    assertThat(after.phase).isEqualTo(Phase.Failed);
    assertThat(StatusBuilder.find(after, StatusBuilder.STALLED).getMessage())
        .doesNotContain("kept for debugging");
  }

  @Test
  void aKeptFleetWhoseHeldEntryWasNotWrittenIsStillKeptByItsFailure() {
    Given g = keptFailed();
    g.release.getStatus().heldFleets = null;
    Plan plan = g.at(DEADLINE.plus(Duration.ofMinutes(1))).decide();
    assertThat(plan.actions()).isEmpty();
    assertThat(plan.facts().held()).singleElement()
        .satisfies(k -> assertThat(k.reason()).isEqualTo("KeptForDebugging"));
  }

  // ---------------------------------------------------------------- the worlds

  /** 1.0.0 serves; 2.0.0 is verified at VERIFIED and waits for an approval (timeout 30m). */
  private static Given awaiting() {
    return live("1.0.0", 2).spec(r -> {
      r.getSpec().version = "2.0.0";
      r.getSpec().promotion.mode = Promotion.Mode.Manual;
      r.getSpec().promotion.approvedVersion = "1.0.0";
      r.getSpec().promotion.approvalTimeout = "30m";
    }).fleet("2.0.0", 2, RUNNING).staging("2.0.0", T0, VERIFIED);
  }

  /** 1.0.0 serves; 2.0.0 (keepFailedFor 1h) never passes its status checks. */
  private static Given failing() {
    return live("1.0.0", 2).spec(r -> {
      r.getSpec().version = "2.0.0";
      r.getSpec().verification.keepFailedFor = "1h";
    }).fleet("2.0.0", 2, RUNNING, StatusChecks.PENDING, T0).staging("2.0.0", T0, null);
  }

  /** {@link #failing} after the pass that failed it at the deadline. */
  private static Given keptFailed() {
    Given g = failing().at(DEADLINE);
    g.reconcile();
    return g;
  }

  private static void gone(Given g, String version) {
    g.instances.replaceAll(i -> i.version().equals(version) ? i.withState(TERMINATED) : i);
  }

  private static Drain drain() {
    Drain d = new Drain();
    d.timeout = "30s";
    d.http = new DrainCall();
    d.http.port = 8080;
    d.http.path = "/drain";
    return d;
  }

  private static Given live(String version, int size) {
    return release(version, size).fleet(version, size, RUNNING).eipOn(version, 0)
        .active(version);
  }

  private static Arguments row(String description, Supplier<Given> given, Phase phase,
      String... actions) {
    return Arguments.of(description, given, phase, List.of(actions));
  }
}
