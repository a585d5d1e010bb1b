package dev.cutover.decide;

import static dev.cutover.decide.Given.EIP;
import static dev.cutover.decide.Given.EIP2;
import static dev.cutover.decide.Given.PREVIEW;
import static dev.cutover.decide.Given.T0;
import static dev.cutover.ec2.InstanceState.RUNNING;
import static dev.cutover.ec2.InstanceState.TERMINATED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.api.HttpCheck;
import dev.cutover.api.Phase;
import dev.cutover.decide.Action.Associate;
import dev.cutover.decide.Action.Launch;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The policy for a system of roles: web (2 instances, 2 Elastic IPs) and worker (1 instance).
 * Every address moves with a switch, the primary first; a switch cut short is finished by
 * healing; address i goes home to slot i of its role.
 */
class SystemDeciderTest {

  @Test
  void aNewSystemLaunchesEveryRoleWithItsOwnTemplateAndMovesNothing() {
    Given g = Given.system("1.0.0");
    Plan plan = g.decide();
    assertThat(g.summary(plan)).containsExactly("launch 1.0.0 web [0, 1]",
        "launch 1.0.0 worker [0]");
    Launch worker = (Launch) plan.actions().get(1);
    assertThat(worker.role()).isEqualTo("worker");
    var request = dev.cutover.act.LaunchRequests.of(g.release, worker);
    assertThat(request.instanceType()).isEqualTo("c5.large");
    assertThat(request.tags()).containsEntry("cutover.dev/role", "worker")
        .containsEntry("cutover.dev/slot", "0");
  }

  @Test
  void aVerifiedSystemTakesEveryAddressPrimaryFirstAndRecordsTheIntentBefore() {
    Given g = Given.system("2.0.0").systemFleet("1.0.0", RUNNING).active("1.0.0")
        .addressOn(EIP, "1.0.0", "web", 0).addressOn(EIP2, "1.0.0", "web", 1)
        .systemFleet("2.0.0", RUNNING);
    Plan plan = g.decide();
    assertThat(g.summary(plan)).containsExactly("associate eip1 2.0.0/web/0",
        "associate eip2 2.0.0/web/1");
    assertThat(plan.intent()).hasValueSatisfying(i -> {
      assertThat(i.toFleet).isEqualTo(g.fleetId("2.0.0"));
      assertThat(i.fromFleet).isEqualTo(g.fleetId("1.0.0"));
    });
    var status = g.status(plan);
    assertThat(status.addresses).extracting(a -> a.allocationId + "→" + a.instanceId)
        .containsExactly(EIP + "→" + g.id("2.0.0", "web", 0),
            EIP2 + "→" + g.id("2.0.0", "web", 1));
    assertThat(status.previousFleet.version).isEqualTo("1.0.0");
    assertThat(status.size).isEqualTo(3);
  }

  @Test
  void aSwitchCutShortAfterThePrimaryMovedIsFinishedByMovingTheOthersOnly() {
    Given g = Given.system("2.0.0").systemFleet("1.0.0", RUNNING).systemFleet("2.0.0", RUNNING)
        .active("1.0.0").switchIntent("1.0.0", "2.0.0", "Promoted", T0)
        .addressOn(EIP, "2.0.0", "web", 0).addressOn(EIP2, "1.0.0", "web", 1)
        .at(T0.plusSeconds(20));
    Plan plan = g.decide();
    assertThat(g.summary(plan)).containsExactly("associate eip2 2.0.0/web/1");
    var status = g.status(plan);
    assertThat(status.activeFleet.version).isEqualTo("2.0.0");
    assertThat(status.previousFleet.version).as("the fleet that served before is retained")
        .isEqualTo("1.0.0");
  }

  @Test
  void aSwitchCutShortBeforeThePrimaryMovedIsTriedAgainWhole() {
    Given g = Given.system("2.0.0").systemFleet("1.0.0", RUNNING).systemFleet("2.0.0", RUNNING)
        .active("1.0.0").switchIntent("1.0.0", "2.0.0", "Promoted", T0)
        .addressOn(EIP, "1.0.0", "web", 0).addressOn(EIP2, "1.0.0", "web", 1)
        .at(T0.plusSeconds(20));
    assertThat(g.summary(g.decide())).containsExactly("associate eip1 2.0.0/web/0",
        "associate eip2 2.0.0/web/1");
  }

