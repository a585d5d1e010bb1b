package dev.cutover.decide;

import static dev.cutover.decide.Given.T0;
import static dev.cutover.decide.Given.release;
import static dev.cutover.ec2.InstanceState.PENDING;
import static dev.cutover.ec2.InstanceState.RUNNING;
import static dev.cutover.ec2.InstanceState.TERMINATED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.act.LaunchRequests;
import dev.cutover.api.Drain;
import dev.cutover.api.Phase;
import dev.cutover.api.Promotion;
import dev.cutover.api.Release;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.decide.Action.Launch;
import dev.cutover.decide.Action.Terminate;
import dev.cutover.ec2.ManagedInstance.StatusChecks;
import dev.cutover.status.Narrator;
import dev.cutover.status.ReleaseEvents;
import dev.cutover.status.StatusBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Abort and retry, asked for outside the spec (annotations cutover.dev/abort and
 * cutover.dev/retry), as tables: an abort gives up a staged version the way a failed one is
 * given up and never touches what production needs; a retry forgets a failure once per token
 * and stages the version again from scratch, with new instances and new launch tokens.
 */
class AbortAndRetryDeciderTest {

  static final Instant LATER = T0.plus(Duration.ofMinutes(1));
  static final String TOKEN = "2026-11-27T12:10:00Z";

  // ---------------------------------------------------------------- abort

