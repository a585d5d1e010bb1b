package dev.cutover.status;

import static dev.cutover.decide.Given.T0;
import static dev.cutover.status.StatusBuilder.AVAILABLE;
import static dev.cutover.status.StatusBuilder.PROGRESSING;
import static dev.cutover.status.StatusBuilder.READY;
import static dev.cutover.status.StatusBuilder.RECONCILING;
import static dev.cutover.status.StatusBuilder.STALLED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.api.HistoryEntry;
import dev.cutover.api.Intent;
import dev.cutover.api.Phase;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.decide.Action;
import dev.cutover.decide.Failures;
import dev.cutover.decide.Given;
import dev.cutover.decide.Plan;
import dev.cutover.ec2.InstanceState;
import dev.cutover.ec2.ManagedInstance.StatusChecks;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The status writer on plans decide makes from small worlds: conditions and their transition
 * times, observedGeneration, when a status differs, the status written before acting, and the
 * status after a refused call.
 */
class StatusBuilderTest {

  /** A Release of {@code version} at {@code size} and no EC2 yet; no post-switch checks. */
  static Given given(String version, int size) {
    return Given.release(version, size).spec(r -> r.getSpec().postSwitch.verify = false);
  }

  /** {@code version} live at {@code size}: running, checks ok, the address on slot 0. */
  static Given live(String version, int size) {
    Instant anHourAgo = T0.minus(Duration.ofHours(1));
    return given(version, size).fleet(version, size, InstanceState.RUNNING, StatusChecks.OK,
        anHourAgo).eipOn(version, 0).activeSince(version, anHourAgo).phase(Phase.Live);
  }

  /** The status once the plan decided at {@code now} succeeded. */
  static ReleaseStatus build(Given f, Instant now) {
    return f.at(now).status(f.decide());
  }

  static Map<String, Condition> conditions(ReleaseStatus status) {
    return status.conditions.stream()
        .collect(Collectors.toMap(Condition::getType, Function.identity()));
  }

  static String since(ReleaseStatus status, String type) {
    return StatusBuilder.find(status, type).getLastTransitionTime();
  }

  static String statusOf(ReleaseStatus status, String type) {
    return StatusBuilder.find(status, type).getStatus();
  }

  // ------------------------------------------------------------------ conditions

  @Test
  void aConditionKeepsItsTransitionTimeWhileItsStatusHoldsAndMovesWhenItFlips() {
    Given f = live("1.0.0", 2);
    ReleaseStatus first = f.at(T0.plusMillis(1500)).reconcile();
    assertThat(conditions(first)).containsOnlyKeys(READY, RECONCILING, STALLED, AVAILABLE,
        PROGRESSING);
    assertThat(statusOf(first, READY)).isEqualTo("True");
    assertThat(statusOf(first, AVAILABLE)).isEqualTo("True");
    assertThat(first.conditions).extracting(Condition::getLastTransitionTime)
        .as("whole seconds").containsOnly("2026-11-27T12:00:01Z");

    ReleaseStatus same = f.at(T0.plus(Duration.ofMinutes(1))).reconcile();
    assertThat(same.conditions).extracting(Condition::getLastTransitionTime)
        .containsOnly("2026-11-27T12:00:01Z");

    f.change(r -> r.getSpec().version = "2.0.0");
    Instant flip = T0.plus(Duration.ofMinutes(2));
    ReleaseStatus launching = f.at(flip).reconcile();
    assertThat(statusOf(launching, READY)).isEqualTo("False");
    assertThat(statusOf(launching, RECONCILING)).isEqualTo("True");
    assertThat(statusOf(launching, PROGRESSING)).isEqualTo("True");
    assertThat(since(launching, READY)).isEqualTo(flip.toString());
    assertThat(since(launching, RECONCILING)).isEqualTo(flip.toString());
    assertThat(since(launching, PROGRESSING)).isEqualTo(flip.toString());
    assertThat(statusOf(launching, STALLED)).isEqualTo("False");
    assertThat(since(launching, STALLED)).as("still False").isEqualTo("2026-11-27T12:00:01Z");
    assertThat(statusOf(launching, AVAILABLE)).isEqualTo("True");
    assertThat(since(launching, AVAILABLE)).as("still serving")
        .isEqualTo("2026-11-27T12:00:01Z");

    ReleaseStatus stillLaunching = f.at(flip.plusSeconds(30)).reconcile();
    assertThat(since(stillLaunching, READY)).isEqualTo(flip.toString());
    assertThat(since(stillLaunching, RECONCILING)).isEqualTo(flip.toString());
  }

  @Test
  void observedGenerationIsWrittenOnTheStatusAndEveryCondition() {
    Given f = live("1.0.0", 1);
    f.release.getMetadata().setGeneration(7L);
    ReleaseStatus status = build(f, T0);
    assertThat(status.observedGeneration).isEqualTo(7L);
    assertThat(status.conditions).extracting(Condition::getObservedGeneration)
        .containsOnly(7L);

    f.release.getMetadata().setGeneration(null);
    assertThat(build(f, T0).observedGeneration).isZero();
  }