  @Test
  void theHolderOfAddressTwoTerminatedWaitsForItsRelaunchedHomeAndNeverTakesTheFirstOff() {
    Given g = Given.system("1.0.0").systemFleet("1.0.0", RUNNING).activeSince("1.0.0", T0)
        .addressOn(EIP, "1.0.0", "web", 0).at(T0.plus(Duration.ofMinutes(10)));
    String dead = g.id("1.0.0", "web", 1);
    g.instances.replaceAll(i -> i.id().equals(dead) ? i.withState(TERMINATED) : i);
    // AWS clears the association of a terminated instance; web/0 holds address 1, and EC2
    // gives an instance one Elastic IP: address 2 waits for its home.
    Plan plan = g.decide();
    assertThat(g.summary(plan)).containsExactly("launch 1.0.0 web [1]");
    assertThat(plan.health().ready()).isFalse();

    g.member("1.0.0", "web", 1, RUNNING);
    assertThat(g.summary(g.decide())).as("relaunched: address 2 goes home to slot 1")
        .containsExactly("associate eip2 1.0.0/web/1");
  }

  @Test
  void aStandInThatHoldsNoAddressTakesAddressTwoUntilItsHomeRunsAgain() {
    Given g = Given.system("1.0.0").change(r -> r.getSpec().roles.get(0).size = 3)
        .systemFleet("1.0.0", RUNNING).activeSince("1.0.0", T0)
        .addressOn(EIP, "1.0.0", "web", 0).at(T0.plus(Duration.ofMinutes(10)));
    String dead = g.id("1.0.0", "web", 1);
    g.instances.replaceAll(i -> i.id().equals(dead) ? i.withState(TERMINATED) : i);
    assertThat(g.summary(g.decide())).containsExactly("associate eip2 1.0.0/web/2",
        "launch 1.0.0 web [1]");

    g.addressOn(EIP2, "1.0.0", "web", 2).member("1.0.0", "web", 1, RUNNING);
    assertThat(g.summary(g.decide())).containsExactly("associate eip2 1.0.0/web/1");
  }

  @Test
  void anAddressAwayFromItsRunningHomeGoesHome() {
    Given g = Given.system("1.0.0").change(r -> r.getSpec().roles.get(0).size = 3)
        .systemFleet("1.0.0", RUNNING).activeSince("1.0.0", T0)
        .addressOn(EIP, "1.0.0", "web", 0).addressOn(EIP2, "1.0.0", "web", 2);
    assertThat(g.summary(g.decide())).containsExactly("associate eip2 1.0.0/web/1");
  }

  @Test
  void theHolderOfAnAddressIsNotTerminatedBeforeTheAddressLeavesIt() {
    Given g = Given.system("2.0.0").systemFleet("1.0.0", RUNNING).systemFleet("2.0.0", RUNNING)
        .activeSince("2.0.0", T0.minus(Duration.ofMinutes(5)))
        .previous("1.0.0", T0.minusSeconds(1))
        .addressOn(EIP, "2.0.0", "web", 0).addressOn(EIP2, "1.0.0", "web", 1);
    Plan plan = g.decide();
    assertThat(g.summary(plan)).as("the retained system expired; address 2 still on it")
        .containsExactly("terminate [1.0.0/web/0, 1.0.0/worker/0]",
            "associate eip2 2.0.0/web/1");
    assertThat(plan.wakeAt()).as("web/1 goes once the address left it").isPresent();
  }

  @Test
  void switchingBackToARetainedSystemWithoutWebInstancesRelaunchesIt() {
    Given g = Given.system("1.0.0").systemFleet("2.0.0", RUNNING)
        .member("1.0.0", "worker", 0, RUNNING)
        .active("2.0.0").previous("1.0.0", T0.plus(Duration.ofHours(1)))
        .addressOn(EIP, "2.0.0", "web", 0).addressOn(EIP2, "2.0.0", "web", 1);
    assertThat(g.summary(g.decide())).containsExactly("launch 1.0.0 web [0, 1]");
  }

