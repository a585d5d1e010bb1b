package dev.cutover.decide;

import static dev.cutover.ec2.InstanceState.RUNNING;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.api.InstanceTypeRefusal;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.decide.Action.Launch;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Launch templates and capacity fallback in the policy: the version a template resolves to
 * names the fleet, an unread template never makes a fleet look superseded, and a type EC2 has
 * no room for is passed over in that subnet only.
 */
class LaunchSpecDeciderTest {

  private static final Instant NOW = Given.T0;

  private static List<Launch> launches(Plan plan) {
    return plan.actions().stream().filter(a -> a instanceof Launch).map(a -> (Launch) a)
        .toList();
  }

  @Test
  void aTemplateVersionNamesTheFleetAndEveryLaunchUsesThatNumber() {
    Given g = Given.release("1.0.0", 2).launchTemplate("$Latest", 3);
    Plan plan = g.decide();
    assertThat(launches(plan)).isNotEmpty().allSatisfy(l -> {
      assertThat(l.launchTemplate().number()).isEqualTo(3);
      assertThat(l.launchTemplate().templateId()).isEqualTo(Given.TEMPLATE_ID);
      assertThat(l.fleetId()).isEqualTo(g.fleetId("1.0.0"))
          .isNotEqualTo(FleetIds.of(g.release.getSpec()));
    });
    ReleaseStatus status = g.status(plan);
    assertThat(status.launchTemplates).singleElement().satisfies(t -> {
      assertThat(t.requested).isEqualTo("$Latest");
      assertThat(t.version).isEqualTo(3L);
      assertThat(t.name).isEqualTo("web");
      assertThat(t.role).isNull();
    });
  }

  @Test
  void latestMovingStartsANewBlueGreenBesideProductionWhoseFleetIdStays() {
    Given g = Given.release("1.0.0", 2).launchTemplate("$Latest", 3)
        .fleet("1.0.0", 2, RUNNING).eipOn("1.0.0", 0).active("1.0.0").phase(
            dev.cutover.api.Phase.Live);
    String production = g.fleetId("1.0.0");
    g.templateVersion(4);
    Plan plan = g.decide();
    assertThat(launches(plan)).isNotEmpty().allSatisfy(l -> {
      assertThat(l.fleetId()).isNotEqualTo(production);
      assertThat(l.launchTemplate().number()).isEqualTo(4);
    });
    assertThat(g.summary(plan)).noneMatch(a -> a.startsWith("terminate")
        || a.startsWith("associate"));
    ReleaseStatus status = g.status(plan);
    assertThat(status.activeFleet.id).isEqualTo(production);
    assertThat(status.stagingFleet.id).isNotEqualTo(production);
  }

  @Test
  void anUnreadTemplateKeepsTheRecordedNumberAndHoldsLaunches() {
    Given g = Given.release("1.0.0", 2).launchTemplate("$Latest", 3)
        .fleet("1.0.0", 1, RUNNING).eipOn("1.0.0", 0).active("1.0.0")
        .phase(dev.cutover.api.Phase.Live);
    g.release.getStatus().launchTemplates = g.status(g.decide()).launchTemplates;
    String production = g.fleetId("1.0.0");
    g.templateUnreadable("RequestLimitExceeded", true);
    Plan plan = g.decide();
    // Slot 1 is missing: healing wants a launch, and waits for the template.
    assertThat(plan.actions()).isEmpty();
    assertThat(plan.health().reason()).isEqualTo("LaunchTemplateUnavailable");
    assertThat(plan.health().message()).contains("RequestLimitExceeded");
    assertThat(plan.wakeAt()).contains(NOW.plus(Launches.TEMPLATE_RECHECK));
    ReleaseStatus status = g.status(plan);
    assertThat(status.activeFleet.id).isEqualTo(production);
    assertThat(status.launchTemplates).singleElement()
        .satisfies(t -> assertThat(t.version).isEqualTo(3L));
  }

  @Test
  void aTemplateNeverReadStallsAndTouchesNothing() {
    Given g = Given.release("1.0.0", 2).fleet("1.0.0", 2, RUNNING).eipOn("1.0.0", 0)
        .active("1.0.0").phase(dev.cutover.api.Phase.Live);
    g.launchTemplate("$Latest", 1).spec(r -> r.getSpec().version = "2.0.0");
    g.templateUnreadable("InvalidLaunchTemplateName.NotFoundException", false);
    Plan plan = g.decide();
    assertThat(plan.actions()).isEmpty();
    assertThat(plan.health().reason()).isEqualTo("LaunchTemplateNotFound");
    assertThat(plan.health().stalled()).isTrue();
    assertThat(plan.health().available()).isTrue();
    assertThat(plan.health().message()).contains("web ($Latest)")
        .contains("InvalidLaunchTemplateName.NotFoundException");
    assertThat(g.status(plan).activeFleet.version).isEqualTo("1.0.0");
  }