  // ------------------------------------------------------------------ differs

  @Test
  void anIdenticalStatusDoesNotDiffer() {
    Given f = live("1.0.0", 2);
    f.at(T0).reconcile();
    ReleaseStatus a = build(f, T0.plusSeconds(10));
    ReleaseStatus b = build(f, T0.plusSeconds(20));
    assertThat(a).isNotSameAs(b);
    assertThat(StatusBuilder.differs(a, b)).isFalse();
    assertThat(StatusBuilder.differs(f.release.getStatus(), a))
        .as("a reconcile that changes nothing writes nothing").isFalse();

    assertThat(StatusBuilder.differs(null, a)).isTrue();
    ReleaseStatus c = Serialization.clone(a);
    c.conditions.get(0).setMessage("something else");
    assertThat(StatusBuilder.differs(a, c)).isTrue();
  }

  // ------------------------------------------------------------------ before acting

  @Test
  void withIntentKeepsTheReleasesStatusAndAddsTheIntent() {
    Given f = given("1.0.0", 1);
    f.allocate().noAddress();
    ReleaseStatus recorded = f.release.getStatus();
    recorded.phase = Phase.Pending;
    recorded.history.add(new HistoryEntry("0.9.0", "1.0.0", T0.toString(), "Promoted"));
    recorded.observedGeneration = 1L;
    String before = json(recorded);

    Plan plan = f.at(T0).decide();
    assertThat(plan.actions()).hasAtLeastOneElementOfType(Action.AllocateAddress.class);
    assertThat(plan.intent()).isPresent();

    ReleaseStatus written = StatusBuilder.withIntent(f.release, plan);
    assertThat(written.intent.kind).isEqualTo(Intent.Kind.AllocateAddress);
    assertThat(written.intent.at).isEqualTo(T0.toString());
    assertThat(json(f.release.getStatus())).as("the Release's status is not touched")
        .isEqualTo(before);
    assertThat(written).isNotSameAs(recorded);
    ReleaseStatus withoutIntent = Serialization.clone(written);
    withoutIntent.intent = null;
    assertThat(json(withoutIntent)).as("everything else as it was").isEqualTo(before);
  }

  @Test
  void withIntentOfASwitchKeepsTheActiveFleetAsItWas() {
    Given f = live("1.0.0", 1);
    f.at(T0).reconcile();
    f.change(r -> r.getSpec().version = "2.0.0");
    // The new fleet was launched and has passed its checks: the plan switches.
    ReleaseStatus staged = f.at(T0.plusSeconds(1)).reconcile();
    assertThat(staged.stagingFleet).isNotNull();
    f.instance("2.0.0", 0, InstanceState.RUNNING, StatusChecks.OK, T0);
    Plan plan = f.at(T0.plusSeconds(60)).decide();
    assertThat(plan.actions()).hasAtLeastOneElementOfType(Action.Associate.class);
    assertThat(plan.intent()).isPresent();
    String before = json(f.release.getStatus());

    ReleaseStatus written = StatusBuilder.withIntent(f.release, plan);
    assertThat(written.intent.kind).isEqualTo(Intent.Kind.Switch);
    assertThat(written.intent.fromVersion).isEqualTo("1.0.0");
    assertThat(written.intent.toVersion).isEqualTo("2.0.0");
    assertThat(written.activeFleet.version).as("not switched yet").isEqualTo("1.0.0");
    assertThat(json(f.release.getStatus())).isEqualTo(before);
    ReleaseStatus withoutIntent = Serialization.clone(written);
    withoutIntent.intent = null;
    assertThat(json(withoutIntent)).isEqualTo(before);
  }

  // ------------------------------------------------------------------ after a refusal