  @Test
  void switchingBackMovesEveryAddressToTheRetainedSystem() {
    Given g = Given.system("1.0.0").systemFleet("1.0.0", RUNNING).systemFleet("2.0.0", RUNNING)
        .active("2.0.0").previous("1.0.0", T0.plus(Duration.ofHours(1)))
        .addressOn(EIP, "2.0.0", "web", 0).addressOn(EIP2, "2.0.0", "web", 1);
    Plan plan = g.decide();
    assertThat(g.summary(plan)).containsExactly("associate eip1 1.0.0/web/0",
        "associate eip2 1.0.0/web/1");
    assertThat(((Associate) plan.actions().get(0)).reason()).isEqualTo(SwitchReason.SwitchedBack);
  }

  @Test
  void aFailedPostSwitchCheckRevertsEveryAddress() {
    Given g = Given.system("2.0.0").httpCheck().systemFleet("1.0.0", RUNNING)
        .systemFleet("2.0.0", RUNNING).activeSince("2.0.0", T0)
        .previous("1.0.0", T0.plus(Duration.ofHours(1)))
        .addressOn(EIP, "2.0.0", "web", 0).addressOn(EIP2, "2.0.0", "web", 1)
        .at(T0.plusSeconds(30));
    g.http.put(g.id("2.0.0", "worker", 0), new dev.cutover.observe.HttpCheckResult(0, 3, null,
        "status 500"));
    Plan plan = g.decide();
    assertThat(g.summary(plan)).containsExactly("associate eip1 1.0.0/web/0",
        "associate eip2 1.0.0/web/1");
    assertThat(plan.health().reason()).isEqualTo("PostSwitchCheckFailed");
  }

  @Test
  void scalingOneRoleLaunchesOnlyItsNewSlotsInTheSameFleet() {
    Given g = Given.system("1.0.0").systemFleet("1.0.0", RUNNING).activeSince("1.0.0", T0)
        .addressOn(EIP, "1.0.0", "web", 0).addressOn(EIP2, "1.0.0", "web", 1);
    String before = g.fleetId("1.0.0");
    g.change(r -> r.getSpec().roles.get(1).size = 3);
    assertThat(g.fleetId("1.0.0")).isEqualTo(before);
    assertThat(g.summary(g.decide())).containsExactly("launch 1.0.0 worker [1, 2]");
  }

  @Test
  void changingOneRolesTemplateIsANewBlueGreenOfTheWholeSystem() {
    Given g = Given.system("1.0.0");
    String before = g.fleetId("1.0.0");
    g.change(r -> r.getSpec().roles.get(1).template.instanceType = "c5.xlarge");
    assertThat(g.fleetId("1.0.0")).isNotEqualTo(before);
  }

  @Test
  void theSingleFormKeepsTheFleetIdsItHadBeforeRoles() {
    Given g = Given.release("1.0.0", 2);
    assertThat(FleetIds.of(g.release.getSpec()))
        .isEqualTo(FleetIds.fleetId("1.0.0", g.release.getSpec().template));
  }

  @Test
  void anAddressOfAnotherRoleThatIsMissingStopsTheReleaseAndNamesIt() {
    Given g = Given.system("1.0.0");
    g.addresses.remove(EIP2);
    Plan plan = g.decide();
    assertThat(plan.actions()).isEmpty();
    assertThat(plan.health().reason()).isEqualTo("ElasticIpNotFound");
    assertThat(plan.health().message()).contains(EIP2).doesNotContain(EIP + " ");
  }

  @Test
  void aSecondAddressClaimedByAnotherReleaseStopsTheWholeSystem() {
    Given g = Given.system("1.0.0");
    g.addresses.put(EIP2, g.addresses.get(EIP2).claimedBy("other-uid", "shop/other"));
    Plan plan = g.decide();
    assertThat(plan.actions()).isEmpty();
    assertThat(plan.health().reason()).isEqualTo("ElasticIpClaimed");
    assertThat(plan.health().message()).contains("shop/other");
  }

