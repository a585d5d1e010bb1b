package dev.cutover.decide;

import static dev.cutover.decide.Given.T0;
import static dev.cutover.decide.Given.release;
import static dev.cutover.ec2.InstanceState.RUNNING;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.api.HistoryEntry;
import dev.cutover.api.Hooks;
import dev.cutover.api.Phase;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.api.Webhook;
import dev.cutover.decide.Action.CallHook;
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
 * Lifecycle webhooks as a table: preSwitch is called before a promotion and the switch waits
 * for its recorded success; postSwitch once after a switch; preTerminate before the retained
 * fleet goes. Switching back and reverting are never held back by a hook.
 */
class HooksDeciderTest {

  static final Instant LATER = T0.plus(Duration.ofMinutes(1));
  static final Instant EXPIRY = T0.plus(Duration.ofHours(2));

  static Stream<Arguments> firstPass() {
    return Stream.of(
        row("verified new version: preSwitch is called, the switch waits",
            () -> verified(), Phase.Verifying, "hook preSwitch 2.0.0"),
        row("manual promotion not approved yet: no preSwitch call",
            () -> verified().spec(r -> r.getSpec().promotion.mode
                = dev.cutover.api.Promotion.Mode.Manual),
            Phase.AwaitingPromotion),
        row("switch back to the retained fleet: not gated",
            () -> switchedTo2().spec(r -> r.getSpec().version = "1.0.0"),
            Phase.Live, "associate 1.0.0/0"),
        row("failed post-switch check: the revert is not gated",
            () -> switchedTo2().httpCheck().http("2.0.0", 0, 0, 3),
            Phase.Degraded, "associate 1.0.0/0"),
        row("retention expired: preTerminate is called, the retained fleet is kept",
            () -> live2Retaining1().at(EXPIRY), Phase.Live, "hook preTerminate 1.0.0"),
        row("retention not expired: no preTerminate call",
            () -> live2Retaining1().at(EXPIRY.minusSeconds(1)), Phase.Live),
        row("a promotion recorded: postSwitch is called",
            () -> switchedTo2().at(LATER), Phase.Live, "hook postSwitch 2.0.0"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("firstPass")
  void decides(String description, Supplier<Given> given, Phase phase, List<String> actions) {
    Given g = given.get().spec(r -> r.getSpec().hooks = allHooks());
    Plan plan = g.decide();
    assertThat(g.summary(plan)).as("actions").containsExactlyElementsOf(actions);
    assertThat(plan.facts().phase()).as("phase").isEqualTo(phase);
  }

  @Test
  void withoutHooksTheVerifiedVersionIsSwitchedAtOnce() {
    Given g = verified();
    assertThat(g.summary(g.decide())).containsExactly("associate 2.0.0/0");
  }

  @Test
  void aRecordedSuccessLetsTheSwitchGoAndTheHookIsNotCalledAgain() {
    Given g = verified().spec(r -> r.getSpec().hooks = allHooks());
    answer(g, g.decide(), 200, null, true);
    assertThat(g.release.getStatus().hooks).singleElement().satisfies(h -> {
      assertThat(h.event).isEqualTo("preSwitch");
      assertThat(h.outcome).isEqualTo("Succeeded");
      assertThat(h.attempts).isEqualTo(1);
      assertThat(h.idempotencyKey).isEqualTo(Given.UID + "/preSwitch/" + g.fleetId("2.0.0")
          + "/" + T0.toEpochMilli());
    });
    Plan plan = g.at(LATER.plusSeconds(1)).decide();
    assertThat(g.summary(plan)).containsExactly("associate 2.0.0/0");
    assertThat(plan.intent()).hasValueSatisfying(i -> assertThat(i.toVersion)
        .isEqualTo("2.0.0"));
  }

  @Test
  void aVetoUnderAbortFailsTheNewVersionAndLeavesProductionUntouched() {
    Given g = verified().spec(r -> r.getSpec().hooks = allHooks());
    answer(g, g.decide(), 409, "status 409", false);
    Plan plan = g.at(LATER.plusSeconds(1)).decide();
    assertThat(g.summary(plan)).containsExactly("terminate [2.0.0/0, 2.0.0/1]");
    assertThat(plan.facts().phase()).isEqualTo(Phase.Failed);
    assertThat(plan.facts().lastFailure().reason).isEqualTo("PreSwitchHookVetoed");
    assertThat(plan.facts().lastFailure().message)
        .contains("preSwitch hook http://127.0.0.1:9/pre-switch", "status 409");
    assertThat(plan.facts().active()).hasValueSatisfying(a -> assertThat(a.fleet().version())
        .isEqualTo("1.0.0"));
    assertThat(plan.facts().addressHolder()).isEqualTo(g.id("1.0.0", 0));
  }

  @Test
  void aVetoUnderIgnoreSwitchesAllTheSame() {
    Given g = verified().spec(r -> {
      r.getSpec().hooks = allHooks();
      r.getSpec().hooks.preSwitch.failurePolicy = Webhook.FailurePolicy.Ignore;
    });
    answer(g, g.decide(), 409, "status 409", false);
    assertThat(g.summary(g.at(LATER.plusSeconds(1)).decide()))
        .containsExactly("associate 2.0.0/0");
  }

  @Test
  void aFailureThatMayBeRetriedIsCalledAgainAfterItsBackoffAndOnlyThen() {
    Given g = verified().spec(r -> r.getSpec().hooks = allHooks());
    answer(g, g.decide(), 503, "status 503", true);
    assertThat(g.release.getStatus().hooks).singleElement()
        .satisfies(h -> assertThat(h.retryAt).isEqualTo(LATER.plusSeconds(1).toString()));
    Plan waiting = g.at(LATER.plusMillis(500)).decide();
    assertThat(waiting.actions()).isEmpty();
    assertThat(waiting.wakeAt()).contains(LATER.plusSeconds(1));
    Plan again = g.at(LATER.plusSeconds(1)).decide();
    assertThat(g.summary(again)).containsExactly("hook preSwitch 2.0.0");
    assertThat(((CallHook) again.actions().get(0)).attempt()).isEqualTo(2);
  }

  @Test
  void retriesUsedUpUnderAbortAreAVeto() {
    Given g = verified().spec(r -> {
      r.getSpec().hooks = allHooks();
      r.getSpec().hooks.preSwitch.retries = 1;
    });
    answer(g, g.decide(), null, "no answer within 1s", true);
    g.at(LATER.plusSeconds(1));
    answer(g, g.decide(), null, "no answer within 1s", true);
    assertThat(g.release.getStatus().hooks).singleElement().satisfies(h -> {
      assertThat(h.attempts).isEqualTo(2);
      assertThat(h.retryAt).isNull();
    });
    Plan plan = g.at(LATER.plusSeconds(2)).decide();
    assertThat(plan.facts().lastFailure().reason).isEqualTo("PreSwitchHookVetoed");
    assertThat(g.summary(plan)).doesNotContain("associate 2.0.0/0");
  }

  @Test
  void aCallWhoseAnswerWasNotRecordedIsMadeAgainWithTheSameKey() {
    Given g = verified().spec(r -> r.getSpec().hooks = allHooks());
    CallHook first = (CallHook) g.decide().actions().get(0);
    // The operator stopped after the call, before status recorded its answer.
    CallHook again = (CallHook) g.at(LATER.plusSeconds(3)).decide().actions().get(0);
    assertThat(again.idempotencyKey()).isEqualTo(first.idempotencyKey());
    assertThat(again.attempt()).isEqualTo(1);
  }

  @Test
  void aCallAnnouncedPendingWhoseAnswerWasLostIsMadeAgainAsTheSameAttempt() {
    Given g = verified().spec(r -> r.getSpec().hooks = allHooks());
    answer(g, g.decide(), 503, "status 503", true);
    g.at(LATER.plusSeconds(1));
    Plan second = g.decide();
    // Written before the call; the operator stops before the status with the answer.
    g.release.setStatus(StatusBuilder.withIntent(g.release, second));
    assertThat(g.release.getStatus().hooks).singleElement().satisfies(h -> {
      assertThat(h.outcome).isEqualTo("Pending");
      assertThat(h.attempts).isEqualTo(2);
    });
    CallHook again = (CallHook) g.at(LATER.plusSeconds(9)).decide().actions().get(0);
    assertThat(again.attempt()).isEqualTo(2);
    assertThat(again.idempotencyKey())
        .isEqualTo(((CallHook) second.actions().get(0)).idempotencyKey());
  }

  @Test
  void preTerminateSuccessLetsTheRetainedFleetGo() {
    Given g = live2Retaining1().spec(r -> r.getSpec().hooks = allHooks()).at(EXPIRY);
    answer(g, g.decide(), 204, null, true);
    Plan plan = g.at(EXPIRY.plusSeconds(1)).decide();
    assertThat(g.summary(plan)).containsExactly("terminate [1.0.0/0, 1.0.0/1]");
    assertThat(((Action.Terminate) plan.actions().get(0)).reason())
        .isEqualTo("RetentionExpired");
  }

  @Test
  void preTerminateFailedUnderAbortKeepsTheFleetAndCallsAgainLater() {
    Given g = live2Retaining1().spec(r -> {
      r.getSpec().hooks = allHooks();
      r.getSpec().hooks.preTerminate.failurePolicy = Webhook.FailurePolicy.Abort;
      r.getSpec().hooks.preTerminate.retries = 0;
    }).at(EXPIRY);
    ReleaseStatus status = answer(g, g.decide(), 403, "status 403", false);
    assertThat(status.hooks).singleElement().satisfies(h -> assertThat(h.retryAt)
        .isEqualTo(EXPIRY.plus(HookGates.MAX_BACKOFF).toString()));
    assertThat(status.previousFleet.instanceIds).hasSize(2);
    Plan kept = g.at(EXPIRY.plusSeconds(60)).decide();
    assertThat(kept.actions()).isEmpty();
    assertThat(kept.health().message()).contains("preTerminate hook", "1.0.0 is kept");
    assertThat(g.summary(g.at(EXPIRY.plus(HookGates.MAX_BACKOFF)).decide()))
        .containsExactly("hook preTerminate 1.0.0");
  }

  @Test
  void preTerminateFailedUnderIgnoreTerminatesAllTheSame() {
    Given g = live2Retaining1().spec(r -> {
      r.getSpec().hooks = allHooks();
      r.getSpec().hooks.preTerminate.retries = 0;
    }).at(EXPIRY);
    answer(g, g.decide(), 500, "status 500", true);
    assertThat(g.summary(g.at(EXPIRY.plusSeconds(1)).decide()))
        .containsExactly("terminate [1.0.0/0, 1.0.0/1]");
  }

  @Test
  void postSwitchIsCalledOnceForASwitch() {
    Given g = switchedTo2().spec(r -> r.getSpec().hooks = allHooks()).at(LATER);
    Plan first = g.decide();
    assertThat(((CallHook) first.actions().get(0)).fromVersion()).isEqualTo("1.0.0");
    answer(g, first, 200, null, true);
    assertThat(g.at(LATER.plusSeconds(5)).decide().actions()).isEmpty();
    assertThat(g.at(T0.plus(Duration.ofMinutes(3))).decide().actions()).isEmpty();
  }

  @Test
  void postSwitchFailedUnderAbortRevertsLikeAFailedCheck() {
    Given g = switchedTo2().spec(r -> {
      r.getSpec().hooks = allHooks();
      r.getSpec().hooks.postSwitch.failurePolicy = Webhook.FailurePolicy.Abort;
      r.getSpec().hooks.postSwitch.retries = 0;
    }).at(LATER);
    answer(g, g.decide(), 500, "status 500", true);
    Plan plan = g.at(LATER.plusSeconds(1)).decide();
    assertThat(g.summary(plan)).containsExactly("associate 1.0.0/0");
    assertThat(plan.facts().lastFailure().message).contains("postSwitch hook");
    assertThat(plan.facts().phase()).isEqualTo(Phase.Degraded);
  }

  @Test
  void postSwitchFailedUnderIgnoreIsReportedOnly() {
    Given g = switchedTo2().spec(r -> {
      r.getSpec().hooks = allHooks();
      r.getSpec().hooks.postSwitch.retries = 0;
    }).at(LATER);
    answer(g, g.decide(), 500, "status 500", true);
    Plan plan = g.at(LATER.plusSeconds(1)).decide();
    assertThat(plan.actions()).isEmpty();
    assertThat(plan.facts().phase()).isEqualTo(Phase.Live);
    assertThat(plan.health().message()).contains("postSwitch hook", "failurePolicy Ignore");
  }

  // ---------------------------------------------------------------- helpers

  static Hooks allHooks() {
    Hooks hooks = new Hooks();
    hooks.preSwitch = hook("/pre-switch");
    hooks.postSwitch = hook("/post-switch");
    hooks.preTerminate = hook("/pre-terminate");
    return hooks;
  }

  private static Webhook hook(String path) {
    Webhook w = new Webhook();
    // Port 9 (discard): nothing here calls it; the answers are given by the tests.
    w.url = "http://127.0.0.1:9" + path;
    return w;
  }

  /** The status after the plan's hook calls got this answer, written as a reconcile does. */
  static ReleaseStatus answer(Given g, Plan plan, Integer httpStatus, String problem,
      boolean retryable) {
    List<CallHook.Call> calls = new ArrayList<>();
    plan.actions().stream().filter(a -> a instanceof CallHook).map(a -> (CallHook) a)
        .forEach(h -> calls.add(new CallHook.Call(h.idempotencyKey(), httpStatus, problem,
            retryable)));
    assertThat(calls).as("hook calls planned").isNotEmpty();
    ReleaseStatus status = StatusBuilder.build(g.release, plan, g.world(), g.now, List.of(),
        calls);
    g.release.setStatus(status);
    return status;
  }

  /** 1.0.0 serves; 2.0.0 is staged since T0, running, and verified at LATER. */
  private static Given verified() {
    return live("1.0.0", 2).spec(r -> r.getSpec().version = "2.0.0")
        .fleet("2.0.0", 2, RUNNING).staging("2.0.0", T0, null).at(LATER);
  }

  /** 2.0.0 was promoted at T0 from 1.0.0, which is retained until EXPIRY. */
  private static Given switchedTo2() {
    Given g = release("2.0.0", 2).fleet("2.0.0", 2, RUNNING).eipOn("2.0.0", 0)
        .activeSince("2.0.0", T0).fleet("1.0.0", 2, RUNNING).previous("1.0.0", EXPIRY)
        .at(T0.plusSeconds(10));
    g.release.getStatus().history = new ArrayList<>(List.of(
        new HistoryEntry("1.0.0", "2.0.0", T0.toString(), "Promoted")));
    return g;
  }

  /** 2.0.0 serves since long before; 1.0.0 is retained until EXPIRY. */
  private static Given live2Retaining1() {
    return live("2.0.0", 2).fleet("1.0.0", 2, RUNNING).previous("1.0.0", EXPIRY)
        .at(T0.plus(Duration.ofMinutes(30)));
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