  @Test
  void aRefusedLaunchFailsTheNewFleetAndClaimsNothingThePlanMeantToDo() {
    Given f = live("1.0.0", 2);
    ReleaseStatus live = f.at(T0).reconcile();
    f.change(r -> r.getSpec().version = "2.0.0");
    Instant now = T0.plusSeconds(30);
    Plan plan = f.at(now).decide();
    Action.Launch launch = plan.actions().stream().filter(Action.Launch.class::isInstance)
        .map(Action.Launch.class::cast).findFirst().orElseThrow();
    ReleaseStatus hoped = StatusBuilder.build(f.release, plan, f.world(), now);
    assertThat(hoped.stagingFleet).as("what success would have claimed").isNotNull();

    Failures.Refusal refusal = Failures.onFailure(f.release, launch, "InvalidAMIID.NotFound",
        "The image id '[ami-0123456789abcdef0]' does not exist", false, now);
    ReleaseStatus after = StatusBuilder.afterFailure(f.release, f.release.getStatus(), refusal,
        plan.health(), now);

    assertThat(after.stagingFleet).as("no staging fleet claimed").isNull();
    assertThat(json(after.activeFleet)).isEqualTo(json(live.activeFleet));
    assertThat(json(after.history)).isEqualTo(json(live.history));
    assertThat(after.intent).isNull();
    assertThat(after.phase).isEqualTo(Phase.Failed);
    assertThat(after.lastFailure.version).isEqualTo("2.0.0");
    assertThat(after.lastFailure.reason).isEqualTo("InvalidAMIIDNotFound");
    assertThat(after.errors.get(after.errors.size() - 1).code).isEqualTo("InvalidAMIID.NotFound");
    assertThat(after.errors.get(after.errors.size() - 1).retryable).isNull();
    assertThat(after.observedGeneration).isEqualTo(2L);
    assertThat(statusOf(after, STALLED)).isEqualTo("True");
    assertThat(StatusBuilder.find(after, STALLED).getReason()).isEqualTo("InvalidAMIIDNotFound");
    assertThat(StatusBuilder.find(after, STALLED).getMessage())
        .contains("production is untouched");
    assertThat(statusOf(after, READY)).isEqualTo("False");
    assertThat(statusOf(after, AVAILABLE)).isEqualTo("True");
    assertThat(json(f.release.getStatus())).as("the recorded status is copied, not changed")
        .isEqualTo(json(live));
  }

  @Test
  void aThrottledLaunchIsRetriedAndTheRecordedPhaseStays() {
    Given f = live("1.0.0", 1);
    f.at(T0).reconcile();
    f.change(r -> r.getSpec().version = "2.0.0");
    Instant now = T0.plusSeconds(30);
    Plan plan = f.at(now).decide();
    Action.Launch launch = plan.actions().stream().filter(Action.Launch.class::isInstance)
        .map(Action.Launch.class::cast).findFirst().orElseThrow();

    Failures.Refusal refusal = Failures.onFailure(f.release, launch, "RequestLimitExceeded",
        "Request limit exceeded.", true, now);
    ReleaseStatus after = StatusBuilder.afterFailure(f.release, f.release.getStatus(), refusal,
        plan.health(), now);

    assertThat(after.phase).as("the recorded phase, not the plan's").isEqualTo(Phase.Live);
    assertThat(after.stagingFleet).isNull();
    assertThat(after.lastFailure).isNull();
    assertThat(after.errors.get(after.errors.size() - 1).retryable).isTrue();
    assertThat(after.errors.get(after.errors.size() - 1).retryAt).isEqualTo(now.plusSeconds(2).toString());
    assertThat(statusOf(after, RECONCILING)).isEqualTo("True");
    assertThat(statusOf(after, PROGRESSING)).isEqualTo("True");
    assertThat(statusOf(after, STALLED)).isEqualTo("False");
    assertThat(StatusBuilder.find(after, PROGRESSING).getReason())
        .isEqualTo("RequestLimitExceeded");
    assertThat(StatusBuilder.find(after, PROGRESSING).getMessage())
        .contains("Trying again at " + now.plusSeconds(2));
  }

  @Test
  void aRefusedSwitchKeepsTheRecordedIntentAndClaimsNoSwitch() {
    Given f = live("1.0.0", 1);
    f.at(T0).reconcile();
    f.change(r -> r.getSpec().version = "2.0.0");
    f.at(T0.plusSeconds(1)).reconcile();
    f.instance("2.0.0", 0, InstanceState.RUNNING, StatusChecks.OK, T0);
    Instant now = T0.plusSeconds(60);
    Plan plan = f.at(now).decide();
    Action.Associate associate = plan.actions().stream()
        .filter(Action.Associate.class::isInstance).map(Action.Associate.class::cast)
        .findFirst().orElseThrow();
    ReleaseStatus recorded = StatusBuilder.withIntent(f.release, plan);
    assertThat(StatusBuilder.build(f.release, plan, f.world(), now).activeFleet.version)
        .as("what success would have claimed").isEqualTo("2.0.0");

    Failures.Refusal refusal = Failures.onFailure(f.release, associate, "InternalError",
        "An internal error has occurred.", true, now);
    ReleaseStatus after = StatusBuilder.afterFailure(f.release, recorded, refusal,
        plan.health(), now);

    assertThat(after.activeFleet.version).isEqualTo("1.0.0");
    assertThat(after.intent).as("the intent recorded before the call stays")
        .isNotNull();
    assertThat(json(after.intent)).isEqualTo(json(recorded.intent));
    assertThat(json(after.history)).isEqualTo(json(f.release.getStatus().history));
    assertThat(after.errors.get(after.errors.size() - 1).operation).isEqualTo("AssociateAddress");
  }

  static String json(Object o) {
    return Serialization.asJson(o);
  }
}