  @Test
  void aSecondAddressMovedByHandToAForeignInstanceIsReportedAndLeftAlone() {
    Given g = Given.system("1.0.0").systemFleet("1.0.0", RUNNING).activeSince("1.0.0", T0)
        .addressOn(EIP, "1.0.0", "web", 0);
    g.addresses.put(EIP2, g.addresses.get(EIP2).associatedWith("i-foreign"));
    Plan plan = g.decide();
    assertThat(g.summary(plan)).isEmpty();
    assertThat(plan.health().reason()).isEqualTo("ElasticIpMovedOutOfBand");
    assertThat(plan.health().available()).as("the primary still serves").isTrue();
  }

  @Test
  void thePreviewAddressFollowsTheStagingSystemAndNeverCountsAsProduction() {
    Given g = Given.system("2.0.0").preview().systemFleet("1.0.0", RUNNING)
        .activeSince("1.0.0", T0).addressOn(EIP, "1.0.0", "web", 0)
        .addressOn(EIP2, "1.0.0", "web", 1).systemFleet("2.0.0", RUNNING)
        .change(r -> r.getSpec().promotion.mode = dev.cutover.api.Promotion.Mode.Manual);
    Plan plan = g.decide();
    assertThat(g.summary(plan)).containsExactly("associate preview 2.0.0/web/0");
    assertThat(plan.intent()).as("no switch").isEmpty();
    assertThat(plan.facts().phase()).isEqualTo(Phase.AwaitingPromotion);
    var status = g.status(plan);
    assertThat(status.activeFleet.version).isEqualTo("1.0.0");
    assertThat(status.addresses).filteredOn(a -> "preview".equals(a.role)).singleElement()
        .satisfies(a -> assertThat(a.instanceId).isEqualTo(g.id("2.0.0", "web", 0)));
  }

  @Test
  void aCheckThroughThePreviewAddressChecksOnlyTheInstanceItPointsAtAtThatAddress() {
    Given g = Given.system("2.0.0").preview().httpCheck().systemFleet("1.0.0", RUNNING)
        .activeSince("1.0.0", T0).addressOn(EIP, "1.0.0", "web", 0)
        .addressOn(EIP2, "1.0.0", "web", 1).systemFleet("2.0.0", RUNNING);
    g.release.getSpec().verification.http.address = HttpCheck.Address.Preview;
    Plan waiting = g.decide();
    assertThat(g.summary(waiting)).containsExactly("associate preview 2.0.0/web/0");
    assertThat(waiting.checkTargets()).singleElement().satisfies(i -> {
      assertThat(i.id()).isEqualTo(g.id("2.0.0", "web", 0));
      assertThat(i.publicIp()).isEqualTo("203.0.113.9");
    });

    g.addressOn(PREVIEW, "2.0.0", "web", 0);
    g.http("2.0.0", 0, 0, 0);
    g.http.put(g.id("2.0.0", "web", 0), new dev.cutover.observe.HttpCheckResult(2, 0, T0,
        "status 200"));
    assertThat(g.summary(g.decide())).as("the one check through the preview passed: switch")
        .containsExactly("associate eip1 2.0.0/web/0", "associate eip2 2.0.0/web/1");
  }

  @Test
  void aFailingStagingSystemIsTerminatedWholeEvenWithAPreview() {
    Given g = Given.system("2.0.0").preview().systemFleet("1.0.0", RUNNING)
        .activeSince("1.0.0", T0).addressOn(EIP, "1.0.0", "web", 0)
        .addressOn(EIP2, "1.0.0", "web", 1)
        .staging("2.0.0", T0, null).systemFleet("2.0.0", RUNNING)
        .at(T0.plus(Duration.ofMinutes(16)));
    assertThat(g.summary(g.decide())).containsExactly(
        "terminate [2.0.0/web/0, 2.0.0/web/1, 2.0.0/worker/0]");
  }
}
