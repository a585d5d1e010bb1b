package dev.cutover.decide;

import static dev.cutover.decide.Given.T0;
import static dev.cutover.decide.Given.release;
import static dev.cutover.ec2.InstanceState.PENDING;
import static dev.cutover.ec2.InstanceState.RUNNING;
import static dev.cutover.ec2.InstanceState.STOPPED;
import static dev.cutover.ec2.InstanceState.TERMINATED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.api.Phase;
import dev.cutover.api.Promotion;
import dev.cutover.decide.Action.Launch;
import dev.cutover.ec2.InstanceState;
import dev.cutover.ec2.ManagedInstance.StatusChecks;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The blue/green policy as a table: for a Release, its remembered status and the EC2 world at a
 * moment, the actions decide plans and the phase it reports.
 */
class DeciderTest {

  static final Instant LATER = T0.plus(Duration.ofMinutes(1));

  static Stream<Arguments> transitions() {
    return Stream.of(
        // ---------------------------------------------------------- a first release
        row("nothing launched yet: launch the whole fleet in one call",
            () -> release("1.0.0", 3),
            Phase.Provisioning, "launch 1.0.0 [0, 1, 2]"),
        row("launched, still pending: wait",
            () -> release("1.0.0", 3).fleet("1.0.0", 3, PENDING).staging("1.0.0", T0, null)
                .at(LATER),
            Phase.Provisioning),
        row("running, status checks not yet ok: verifying",
            () -> release("1.0.0", 2).fleet("1.0.0", 2, RUNNING, StatusChecks.PENDING, T0)
                .staging("1.0.0", T0, null).at(LATER),
            Phase.Verifying),
        row("first fleet verified: associate the Elastic IP with slot 0",
            () -> release("1.0.0", 2).fleet("1.0.0", 2, RUNNING).staging("1.0.0", T0, null)
                .at(LATER),
            Phase.Live, "associate 1.0.0/0"),
        row("status checks off: running is enough",
            () -> release("1.0.0", 1).spec(r -> r.getSpec().verification.instanceStatusChecks
                = false).fleet("1.0.0", 1, RUNNING, StatusChecks.PENDING, T0).at(LATER),
            Phase.Live, "associate 1.0.0/0"),
        row("a crash after launch lost the status: adopt the instances, launch nothing",
            () -> release("1.0.0", 3).fleet("1.0.0", 3, PENDING).at(LATER),
            Phase.Provisioning),
        row("a launch returned fewer instances: launch only the missing slots",
            () -> release("1.0.0", 3).fleet("1.0.0", 1, RUNNING).staging("1.0.0", T0, null)
                .at(LATER),
            Phase.Provisioning, "launch 1.0.0 [1, 2]"),

        // ---------------------------------------------------------- live
        row("live at full size: nothing to do",
            () -> live("1.0.0", 3),
            Phase.Live),
        row("fleetSize grew: launch the new slots only",
            () -> live("1.0.0", 2).spec(r -> r.getSpec().fleetSize = 4),
            Phase.Live, "launch 1.0.0 [2, 3]"),
        row("fleetSize shrank: terminate the highest slots, Elastic IP untouched",
            () -> live("1.0.0", 4).spec(r -> r.getSpec().fleetSize = 2),
            Phase.Live, "terminate [1.0.0/2, 1.0.0/3]"),
        row("shrinking removes the Elastic IP's instance: move it first",
            () -> live("1.0.0", 3).eipOn("1.0.0", 2).spec(r -> r.getSpec().fleetSize = 1),
            Phase.Live, "associate 1.0.0/0", "terminate [1.0.0/1, 1.0.0/2]"),
        row("the only running instance holds the Elastic IP in a removed slot: keep it for now",
            () -> release("1.0.0", 2).instance("1.0.0", 0, TERMINATED, StatusChecks.PENDING, T0)
                .instance("1.0.0", 1, STOPPED, StatusChecks.PENDING, T0)
                .instance("1.0.0", 2, RUNNING, StatusChecks.OK, T0).eipOn("1.0.0", 2)
                .active("1.0.0"),
            Phase.Live, "terminate [1.0.0/1]", "launch 1.0.0 [0, 1]"),
        row("the Elastic IP's instance was terminated out of band: move it, replace the slot",
            () -> release("1.0.0", 3).instance("1.0.0", 0, TERMINATED, StatusChecks.PENDING, T0)
                .instance("1.0.0", 1, RUNNING, StatusChecks.OK, T0)
                .instance("1.0.0", 2, RUNNING, StatusChecks.OK, T0)
                .active("1.0.0").at(LATER).withEipOnDead("1.0.0", 0),
            Phase.Live, "associate 1.0.0/1", "launch 1.0.0 [0]"),
        row("a stopped active instance is replaced",
            () -> release("1.0.0", 2).instance("1.0.0", 0, RUNNING, StatusChecks.OK, T0)
                .instance("1.0.0", 1, STOPPED, StatusChecks.PENDING, T0).eipOn("1.0.0", 0)
                .active("1.0.0"),
            Phase.Live, "terminate [1.0.0/1]", "launch 1.0.0 [1]"),
        row("the Elastic IP was moved away out of band: point it back",
            () -> live("1.0.0", 2).noEipHolder(),
            Phase.Live, "associate 1.0.0/0"),

        // ---------------------------------------------------------- a new version
        row("new version: launch beside production, production untouched",
            () -> live("1.0.0", 2).spec(r -> r.getSpec().version = "2.0.0"),
            Phase.Provisioning, "launch 2.0.0 [0, 1]"),
        row("new version verified: one associate, old fleet retained",
            () -> live("1.0.0", 2).spec(r -> r.getSpec().version = "2.0.0")
                .fleet("2.0.0", 2, RUNNING).staging("2.0.0", T0, null).at(LATER),
            Phase.Live, "associate 2.0.0/0"),
        row("manual promotion without approval: wait",
            () -> live("1.0.0", 2).spec(r -> {
              r.getSpec().version = "2.0.0";
              r.getSpec().promotion.mode = Promotion.Mode.Manual;
              r.getSpec().promotion.approvedVersion = "1.0.0";
            }).fleet("2.0.0", 2, RUNNING).staging("2.0.0", T0, null).at(LATER),
            Phase.AwaitingPromotion),
        row("manual promotion approved: switch",
            () -> live("1.0.0", 2).spec(r -> {
              r.getSpec().version = "2.0.0";
              r.getSpec().promotion.mode = Promotion.Mode.Manual;
              r.getSpec().promotion.approvedVersion = "2.0.0";
            }).fleet("2.0.0", 2, RUNNING).staging("2.0.0", T0, LATER).at(LATER),
            Phase.Live, "associate 2.0.0/0"),
        row("awaiting approval past the deadline: approval is not timed",
            () -> live("1.0.0", 1).spec(r -> {
              r.getSpec().version = "2.0.0";
              r.getSpec().promotion.mode = Promotion.Mode.Manual;
            }).fleet("2.0.0", 1, RUNNING).staging("2.0.0", T0, LATER)
                .at(T0.plus(Duration.ofHours(5))),
            Phase.AwaitingPromotion),
        row("soak not over: keep verifying",
            () -> live("1.0.0", 1).spec(r -> {
              r.getSpec().version = "2.0.0";
              r.getSpec().promotion.soak = "10m";
            }).fleet("2.0.0", 1, RUNNING).staging("2.0.0", T0, LATER)
                .at(LATER.plusSeconds(60)),
            Phase.Verifying),
        row("soak over: switch",
            () -> live("1.0.0", 1).spec(r -> {
              r.getSpec().version = "2.0.0";
              r.getSpec().promotion.soak = "10m";
            }).fleet("2.0.0", 1, RUNNING).staging("2.0.0", T0, LATER)
                .at(LATER.plus(Duration.ofMinutes(10))),
            Phase.Live, "associate 2.0.0/0"),
        row("deadline passed before verification: fail, terminate staging only",
            () -> live("1.0.0", 2).spec(r -> r.getSpec().version = "2.0.0")
                .fleet("2.0.0", 2, RUNNING, StatusChecks.PENDING, T0)
                .staging("2.0.0", T0, null).at(T0.plus(Duration.ofMinutes(16))),
            Phase.Failed, "terminate [2.0.0/0, 2.0.0/1]"),
        row("a staging instance lost: its slot is relaunched, the release does not fail",
            () -> live("1.0.0", 2).spec(r -> r.getSpec().version = "2.0.0")
                .instance("2.0.0", 0, TERMINATED, StatusChecks.PENDING, T0)
                .instance("2.0.0", 1, RUNNING, StatusChecks.OK, T0)
                .staging("2.0.0", T0, null).at(LATER),
            Phase.Provisioning, "launch 2.0.0 [0]"),
        row("staging instances keep dying (more than fleetSize): fail and clean up",
            () -> live("1.0.0", 1).spec(r -> r.getSpec().version = "2.0.0")
                .instance("2.0.0", 0, TERMINATED, StatusChecks.PENDING, T0)
                .instance("2.0.0", 0, TERMINATED, StatusChecks.PENDING, T0)
                .instance("2.0.0", 0, RUNNING, StatusChecks.PENDING, T0)
                .staging("2.0.0", T0, null).at(LATER),
            Phase.Failed, "terminate [2.0.0/0]"),
        row("impaired status checks: fail",
            () -> live("1.0.0", 1).spec(r -> r.getSpec().version = "2.0.0")
                .fleet("2.0.0", 1, RUNNING, StatusChecks.IMPAIRED, T0)
                .staging("2.0.0", T0, null).at(LATER),
            Phase.Failed, "terminate [2.0.0/0]"),
        row("failed at this generation: no retry",
            () -> live("1.0.0", 1).spec(r -> r.getSpec().version = "2.0.0").failed("2.0.0", 1),
            Phase.Failed),
        row("failed at an older generation: the spec changed, try again",
            () -> live("1.0.0", 1).spec(r -> r.getSpec().version = "2.0.0").failed("2.0.0", 1)
                .generation(2),
            Phase.Provisioning, "launch 2.0.0 [0]"),
        row("a newer version while staging: terminate the superseded fleet, launch the new",
            () -> live("1.0.0", 1).spec(r -> r.getSpec().version = "3.0.0")
                .fleet("2.0.0", 1, RUNNING).staging("2.0.0", T0, null).at(LATER),
            Phase.Provisioning, "terminate [2.0.0/0]", "launch 3.0.0 [0]"),
        row("an old fleet of this version was terminated long ago: launch a new one",
            () -> live("1.0.0", 1).spec(r -> r.getSpec().version = "2.0.0")
                .instance("2.0.0", 0, TERMINATED, StatusChecks.PENDING,
                    T0.minus(Duration.ofHours(3))),
            Phase.Provisioning, "launch 2.0.0 [0]"),

        // ---------------------------------------------------------- HTTP checks and gates
        row("HTTP checks not passed yet: verifying, no switch",
            () -> live("1.0.0", 1).spec(r -> r.getSpec().version = "2.0.0").httpCheck()
                .fleet("2.0.0", 2, RUNNING).http("2.0.0", 0, 2, 0).http("2.0.0", 1, 1, 0)
                .staging("2.0.0", T0, null).spec(r -> r.getSpec().fleetSize = 2).at(LATER),
            Phase.Verifying),
        row("one instance failing its HTTP check blocks the switch",
            () -> live("1.0.0", 1).spec(r -> r.getSpec().version = "2.0.0").httpCheck()
                .fleet("2.0.0", 1, RUNNING).http("2.0.0", 0, 0, 7)
                .staging("2.0.0", T0, null).at(LATER),
            Phase.Verifying),
        row("every HTTP check passed: switch",
            () -> live("1.0.0", 1).spec(r -> r.getSpec().version = "2.0.0").httpCheck()
                .fleet("2.0.0", 1, RUNNING).http("2.0.0", 0, 2, 0)
                .staging("2.0.0", T0, null).at(LATER),
            Phase.Live, "associate 2.0.0/0"),
        row("an HTTP check fails during the soak: fail the release",
            () -> live("1.0.0", 1).spec(r -> {
              r.getSpec().version = "2.0.0";
              r.getSpec().promotion.soak = "10m";
            }).httpCheck().fleet("2.0.0", 1, RUNNING).http("2.0.0", 0, 0, 1)
                .staging("2.0.0", T0, LATER).at(LATER.plusSeconds(30)),
            Phase.Failed, "terminate [2.0.0/0]"),
        row("an HTTP check fails while awaiting approval: back to verifying, not failed",
            () -> live("1.0.0", 1).spec(r -> {
              r.getSpec().version = "2.0.0";
              r.getSpec().promotion.mode = Promotion.Mode.Manual;
            }).httpCheck().fleet("2.0.0", 1, RUNNING).http("2.0.0", 0, 0, 1)
                .staging("2.0.0", T0, LATER).at(LATER.plusSeconds(30)),
            Phase.Verifying),
        row("post-switch check fails within the window: revert to the retained fleet",
            () -> release("2.0.0", 1).httpCheck().fleet("2.0.0", 1, RUNNING).eipOn("2.0.0", 0)
                .activeSince("2.0.0", LATER).fleet("1.0.0", 1, RUNNING)
                .previous("1.0.0", T0.plus(Duration.ofHours(2))).http("2.0.0", 0, 0, 2)
                .at(LATER.plusSeconds(30)),
            Phase.Degraded, "associate 1.0.0/0"),
        row("post-switch check fails without a retained fleet: degraded, nothing to revert to",
            () -> release("2.0.0", 1).httpCheck().fleet("2.0.0", 1, RUNNING).eipOn("2.0.0", 0)
                .activeSince("2.0.0", LATER).http("2.0.0", 0, 0, 2).at(LATER.plusSeconds(30)),
            Phase.Degraded),
        row("post-switch window over: a failing check no longer reverts",
            () -> release("2.0.0", 1).httpCheck().fleet("2.0.0", 1, RUNNING).eipOn("2.0.0", 0)
                .activeSince("2.0.0", LATER).fleet("1.0.0", 1, RUNNING)
                .previous("1.0.0", T0.plus(Duration.ofHours(2))).http("2.0.0", 0, 0, 2)
                .at(LATER.plus(Duration.ofMinutes(3))),
            Phase.Live),
        row("after a revert: the reverted fleet is cleaned up and not retried",
            () -> live("1.0.0", 1).spec(r -> r.getSpec().version = "2.0.0")
                .fleet("2.0.0", 1, RUNNING).failedPostSwitch("2.0.0", 1),
            Phase.Degraded, "terminate [2.0.0/0]"),

        // ---------------------------------------------------------- retained fleet
        row("switch back to the retained fleet: one associate, nothing launched",
            () -> live("2.0.0", 2).fleet("1.0.0", 2, RUNNING)
                .previous("1.0.0", T0.plus(Duration.ofHours(2)))
                .spec(r -> r.getSpec().version = "1.0.0"),
            Phase.Live, "associate 1.0.0/0"),
        row("retained fleet expired: terminate it",
            () -> live("2.0.0", 2).fleet("1.0.0", 2, RUNNING).previous("1.0.0", LATER)
                .at(LATER),
            Phase.Live, "terminate [1.0.0/0, 1.0.0/1]"),
        row("retained fleet kept whole during the post-switch window (a revert gets it all)",
            () -> live("2.0.0", 3).fleet("1.0.0", 3, RUNNING)
                .previous("1.0.0", T0.plus(Duration.ofHours(2)))
                .spec(r -> r.getSpec().retention.previousFleetSize = 1).at(LATER),
            Phase.Live),
        row("retained fleet scaled down to previousFleetSize once the window closed",
            () -> live("2.0.0", 3).fleet("1.0.0", 3, RUNNING)
                .previous("1.0.0", T0.plus(Duration.ofHours(2)))
                .spec(r -> r.getSpec().retention.previousFleetSize = 1)
                .at(T0.plus(Duration.ofMinutes(3))),
            Phase.Live, "terminate [1.0.0/1, 1.0.0/2]"),
        row("a switch the status never recorded: the old active fleet is retained",
            () -> live("2.0.0", 1).fleet("1.0.0", 1, RUNNING).active("1.0.0"),
            Phase.Live),

        // ---------------------------------------------------------- the Elastic IP
        row("the Elastic IP does not exist: stall, launch nothing",
            () -> release("1.0.0", 2).noAddress(),
            Phase.Failed),
        row("allocate: true without an address yet: allocate and launch",
            () -> release("1.0.0", 1).noAddress().spec(r -> {
              r.getSpec().elasticIp.allocationId = null;
              r.getSpec().elasticIp.allocate = true;
            }),
            Phase.Provisioning, "allocateaddress", "launch 1.0.0 [0]"),

        // ---------------------------------------------------------- pause
        row("paused: observe only, even with a new version; the phase stays as it was",
            () -> live("1.0.0", 1).spec(r -> {
              r.getSpec().paused = true;
              r.getSpec().version = "2.0.0";
            }),
            Phase.Pending),

        // ---------------------------------------------------------- safety (each row a defect)
        row("production moved without an intent (by hand), an older retained fleet alive: the "
                + "fleet that served just before is retained, the older one is held, not lost",
            () -> release("3.0.0", 1).fleet("3.0.0", 1, RUNNING).eipOn("3.0.0", 0)
                .fleet("2.0.0", 1, RUNNING).fleet("1.0.0", 1, RUNNING).active("2.0.0")
                .previous("1.0.0", T0.plus(Duration.ofHours(2))).at(LATER),
            Phase.Live),
        row("the switch intent names the fleet that served before, whatever status says",
            () -> release("3.0.0", 1).fleet("3.0.0", 1, RUNNING).eipOn("3.0.0", 0)
                .fleet("2.0.0", 1, RUNNING).fleet("1.0.0", 1, RUNNING).active("2.0.0")
                .previous("1.0.0", T0.plus(Duration.ofHours(2)))
                .switchIntent("2.0.0", "3.0.0", "Promoted", T0).at(LATER),
            Phase.Live, "terminate [1.0.0/0]"),
        row("status wiped entirely: fleets without a proven role are held, not terminated",
            () -> release("3.0.0", 1).fleet("3.0.0", 1, RUNNING).eipOn("3.0.0", 0)
                .fleet("2.0.0", 1, RUNNING).fleet("1.0.0", 1, RUNNING).at(LATER),
            Phase.Live),
        row("switch back when no fleet holds the address (AWS cleared it): the retained fleet "
                + "gets it, no staging deadline applies to it",
            () -> release("1.0.0", 1)
                .instance("2.0.0", 0, TERMINATED, StatusChecks.PENDING, T0)
                .fleet("1.0.0", 1, RUNNING, StatusChecks.OK, T0.minus(Duration.ofHours(3)))
                .active("2.0.0").previous("1.0.0", T0.plus(Duration.ofHours(2))).noEipHolder()
                .at(LATER),
            Phase.Live, "associate 1.0.0/0"),
        row("switch back to a stopped retained fleet: relaunch it rather than wait forever",
            () -> live("2.0.0", 1)
                .instance("1.0.0", 0, STOPPED, StatusChecks.PENDING, T0)
                .previous("1.0.0", T0.plus(Duration.ofHours(2)))
                .spec(r -> r.getSpec().version = "1.0.0").at(LATER),
            Phase.Provisioning, "launch 1.0.0 [0]"),
        row("manual promotion: verified, then one failed check past the deadline: wait in "
                + "Verifying, never terminate the verified fleet",
            () -> live("1.0.0", 1).spec(r -> {
              r.getSpec().version = "2.0.0";
              r.getSpec().promotion.mode = Promotion.Mode.Manual;
            }).httpCheck().fleet("2.0.0", 1, RUNNING).http("2.0.0", 0, 0, 1)
                .staging("2.0.0", T0, LATER).at(T0.plus(Duration.ofHours(1))),
            Phase.Verifying),
        row("a refused termination (protection) waits for its retry time; staging goes on",
            () -> live("1.0.0", 1).spec(r -> r.getSpec().version = "3.0.0")
                .fleet("2.0.0", 1, RUNNING).staging("3.0.0", LATER, null)
                .refusedTermination("2.0.0", 0, LATER.plusSeconds(60)).at(LATER),
            Phase.Provisioning, "launch 3.0.0 [0]"),
        row("EC2 refused a whole TerminateInstances for one protected instance: the others go "
                + "in a call without it",
            () -> live("1.0.0", 1).spec(r -> r.getSpec().version = "3.0.0")
                .fleet("2.0.0", 3, RUNNING).staging("3.0.0", LATER, null)
                .refusedTermination("2.0.0", 1, LATER.minusSeconds(1)).at(LATER),
            Phase.Provisioning, "terminate [2.0.0/0, 2.0.0/2]", "terminate [2.0.0/1]",
            "launch 3.0.0 [0]"),
        row("a refused launch of the new fleet waits for its retry time, not a hot loop",
            () -> live("1.0.0", 1).spec(r -> r.getSpec().version = "2.0.0")
                .staging("2.0.0", T0, null)
                .error("RunInstances/" + release("2.0.0", 1).fleetId("2.0.0"),
                    "InsufficientInstanceCapacity", LATER.plusSeconds(60))
                .at(LATER),
            Phase.Provisioning),
        row("capacity errors count against the deadline: past it, a clean abort of every "
                + "subnet's instances",
            () -> live("1.0.0", 2).spec(r -> r.getSpec().version = "2.0.0")
                .instance("2.0.0", 0, RUNNING, StatusChecks.OK, T0)
                .staging("2.0.0", T0, null).at(T0.plus(Duration.ofMinutes(16))),
            Phase.Failed, "terminate [2.0.0/0]"),
        row("lowering fleetSize during staging: Cutover's own scale-in is not a lost instance",
            () -> live("1.0.0", 1).spec(r -> {
              r.getSpec().version = "2.0.0";
              r.getSpec().fleetSize = 2;
            }).fleet("2.0.0", 2, RUNNING).instance("2.0.0", 2, InstanceState.SHUTTING_DOWN,
                StatusChecks.OK, T0).staging("2.0.0", T0, null).at(LATER),
            Phase.Live, "associate 2.0.0/0"),
        row("V2 -> V1 -> V2 within a minute: the old V2 instances are relaunched, not a failure",
            () -> live("1.0.0", 1).spec(r -> r.getSpec().version = "2.0.0")
                .instance("2.0.0", 0, InstanceState.SHUTTING_DOWN, StatusChecks.OK, T0)
                .at(T0.plusSeconds(30)),
            Phase.Provisioning, "launch 2.0.0 [0]"),
        row("a second live instance in a slot: the newer one goes",
            () -> live("1.0.0", 2).instance("1.0.0", 1, RUNNING, StatusChecks.OK, LATER)
                .at(LATER),
            Phase.Live, "terminate [1.0.0/1]"),
        row("allocate: true, address asked for but not listed yet: never a second one",
            () -> release("1.0.0", 1).noAddress().allocate().allocationIntent(T0).at(LATER),
            Phase.Provisioning, "launch 1.0.0 [0]"),
        row("allocate: true, two addresses tagged for the Release: the spare one is released",
            () -> release("1.0.0", 1).noAddress().allocate().ownedAddress("eipalloc-a")
                .ownedAddress("eipalloc-b").fleet("1.0.0", 1, RUNNING)
                .staging("1.0.0", T0, null).at(LATER),
            Phase.Live, "releaseaddress", "associate 1.0.0/0"),
        row("post-switch failure as the retained fleet expires: no revert to what is going",
            () -> release("2.0.0", 1).httpCheck().fleet("2.0.0", 1, RUNNING).eipOn("2.0.0", 0)
                .activeSince("2.0.0", LATER).fleet("1.0.0", 1, RUNNING)
                .previous("1.0.0", LATER.plusSeconds(30)).http("2.0.0", 0, 0, 2)
                .at(LATER.plusSeconds(30)),
            Phase.Degraded, "terminate [1.0.0/0]"),
        row("every production instance lost, spec unchanged: relaunch at once, Degraded",
            () -> release("1.0.0", 2).instance("1.0.0", 0, TERMINATED, StatusChecks.PENDING, T0)
                .instance("1.0.0", 1, TERMINATED, StatusChecks.PENDING, T0)
                .active("1.0.0").withEipOnDead("1.0.0", 0).at(LATER),
            Phase.Degraded, "launch 1.0.0 [0, 1]"),
        row("after a revert: the failed fleet is cleaned up, production keeps its full size",
            () -> release("2.0.0", 2).fleet("1.0.0", 2, RUNNING).eipOn("1.0.0", 0)
                .activeSince("1.0.0", LATER).fleet("2.0.0", 2, RUNNING)
                .failedPostSwitch("2.0.0", 1).at(LATER),
            Phase.Degraded, "terminate [2.0.0/0, 2.0.0/1]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transitions")
  void decides(String description, Supplier<Given> given, Phase phase, List<String> actions) {
    Given g = given.get();
    Plan plan = g.decide();
    assertThat(g.summary(plan)).as("actions").containsExactlyElementsOf(actions);
    assertThat(plan.facts().phase()).as("phase").isEqualTo(phase);
  }

  private static Given live(String version, int size) {
    return release(version, size).fleet(version, size, RUNNING).eipOn(version, 0).active(version);
  }

  private static Arguments row(String description, Supplier<Given> given, Phase phase,
      String... actions) {
    return Arguments.of(description, given, phase, List.of(actions));
  }

  @SuppressWarnings("unused")
  private static long launches(Plan plan) {
    return plan.actions().stream().filter(a -> a instanceof Launch).count();
  }
}