  @Test
  void capacityFallbackUsesTheNextTypeOnlyWhereEc2HadNoRoom() {
    Given g = Given.release("1.0.0", 4);
    var t = withTypes(g, "t3.large", "m5.large", "c5.large");
    t.subnetIds = List.of("subnet-aaaaaaaa", "subnet-bbbbbbbb");
    InstanceTypeRefusal r = new InstanceTypeRefusal();
    r.fleetId = g.fleetId("1.0.0");
    r.subnetId = "subnet-aaaaaaaa";
    r.instanceType = "t3.large";
    r.code = "InsufficientInstanceCapacity";
    r.at = NOW.minusSeconds(30).toString();
    g.release.getStatus().unavailableInstanceTypes = List.of(r);
    Plan plan = g.decide();
    assertThat(launches(plan)).extracting(l -> l.subnetId() + " " + l.slots() + " "
        + l.instanceType()).containsExactlyInAnyOrder(
            "subnet-aaaaaaaa [0, 2] m5.large", "subnet-bbbbbbbb [1, 3] t3.large");
    // Remembered for a while, then the preferred type is tried again.
    assertThat(g.status(plan).unavailableInstanceTypes).hasSize(1);
    g.at(NOW.plus(InstanceTypes.MEMORY));
    assertThat(launches(g.decide())).extracting(Launch::instanceType)
        .containsOnly("t3.large");
  }

  @Test
  void aCapacityRefusalTriesTheNextTypeAtOnce() {
    Given g = Given.release("1.0.0", 2);
    withTypes(g, "t3.large", "m5.large");
    Launch first = launch(g, "t3.large", "Staging");
    Failures.Refusal r = Failures.onFailure(g.release, first, "InsufficientInstanceCapacity",
        "no t3.large capacity", false, NOW);
    assertThat(r.fleetFailure()).isNull();
    assertThat(r.error().retryAt).isEqualTo(NOW.plus(InstanceTypes.FALLBACK_PAUSE).toString());
    assertThat(r.error().message).contains("Trying m5.large for subnet-0123456789abcdef0");
    assertThat(r.unavailableType().instanceType).isEqualTo("t3.large");
    assertThat(r.unavailableType().subnetId).isEqualTo("subnet-0123456789abcdef0");
  }

  @Test
  void aStagingFleetFailsWhenEveryTypeIsRefusedAndProductionKeepsTrying() {
    Given g = Given.release("1.0.0", 2);
    withTypes(g, "t3.large", "m5.large");
    InstanceTypeRefusal earlier = new InstanceTypeRefusal();
    earlier.fleetId = g.fleetId("1.0.0");
    earlier.subnetId = "subnet-0123456789abcdef0";
    earlier.instanceType = "t3.large";
    earlier.at = NOW.minusSeconds(5).toString();
    g.release.getStatus().unavailableInstanceTypes = List.of(earlier);
    Failures.Refusal staging = Failures.onFailure(g.release, launch(g, "m5.large", "Staging"),
        "InsufficientInstanceCapacity", "none", false, NOW);
    assertThat(staging.fleetFailure().reason).isEqualTo("InsufficientInstanceCapacity");
    assertThat(staging.fleetFailure().message).contains("t3.large, m5.large");
    Failures.Refusal production = Failures.onFailure(g.release,
        launch(g, "m5.large", "Relaunched"), "InsufficientInstanceCapacity", "none", false,
        NOW);
    assertThat(production.fleetFailure()).isNull();
    assertThat(Instant.parse(production.error().retryAt)).isAfter(NOW);
    assertThat(Failures.triedAgain(production.error())).isTrue();
  }

  @Test
  void withoutInstanceTypesCapacityIsRetriedUntilTheDeadlineAsBefore() {
    Given g = Given.release("1.0.0", 2);
    Failures.Refusal r = Failures.onFailure(g.release,
        new Launch(g.fleetId("1.0.0"), "1.0.0", List.of(0, 1), "subnet-0123456789abcdef0",
            List.of(), "Staging"), "InsufficientInstanceCapacity", "none", false, NOW);
    assertThat(r.fleetFailure()).isNull();
    assertThat(r.unavailableType()).isNull();
    assertThat(Instant.parse(r.error().retryAt)).isAfter(NOW);
  }

  @Test
  void aPinnedTemplateNamesOneFleetWhetherGivenByIdOrName() {
    Given g = Given.release("1.0.0", 2).launchTemplate("$Latest", 3);
    var spec = g.release.getSpec();
    var pins = java.util.Map.of("", new FleetIds.Pin(Given.TEMPLATE_ID, 3));
    String byName = FleetIds.of(spec, pins);
    spec.template.launchTemplate.name = null;
    spec.template.launchTemplate.id = Given.TEMPLATE_ID;
    spec.template.launchTemplate.version = "3";
    assertThat(FleetIds.of(spec, pins)).isEqualTo(byName);
    assertThat(FleetIds.of(spec, java.util.Map.of("",
        new FleetIds.Pin(Given.TEMPLATE_ID, 4)))).isNotEqualTo(byName);
  }

  /** The spec launches from an ordered list of types instead of one. */
  private static dev.cutover.api.InstanceTemplate withTypes(Given g, String... types) {
    var t = g.release.getSpec().template;
    t.instanceType = null;
    t.instanceTypes = List.of(types);
    return t;
  }

  private static Launch launch(Given g, String type, String purpose) {
    return new Launch(g.fleetId("1.0.0"), "1.0.0", List.of(0, 1), "subnet-0123456789abcdef0",
        List.of(), purpose, "", type, null);
  }
}