  static Stream<Arguments> aborts() {
    return Stream.of(
        row("not launched yet: nothing is launched for it, production untouched",
            () -> live().spec(r -> r.getSpec().version = "2.0.0").abort().at(LATER),
            Phase.Failed),
        row("booting: the staged instances are terminated",
            () -> staged(PENDING, StatusChecks.PENDING, null).abort(),
            Phase.Failed, "terminate [2.0.0/0, 2.0.0/1]"),
        row("verifying: terminated",
            () -> staged(RUNNING, StatusChecks.PENDING, null).abort(),
            Phase.Failed, "terminate [2.0.0/0, 2.0.0/1]"),
        row("soaking: terminated",
            () -> staged(RUNNING, StatusChecks.OK, T0.plusSeconds(30))
                .spec(r -> r.getSpec().promotion.soak = "10m").abort(),
            Phase.Failed, "terminate [2.0.0/0, 2.0.0/1]"),
        row("awaiting promotion: terminated",
            () -> awaiting().abort(),
            Phase.Failed, "terminate [2.0.0/0, 2.0.0/1]"),
        row("with keepFailedFor: terminated at once, not kept for debugging",
            () -> staged(RUNNING, StatusChecks.PENDING, null)
                .spec(r -> r.getSpec().verification.keepFailedFor = "1h").abort(),
            Phase.Failed, "terminate [2.0.0/0, 2.0.0/1]"),
        row("with spec.drain: terminated at once, not drained (it never served)",
            () -> staged(RUNNING, StatusChecks.PENDING, null)
                .spec(r -> r.getSpec().drain = drain()).abort(),
            Phase.Failed, "terminate [2.0.0/0, 2.0.0/1]"),
        row("already aborted, its instances still listed: terminated again, nothing launched",
            () -> aborted().at(LATER.plusSeconds(10)),
            Phase.Failed, "terminate [2.0.0/0, 2.0.0/1]"),
        row("already aborted, its instances gone: nothing more",
            () -> gone(aborted(), "2.0.0").at(LATER.plusSeconds(30)),
            Phase.Failed),
        row("production lost a slot meanwhile: production is healed, the aborted fleet is not",
            () -> {
              Given g = gone(aborted(), "2.0.0");
              g.instances.replaceAll(i -> i.version().equals("1.0.0") && i.slot() == 1
                  ? i.withState(TERMINATED) : i);
              return g.at(LATER.plusSeconds(30));
            },
            Phase.Failed, "launch 1.0.0 [1]"),
        row("a stale abort (it names an earlier generation) is ignored",
            () -> staged(PENDING, StatusChecks.PENDING, null).abort()
                .change(r -> r.getSpec().promotion.soak = "5s"),
            Phase.Provisioning),
        row("an abort that names no generation is ignored",
            () -> staged(PENDING, StatusChecks.PENDING, null).abortAnnotation("yes"),
            Phase.Provisioning),
        row("a spec change after the abort ends it: the new version is staged",
            () -> aborted().change(r -> r.getSpec().version = "3.0.0").at(LATER.plusSeconds(10)),
            Phase.Provisioning, "terminate [2.0.0/0, 2.0.0/1]", "launch 3.0.0 [0, 1]"),
        row("a version that already failed: the abort changes nothing (kept for debugging)",
            () -> keptFailed().abort().at(DEADLINE.plusSeconds(10)),
            Phase.Failed),
        row("paused: recorded, nothing terminated",
            () -> staged(RUNNING, StatusChecks.PENDING, null).spec(r -> r.getSpec().paused = true)
                .abort(),
            Phase.Verifying),
        row("paused, aborted, then resumed: terminated then",
            () -> abortedWhilePaused().change(r -> r.getSpec().paused = false)
                .at(LATER.plusSeconds(10)),
            Phase.Failed, "terminate [2.0.0/0, 2.0.0/1]"),
        // ---------------------------------------------------------- what production needs
        row("the spec's version serves production: nothing happens",
            () -> live().abort().at(LATER),
            Phase.Live),
        row("in the post-switch window: nothing happens, the retained fleet is kept",
            () -> switched().abort().at(T0.plusSeconds(30)),
            Phase.Live),
        row("the spec names the retained version: the switch back happens, it is no abort",
            () -> switched().change(r -> r.getSpec().version = "1.0.0").abort()
                .at(T0.plusSeconds(30)),
            Phase.Live, "associate 1.0.0/0"),
        row("a switch to the staged fleet EC2 does not show yet: it may serve or not; "
                + "nothing is terminated or switched until EC2 shows which",
            () -> staged(RUNNING, StatusChecks.OK, null)
                .switchIntent("1.0.0", "2.0.0", "Promoted", LATER.minusSeconds(5)).abort(),
            Phase.Verifying),
        row("that switch confirmed (EC2 shows 2.0.0 serving): production, nothing happens",
            () -> staged(RUNNING, StatusChecks.OK, null).eipOn("2.0.0", 0)
                .switchIntent("1.0.0", "2.0.0", "Promoted", LATER.minusSeconds(5)).abort(),
            Phase.Live),
        row("that switch never happened (EC2 still shows 1.0.0 after the confirmation time): "
                + "the abort applies",
            () -> staged(RUNNING, StatusChecks.OK, null)
                .switchIntent("1.0.0", "2.0.0", "Promoted", LATER.minusSeconds(5)).abort()
                .at(LATER.plus(Duration.ofMinutes(3))),
            Phase.Failed, "terminate [2.0.0/0, 2.0.0/1]"),
        row("past the confirmation time, but the newest poll started before EC2 could list the "
                + "switch (polls failing): still nothing terminated or switched",
            () -> staged(RUNNING, StatusChecks.OK, null)
                .switchIntent("1.0.0", "2.0.0", "Promoted", LATER.minusSeconds(5)).abort()
                .polledAt(LATER).at(LATER.plus(Duration.ofMinutes(3))),
            Phase.Verifying),
        row("the same once a poll started after the listing delay shows 1.0.0: the abort "
                + "applies",
            () -> staged(RUNNING, StatusChecks.OK, null)
                .switchIntent("1.0.0", "2.0.0", "Promoted", LATER.minusSeconds(5)).abort()
                .polledAt(LATER.plusSeconds(6)).at(LATER.plus(Duration.ofMinutes(3))),
            Phase.Failed, "terminate [2.0.0/0, 2.0.0/1]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("aborts")
  void abort(String description, Supplier<Given> given, Phase phase, List<String> actions) {
    Given g = given.get();
    Plan plan = g.decide();
    assertThat(g.summary(plan)).as("actions").containsExactlyElementsOf(actions);
    assertThat(plan.facts().phase()).as("phase").isEqualTo(phase);
    assertThat(plan.actions()).as("production, and the fleet retained for it, never go")
        .noneMatch(a -> a instanceof Terminate t && t.instanceIds().stream()
            .anyMatch(id -> id.equals(g.address.instanceId()) || id.startsWith("i-100-")));
    assertThat(plan.actions()).as("nothing is launched for the aborted version")
        .noneMatch(a -> a instanceof Launch l && l.version().equals("2.0.0"));
  }

  @Test
  void anAbortIsStalledWithReasonAbortedAndSaysHowToResume() {
    Given g = staged(RUNNING, StatusChecks.PENDING, null).abort();
    ReleaseStatus status = g.reconcile();
    assertThat(status.phase).isEqualTo(Phase.Failed);
    assertThat(status.lastFailure.reason).isEqualTo("Aborted");
    assertThat(status.lastFailure.fleetId).isEqualTo(g.fleetId("2.0.0"));
    assertThat(status.lastFailure.generation).isEqualTo(1L);
    assertThat(status.lastFailure.specDigest).isNotBlank();
    assertThat(status.stagingFleet).isNull();
    assertThat(status.activeFleet.version).isEqualTo("1.0.0");
    var stalled = StatusBuilder.find(status, StatusBuilder.STALLED);
    assertThat(stalled.getStatus()).isEqualTo("True");
    assertThat(stalled.getReason()).isEqualTo("Aborted");
    assertThat(stalled.getMessage()).contains("2.0.0 was aborted")
        .contains("Production (1.0.0) is untouched").contains("change the spec")
        .contains("kubectl cutover retry app");
    var ready = StatusBuilder.find(status, StatusBuilder.READY);
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo("Aborted");
    assertThat(g.decide().health().reason()).as("stays aborted").isEqualTo("Aborted");
  }

  @Test
  void anAbortIsToldOnceAsAWarningAbortedNotAsFailed() {
    Given g = staged(RUNNING, StatusChecks.PENDING, null).abort();
    ReleaseStatus before = g.release.getStatus();
    List<String> events = new ArrayList<>();
    Narrator narrator = new Narrator(recording(events));
    ReleaseStatus first = g.reconcile();
    narrator.transition(g.release, before, first);
    ReleaseStatus second = g.at(LATER.plusSeconds(10)).reconcile();
    narrator.transition(g.release, first, second);
    assertThat(events).singleElement().asString().startsWith("Warning Aborted: 2.0.0 was "
        + "aborted");
  }

  @Test
  void aPausedReleaseRecordsTheAbortAndSaysItWaitsForTheResume() {
    Given g = abortedWhilePaused();
    ReleaseStatus status = g.release.getStatus();
    assertThat(status.lastFailure.reason).isEqualTo("Aborted");
    assertThat(StatusBuilder.find(status, StatusBuilder.READY).getMessage())
        .contains("terminated once paused is false");
    assertThat(g.decide().actions()).isEmpty();
  }

  @Test
  void anUnreadableAbortIsReported() {
    Plan plan = staged(PENDING, StatusChecks.PENDING, null).abortAnnotation("yes").decide();
    assertThat(plan.health().message()).contains("cutover.dev/abort: \"yes\" is ignored");
  }

  // ---------------------------------------------------------------- retry

  static Stream<Arguments> retries() {
    return Stream.of(
        row("aborted, its instances gone: a retry launches the version anew",
            () -> gone(aborted(), "2.0.0").retry(TOKEN).at(LATER.plusSeconds(30)),
            Phase.Provisioning, "launch 2.0.0 [0, 1]"),
        row("aborted, its instances still listed: they go first, never reused",
            () -> aborted().retry(TOKEN).at(LATER.plusSeconds(10)),
            Phase.Provisioning, "terminate [2.0.0/0, 2.0.0/1]"),
        row("failed at the deadline and kept for debugging: the kept instances go first",
            () -> keptFailed().retry(TOKEN).at(DEADLINE.plusSeconds(10)),
            Phase.Provisioning, "terminate [2.0.0/0, 2.0.0/1]"),
        row("a token honoured before does not retry again",
            () -> {
              Given g = retriedAndFailedAgain();
              return g.retry(g.release.getStatus().lastRetry.token);
            },
            Phase.Failed, "terminate [2.0.0/0, 2.0.0/1]"),
        row("a token already there when it failed does not retry that failure",
            () -> gone(abortedCarrying(TOKEN), "2.0.0").at(LATER.plusSeconds(30)),
            Phase.Failed),
        row("a new token after that one retries",
            () -> gone(abortedCarrying(TOKEN), "2.0.0").retry(TOKEN + "-2")
                .at(LATER.plusSeconds(30)),
            Phase.Provisioning, "launch 2.0.0 [0, 1]"),
        row("nothing failed: the token does nothing",
            () -> staged(PENDING, StatusChecks.PENDING, null).retry(TOKEN),
            Phase.Provisioning),
        row("paused: the token waits",
            () -> abortedWhilePaused().retry(TOKEN).at(LATER.plusSeconds(10)),
            Phase.Verifying),
        row("a failure of another version (the spec changed since): nothing to retry",
            () -> gone(aborted(), "2.0.0").change(r -> r.getSpec().version = "3.0.0")
                .retry(TOKEN).at(LATER.plusSeconds(30)),
            Phase.Provisioning, "launch 3.0.0 [0, 1]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("retries")
  void retry(String description, Supplier<Given> given, Phase phase, List<String> actions) {
    Given g = given.get();
    Plan plan = g.decide();
    assertThat(g.summary(plan)).as("actions").containsExactlyElementsOf(actions);
    assertThat(plan.facts().phase()).as("phase").isEqualTo(phase);
    assertThat(plan.actions()).as("production is never touched")
        .noneMatch(a -> a instanceof Terminate t && t.instanceIds().stream()
            .anyMatch(id -> id.startsWith("i-100-")));
  }

  @Test
  void aRetryIsRecordedWithItsTokenAndTheFailureItForgot() {
    Given g = gone(aborted(), "2.0.0").retry(TOKEN).at(LATER.plusSeconds(30));
    String failedAt = g.release.getStatus().lastFailure.at;
    ReleaseStatus status = g.reconcile();
    assertThat(status.lastFailure).isNull();
    assertThat(status.lastRetry.token).isEqualTo(TOKEN);
    assertThat(status.lastRetry.failure).isEqualTo("Aborted");
    assertThat(status.lastRetry.failedAt).isEqualTo(failedAt);
    assertThat(status.lastRetry.fleetId).isEqualTo(g.fleetId("2.0.0"));
    assertThat(status.lastRetry.version).isEqualTo("2.0.0");
    assertThat(status.lastRetry.generation).isEqualTo(1L);
    assertThat(status.lastRetry.abortIgnored).as("the abort annotation still names it")
        .isTrue();
    assertThat(status.phase).isEqualTo(Phase.Provisioning);
    assertThat(StatusBuilder.find(status, StatusBuilder.STALLED).getStatus()).isEqualTo("False");
  }

  @Test
  void theRetriedAttemptLaunchesWithNewClientTokensAndTheSameOnesWhenDecidedAgain() {
    Given first = staged(PENDING, StatusChecks.PENDING, null);
    first.instances.removeIf(i -> i.version().equals("2.0.0"));
    Launch firstAttempt = launchOf(first.decide());

    Given g = gone(aborted(), "2.0.0").retry(TOKEN).at(LATER.plusSeconds(30));
    // Long after: EC2 no longer lists the dead instances of the first attempt.
    g.instances.removeIf(i -> i.version().equals("2.0.0"));
    Launch retried = launchOf(g.decide());
    assertThat(retried.attempt()).isEqualTo(TOKEN);
    assertThat(retried.replacing()).isEmpty();
    String retriedToken = LaunchRequests.of(g.release, retried).clientToken();
    assertThat(retriedToken).as("EC2 must not return the failed attempt's instances")
        .isNotEqualTo(LaunchRequests.of(first.release, firstAttempt).clientToken());

    // The status write after the launch was lost: the same retry is decided again.
    Launch again = launchOf(g.decide());
    assertThat(LaunchRequests.of(g.release, again).clientToken()).isEqualTo(retriedToken);
    // And once status recorded it, too.
    g.reconcile();
    assertThat(LaunchRequests.of(g.release, launchOf(g.decide())).clientToken())
        .isEqualTo(retriedToken);
  }

  @Test
  void theRetriedVersionIsVerifiedAndSwitchedToLikeAnyNewOne() {
    Given g = gone(aborted(), "2.0.0").retry(TOKEN).at(LATER.plusSeconds(30));
    g.reconcile();
    Instant relaunched = LATER.plusSeconds(30);
    g.fleet("2.0.0", 2, RUNNING, StatusChecks.OK, relaunched);
    Plan switching = g.at(relaunched.plusSeconds(60)).decide();
    assertThat(g.summary(switching)).containsExactly("associate 2.0.0/0");
    assertThat(switching.facts().phase()).isEqualTo(Phase.Live);
  }

  @Test
  void aRetriedAbortIsIgnoredUntilItsAnnotationIsRemovedThenAbortsAgain() {
    Given g = gone(aborted(), "2.0.0").retry(TOKEN).at(LATER.plusSeconds(30));
    g.reconcile();
    g.fleet("2.0.0", 2, PENDING, StatusChecks.PENDING, LATER.plusSeconds(30));
    Plan staging = g.at(LATER.plusSeconds(40)).decide();
    assertThat(staging.facts().phase()).as("the abort was retried").isEqualTo(Phase.Provisioning);
    g.reconcile();

    g.abortAnnotation(null);
    ReleaseStatus cleared = g.at(LATER.plusSeconds(50)).reconcile();
    assertThat(cleared.lastRetry.abortIgnored).isNull();
    assertThat(cleared.lastRetry.token).isEqualTo(TOKEN);

    Plan abortedAgain = g.abort().at(LATER.plusSeconds(60)).decide();
    assertThat(abortedAgain.facts().phase()).isEqualTo(Phase.Failed);
    assertThat(abortedAgain.health().reason()).isEqualTo("Aborted");
    assertThat(g.summary(abortedAgain)).containsExactly("terminate [2.0.0/0, 2.0.0/1]");
  }

  @Test
  void anAbortOfTheRetainedVersionLaunchedAgainKeepsItsFleetUntilTheRetentionEnds() {
    // 2.0.0 serves since T0 (switched from 1.0.0, TTL 2h); 1.0.0's instances are lost; the
    // spec names 1.0.0 again, so its fleet is launched anew, then the person aborts that.
    Given g = gone(switched(), "1.0.0");
    g.release.getStatus().history.add(new dev.cutover.api.HistoryEntry("1.0.0", "2.0.0",
        T0.toString(), "Promoted"));
    g.release.getStatus().previousFleet = null;
    g.change(r -> r.getSpec().version = "1.0.0").at(T0.plus(Duration.ofMinutes(5)));
    g.reconcile();
    Instant relaunched = T0.plus(Duration.ofMinutes(5));
    g.fleet("1.0.0", 2, RUNNING, StatusChecks.PENDING, relaunched);
    g.at(relaunched.plusSeconds(5)).reconcile();

    Plan aborted = g.abort().at(relaunched.plusSeconds(30)).decide();
    Instant until = T0.plus(Duration.ofHours(2));
    assertThat(aborted.facts().phase()).isEqualTo(Phase.Failed);
    assertThat(g.summary(aborted)).as("the fleet a switch back uses is not terminated").isEmpty();
    ReleaseStatus status = g.reconcile();
    assertThat(status.heldFleets).anySatisfy(h -> {
      assertThat(h.version).isEqualTo("1.0.0");
      assertThat(h.reason).isEqualTo(Aborts.RETAINED);
      assertThat(h.until).isEqualTo(until.toString());
    });
    assertThat(aborted.health().message()).contains("kept until " + until);

    assertThat(g.summary(g.at(until.minusSeconds(1)).decide())).as("still kept").isEmpty();
    assertThat(g.summary(g.at(until.plusSeconds(1)).decide())).as("the retention ended")
        .containsExactly("terminate [1.0.0/0, 1.0.0/1]");
  }

  @Test
  void anAbortOfTheFleetProductionWasOnLaunchedAgainAfterStatusWasLostIsNotApplied() {
    // 1.0.0 served; its instances were lost and so was status: 1.0.0 is launched again into
    // the same fleet, which EC2 still lists with its terminated first members.
    Given g = release("1.0.0", 2).fleet("1.0.0", 2, TERMINATED, StatusChecks.OK,
        T0.minus(Duration.ofMinutes(30)));
    g.at(T0).reconcile();
    g.fleet("1.0.0", 2, RUNNING, StatusChecks.PENDING, T0);
    g.at(T0.plusSeconds(5)).reconcile();

    Plan plan = g.abort().at(T0.plusSeconds(20)).decide();
    assertThat(g.summary(plan)).as("nothing terminated").isEmpty();
    assertThat(plan.facts().phase()).isNotEqualTo(Phase.Failed);
    assertThat(plan.health().message()).contains("The abort (cutover.dev/abort) is not applied")
        .contains("may be the fleet production was on");
  }

  @Test
  void withStatusLostAnAbortOfAnOlderLiveVersionSwitchesNothingToIt() {
    // Status was lost; 2.0.0 serves; the spec names 1.0.0, older and alive (so inferred to be
    // the fleet to switch back to), and the same generation is aborted.
    Given g = release("1.0.0", 2)
        .fleet("1.0.0", 2, RUNNING, StatusChecks.OK, T0.minus(Duration.ofHours(1)))
        .fleet("2.0.0", 2, RUNNING, StatusChecks.OK, T0.minus(Duration.ofMinutes(30)))
        .eipOn("2.0.0", 0).abort();
    Plan plan = g.decide();
    assertThat(g.summary(plan)).as("not switched to the aborted version, nothing terminated")
        .isEmpty();
    assertThat(plan.health().reason()).isEqualTo("Aborted");
  }

  @Test
  void anAbortAfterASwitchWhoseHolderWasLostWaitsInsteadOfTerminating() {
    // A switch to 2.0.0 was asked (its status write lost with the process), then production's
    // holder was terminated: on AWS the address then points at nothing, as if the switch had
    // never happened. Long past the confirmation time, the abort still terminates nothing.
    Given g = release("2.0.0", 2).fleet("2.0.0", 2, RUNNING, StatusChecks.OK, T0)
        .staging("2.0.0", T0, T0.plusSeconds(30)).phase(Phase.Verifying);
    var intent = new dev.cutover.api.Intent();
    intent.kind = dev.cutover.api.Intent.Kind.Switch;
    intent.toFleet = g.fleetId("2.0.0");
    intent.toVersion = "2.0.0";
    intent.reason = "Promoted";
    intent.at = T0.plusSeconds(40).toString();
    g.release.getStatus().intent = intent;
    g.instances.replaceAll(i -> i.slot() == 0 ? i.withState(TERMINATED) : i);
    Plan plan = g.abort().at(T0.plus(Duration.ofMinutes(10))).decide();
    assertThat(g.summary(plan)).as("nothing terminated or switched").isEmpty();
    assertThat(plan.health().reason()).isEqualTo("AbortWaitsForSwitch");
    assertThat(g.status(plan).intent).as("the switch stays recorded for the next pass")
        .isNotNull();
  }

  @Test
  void aRetryIsToldOnceAsRetried() {
    Given g = gone(aborted(), "2.0.0").retry(TOKEN).at(LATER.plusSeconds(30));
    List<String> events = new ArrayList<>();
    Narrator narrator = new Narrator(recording(events));
    ReleaseStatus before = g.release.getStatus();
    ReleaseStatus first = g.reconcile();
    narrator.transition(g.release, before, first);
    ReleaseStatus second = g.at(LATER.plusSeconds(35)).reconcile();
    narrator.transition(g.release, first, second);
    assertThat(events).filteredOn(e -> e.startsWith("Normal Retried")).singleElement()
        .asString().contains(TOKEN).contains("Aborted");
  }

  // ---------------------------------------------------------------- the worlds

  /** When a staging fleet of 2.0.0 launched at T0 that never passed its checks fails. */
  static final Instant DEADLINE = T0.plus(Duration.ofMinutes(15));

  /** 1.0.0 serves with 2 instances. */
  private static Given live() {
    return release("1.0.0", 2).fleet("1.0.0", 2, RUNNING).eipOn("1.0.0", 0).active("1.0.0");
  }

  /** 1.0.0 serves; 2.0.0 launched at T0 is staged, one minute later. */
  private static Given staged(dev.cutover.ec2.InstanceState state, StatusChecks checks,
      Instant verifiedAt) {
    return live().spec(r -> r.getSpec().version = "2.0.0")
        .fleet("2.0.0", 2, state, checks, T0).staging("2.0.0", T0, verifiedAt)
        .phase(Phase.Verifying).at(LATER);
  }

  /** 2.0.0 verified, waiting for a Manual approval. */
  private static Given awaiting() {
    return staged(RUNNING, StatusChecks.OK, T0.plusSeconds(30)).spec(r -> {
      r.getSpec().promotion.mode = Promotion.Mode.Manual;
      r.getSpec().promotion.approvedVersion = "1.0.0";
    });
  }

  /** 2.0.0 serves since T0 (its post-switch window open), 1.0.0 retained. */
  private static Given switched() {
    return release("2.0.0", 2).fleet("1.0.0", 2, RUNNING).fleet("2.0.0", 2, RUNNING)
        .eipOn("2.0.0", 0).activeSince("2.0.0", T0)
        .previous("1.0.0", T0.plus(Duration.ofHours(2)));
  }

  /** {@link #staged} (verifying), after the pass that aborted it. */
  private static Given aborted() {
    Given g = staged(RUNNING, StatusChecks.PENDING, null).abort();
    g.reconcile();
    return g;
  }

  /** The same, the Release carrying a retry token when it was aborted. */
  private static Given abortedCarrying(String token) {
    Given g = staged(RUNNING, StatusChecks.PENDING, null).abort().retry(token);
    g.reconcile();
    return g;
  }

  /** Aborted while paused: recorded, nothing terminated. */
  private static Given abortedWhilePaused() {
    Given g = staged(RUNNING, StatusChecks.PENDING, null).spec(r -> r.getSpec().paused = true)
        .abort();
    g.reconcile();
    return g;
  }

  /** 2.0.0 retried after its abort, launched again, then failed again at its deadline. */
  private static Given retriedAndFailedAgain() {
    Given g = gone(aborted(), "2.0.0").retry(TOKEN).at(LATER.plusSeconds(30));
    g.reconcile();
    Instant relaunched = LATER.plusSeconds(30);
    g.fleet("2.0.0", 2, RUNNING, StatusChecks.PENDING, relaunched);
    g.at(relaunched.plusSeconds(5)).reconcile();
    g.at(relaunched.plus(Duration.ofMinutes(15))).reconcile();
    assertThat(g.release.getStatus().lastFailure.reason).isEqualTo("DeadlineExceeded");
    return g.at(relaunched.plus(Duration.ofMinutes(16)));
  }

  /** 2.0.0 (keepFailedFor 1h) failed at its deadline and is kept for debugging. */
  private static Given keptFailed() {
    Given g = staged(RUNNING, StatusChecks.PENDING, null)
        .spec(r -> r.getSpec().verification.keepFailedFor = "1h").at(DEADLINE);
    g.reconcile();
    assertThat(g.release.getStatus().lastFailure.keptUntil).isNotNull();
    return g;
  }

  private static Given gone(Given g, String version) {
    g.instances.replaceAll(i -> i.version().equals(version) ? i.withState(TERMINATED) : i);
    return g;
  }

  private static Drain drain() {
    Drain d = new Drain();
    d.timeout = "30s";
    return d;
  }

  private static Launch launchOf(Plan plan) {
    return plan.actions().stream().filter(a -> a instanceof Launch).map(a -> (Launch) a)
        .findFirst().orElseThrow(() -> new AssertionError("no launch in " + plan.actions()));
  }

  private static ReleaseEvents recording(List<String> events) {
    return new ReleaseEvents() {
      @Override
      public void normal(Release release, String reason, String message) {
        events.add("Normal " + reason + ": " + message);
      }

      @Override
      public void warning(Release release, String reason, String message) {
        events.add("Warning " + reason + ": " + message);
      }
    };
  }

  private static Arguments row(String description, Supplier<Given> given, Phase phase,
      String... actions) {
    return Arguments.of(description, given, phase, List.of(actions));
  }
}
