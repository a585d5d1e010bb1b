package dev.cutover.status;

import static dev.cutover.status.StatusBuilder.AVAILABLE;
import static dev.cutover.status.StatusBuilder.PROGRESSING;
import static dev.cutover.status.StatusBuilder.READY;
import static dev.cutover.status.StatusBuilder.RECONCILING;
import static dev.cutover.status.StatusBuilder.STALLED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.api.ActiveFleet;
import dev.cutover.api.HistoryEntry;
import dev.cutover.api.Intent;
import dev.cutover.api.Phase;
import dev.cutover.api.PostSwitch;
import dev.cutover.api.Promotion;
import dev.cutover.api.Release;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.api.Retention;
import dev.cutover.api.Verification;
import dev.cutover.decide.Action;
import dev.cutover.decide.Decider;
import dev.cutover.decide.Failures;
import dev.cutover.decide.FleetIds;
import dev.cutover.decide.Plan;
import dev.cutover.ec2.ElasticIp;
import dev.cutover.ec2.InstanceState;
import dev.cutover.ec2.ManagedInstance;
import dev.cutover.ec2.ManagedInstance.StatusChecks;
import dev.cutover.observe.ObservedWorld;
import dev.cutover.testworld.ReleaseBuilder;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The status writer on plans decide makes from small worlds: conditions and their transition
 * times, observedGeneration, when a status differs, the status written before acting, and the
 * status after a refused call.
 */
class StatusBuilderTest {

  static final Instant T0 = Instant.parse("2026-11-27T12:00:00Z");
  static final String UID = "5b1c7d2e-0000-4000-8000-000000000001";
  static final String KEY = "shop/app";
  static final String EIP = "eipalloc-0123456789abcdef0";

  /** A Release and the EC2 world it sees. */
  static final class Fixture {
    final Release release;
    final List<ManagedInstance> instances = new ArrayList<>();
    ElasticIp address = new ElasticIp(EIP, "203.0.113.7", null, null, null);
    final List<ElasticIp> owned = new ArrayList<>();

    Fixture(String version, int size) {
      release = ReleaseBuilder.named("app").build();
      release.getMetadata().setNamespace("shop");
      release.getMetadata().setUid(UID);
      release.getMetadata().setGeneration(1L);
      release.getSpec().version = version;
      release.getSpec().fleetSize = size;
      release.getSpec().verification = new Verification();
      release.getSpec().verification.instanceStatusChecks = true;
      release.getSpec().verification.deadline = "15m";
      release.getSpec().promotion = new Promotion();
      release.getSpec().promotion.mode = Promotion.Mode.Auto;
      release.getSpec().promotion.soak = "0s";
      release.getSpec().retention = new Retention();
      release.getSpec().retention.previousFleetTTL = "2h";
      release.getSpec().postSwitch = new PostSwitch();
      release.getSpec().postSwitch.verify = false;
      release.getSpec().paused = false;
      release.setStatus(new ReleaseStatus());
    }

    /** {@code version} live at {@code size}: running, checks ok, the address on slot 0. */
    static Fixture live(String version, int size) {
      Fixture f = new Fixture(version, size);
      for (int slot = 0; slot < size; slot++) {
        f.instances.add(new ManagedInstance("i-" + version.replace(".", "") + "0" + slot,
            UID, KEY, f.fleetId(version), version, slot, InstanceState.RUNNING,
            "127.16.1." + (4 + slot), null, T0.minus(Duration.ofHours(1)), StatusChecks.OK));
      }
      f.address = f.address.associatedWith(f.instances.get(0).id());
      ActiveFleet active = new ActiveFleet();
      active.id = f.fleetId(version);
      active.version = version;
      active.since = T0.minus(Duration.ofHours(1)).toString();
      f.release.getStatus().activeFleet = active;
      f.release.getStatus().phase = Phase.Live;
      return f;
    }

    String fleetId(String version) {
      return FleetIds.fleetId(version, release.getSpec().template);
    }

    ObservedWorld world() {
      return new ObservedWorld(List.copyOf(instances), Optional.ofNullable(address), Map.of(),
          List.copyOf(owned));
    }

    Plan decide(Instant now) {
      return Decider.decide(release, world(), now);
    }

    /** The status once the plan decided at {@code now} succeeded. */
    ReleaseStatus build(Instant now) {
      return StatusBuilder.build(release, decide(now), world(), now);
    }

    /** Builds and writes the status, as a successful reconcile does. */
    ReleaseStatus reconcile(Instant now) {
      ReleaseStatus status = build(now);
      release.setStatus(status);
      return status;
    }

    /** A new spec: the generation moves on. */
    void change(java.util.function.Consumer<Release> change) {
      change.accept(release);
      release.getMetadata().setGeneration(release.getMetadata().getGeneration() + 1);
    }
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
    Fixture f = Fixture.live("1.0.0", 2);
    ReleaseStatus first = f.reconcile(T0.plusMillis(1500));
    assertThat(conditions(first)).containsOnlyKeys(READY, RECONCILING, STALLED, AVAILABLE,
        PROGRESSING);
    assertThat(statusOf(first, READY)).isEqualTo("True");
    assertThat(statusOf(first, AVAILABLE)).isEqualTo("True");
    assertThat(first.conditions).extracting(Condition::getLastTransitionTime)
        .as("whole seconds").containsOnly("2026-11-27T12:00:01Z");

    ReleaseStatus same = f.reconcile(T0.plus(Duration.ofMinutes(1)));
    assertThat(same.conditions).extracting(Condition::getLastTransitionTime)
        .containsOnly("2026-11-27T12:00:01Z");

    f.change(r -> r.getSpec().version = "2.0.0");
    Instant flip = T0.plus(Duration.ofMinutes(2));
    ReleaseStatus launching = f.reconcile(flip);
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

    ReleaseStatus stillLaunching = f.reconcile(flip.plusSeconds(30));
    assertThat(since(stillLaunching, READY)).isEqualTo(flip.toString());
    assertThat(since(stillLaunching, RECONCILING)).isEqualTo(flip.toString());
  }

  @Test
  void observedGenerationIsWrittenOnTheStatusAndEveryCondition() {
    Fixture f = Fixture.live("1.0.0", 1);
    f.release.getMetadata().setGeneration(7L);
    ReleaseStatus status = f.build(T0);
    assertThat(status.observedGeneration).isEqualTo(7L);
    assertThat(status.conditions).extracting(Condition::getObservedGeneration)
        .containsOnly(7L);

    f.release.getMetadata().setGeneration(null);
    assertThat(f.build(T0).observedGeneration).isZero();
  }

  // ------------------------------------------------------------------ differs

  @Test
  void anIdenticalStatusDoesNotDiffer() {
    Fixture f = Fixture.live("1.0.0", 2);
    f.reconcile(T0);
    ReleaseStatus a = f.build(T0.plusSeconds(10));
    ReleaseStatus b = f.build(T0.plusSeconds(20));
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
    Fixture f = new Fixture("1.0.0", 1);
    f.release.getSpec().elasticIp.allocationId = null;
    f.release.getSpec().elasticIp.allocate = true;
    f.address = null;
    ReleaseStatus recorded = f.release.getStatus();
    recorded.phase = Phase.Pending;
    recorded.history.add(new HistoryEntry("0.9.0", "1.0.0", T0.toString(), "Promoted"));
    recorded.observedGeneration = 1L;
    String before = json(recorded);

    Plan plan = f.decide(T0);
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
    Fixture f = Fixture.live("1.0.0", 1);
    f.reconcile(T0);
    f.change(r -> r.getSpec().version = "2.0.0");
    // The new fleet was launched and has passed its checks: the plan switches.
    ReleaseStatus staged = f.reconcile(T0.plusSeconds(1));
    assertThat(staged.stagingFleet).isNotNull();
    f.instances.add(new ManagedInstance("i-20000", UID, KEY, f.fleetId("2.0.0"), "2.0.0", 0,
        InstanceState.RUNNING, "127.16.1.9", null, T0, StatusChecks.OK));
    Plan plan = f.decide(T0.plusSeconds(60));
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
    Fixture f = Fixture.live("1.0.0", 2);
    ReleaseStatus live = f.reconcile(T0);
    f.change(r -> r.getSpec().version = "2.0.0");
    Instant now = T0.plusSeconds(30);
    Plan plan = f.decide(now);
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
    Fixture f = Fixture.live("1.0.0", 1);
    f.reconcile(T0);
    f.change(r -> r.getSpec().version = "2.0.0");
    Instant now = T0.plusSeconds(30);
    Plan plan = f.decide(now);
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
    Fixture f = Fixture.live("1.0.0", 1);
    f.reconcile(T0);
    f.change(r -> r.getSpec().version = "2.0.0");
    f.reconcile(T0.plusSeconds(1));
    f.instances.add(new ManagedInstance("i-20000", UID, KEY, f.fleetId("2.0.0"), "2.0.0", 0,
        InstanceState.RUNNING, "127.16.1.9", null, T0, StatusChecks.OK));
    Instant now = T0.plusSeconds(60);
    Plan plan = f.decide(now);
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
