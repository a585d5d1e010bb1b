package dev.cutover.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.api.Phase;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.sim.Simulation.Role;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;

/**
 * The known defects, each as a story through the same harness as the property test (so every
 * safety invariant is checked after every step as well), with the outcome the user expects
 * asserted at the end.
 */
class SimulatedScenariosTest {

  /** Reconciles every 5 s (as polls and check results would wake it) until the predicate holds. */
  static void until(Simulation sim, String what, Predicate<Simulation> done) {
    for (int i = 0; i < 60; i++) {
      if (done.test(sim)) {
        return;
      }
      sim.advance(Duration.ofSeconds(5), "waiting for " + what);
      sim.reconcile();
    }
    throw new AssertionError("never reached: " + what + "\n\nThe story:\n" + sim.storyText());
  }

  static Predicate<Simulation> live(String version) {
    return sim -> {
      ReleaseStatus s = sim.status();
      return s != null && s.phase == Phase.Live && s.activeFleet != null
          && version.equals(s.activeFleet.version)
          && sim.servingVersion().filter(version::equals).isPresent();
    };
  }

  static Predicate<Simulation> phase(Phase phase) {
    return sim -> sim.status() != null && sim.status().phase == phase;
  }

  static long alive(Simulation sim, String version) {
    return sim.instancesOf(version).stream().filter(SimulatedEc2.SimInstance::alive).count();
  }

  static String story(Simulation sim) {
    return "\n\nThe story:\n" + sim.storyText();
  }

  /**
   * 1.0.0 → 2.0.0 → 3.0.0; the status written after the switch to 3.0.0 is lost, while 1.0.0
   * (retained since the first switch) still runs. The fleet that served just before the switch
   * is 2.0.0: it must become the retained one; 1.0.0 may go.
   */
  @Test
  void aLostStatusAfterASwitchKeepsTheFleetThatServedJustBefore() {
    Simulation sim = Simulation.create();
    until(sim, "1.0.0 live", live("1.0.0"));
    sim.setVersion("2.0.0");
    until(sim, "2.0.0 live", live("2.0.0"));
    assertThat(alive(sim, "1.0.0")).as("1.0.0 retained" + story(sim)).isEqualTo(2);

    sim.loseStatusWriteOfNextSwitch();
    sim.setVersion("3.0.0");
    until(sim, "3.0.0 serves", s -> s.servingVersion().filter("3.0.0"::equals).isPresent());
    sim.settle(20, 6);

    assertThat(sim.terminationsOf("2.0.0")).as("2.0.0 served just before 3.0.0" + story(sim))
        .isEmpty();
    assertThat(alive(sim, "2.0.0")).isEqualTo(2);
    assertThat(sim.status().previousFleet).as("retained fleet" + story(sim)).isNotNull();
    assertThat(sim.status().previousFleet.version).as("retained fleet" + story(sim))
        .isEqualTo("2.0.0");
  }

  /**
   * fleetSize 1: the only instance of 2.0.0 dies (AWS clears the Elastic IP), the operator
   * replaces it, then the user sets the version back to the retained 1.0.0: one switch back,
   * and neither fleet is terminated.
   */
  @Test
  void switchingBackAfterTheOnlyActiveInstanceDiedKeepsBothFleets() {
    Simulation sim = Simulation.create(spec -> spec.fleetSize = 1);
    until(sim, "1.0.0 live", live("1.0.0"));
    sim.setVersion("2.0.0");
    until(sim, "2.0.0 live", live("2.0.0"));

    sim.terminateOutOfBand(Role.HOLDER, 0);
    sim.advance(Duration.ofSeconds(10), "the instance is terminated; AWS clears the address");
    assertThat(sim.specAddress().orElseThrow().instanceId()).isNull();
    sim.reconcile();
    sim.advance(Duration.ofSeconds(10), "a poll");
    sim.reconcile();

    sim.setVersion("1.0.0");
    until(sim, "1.0.0 serves again", s -> s.servingVersion().filter("1.0.0"::equals)
        .isPresent());
    sim.settle(20, 6);

    assertThat(sim.terminationsOf("1.0.0")).as("the retained fleet switched back to"
        + story(sim)).isEmpty();
    assertThat(sim.terminationsOf("2.0.0")).as("the fleet that was active before the switch "
        + "back" + story(sim)).isEmpty();
    assertThat(sim.servingVersion()).as("serving" + story(sim)).contains("1.0.0");
  }

  /**
   * Manual promotion: 2.0.0 is verified and waits for approval past the verification
   * deadline; one HTTP check fails (and passes again). The verified fleet must not be thrown
   * away: approving it later promotes it.
   */
  @Test
  void aVerifiedFleetAwaitingApprovalSurvivesOneFailedCheckAfterTheDeadline() {
    Simulation sim = Simulation.create();
    until(sim, "1.0.0 live", live("1.0.0"));
    sim.setManualPromotion(true);
    sim.setVersion("2.0.0");
    until(sim, "2.0.0 awaiting promotion", phase(Phase.AwaitingPromotion));

    sim.advance(Duration.ofMinutes(6), "past the verification deadline");
    sim.reconcile();
    sim.setHttpHealthy(Role.STAGING, 0, false);
    sim.advance(Duration.ofSeconds(5), "one check fails");
    sim.reconcile();
    sim.setHttpHealthy(Role.STAGING, 0, true);
    sim.advance(Duration.ofSeconds(5), "the check passes again");
    sim.reconcile();
    sim.advance(Duration.ofSeconds(5), "and again");
    sim.reconcile();

    assertThat(sim.terminationsOf("2.0.0")).as("the verified fleet" + story(sim)).isEmpty();
    sim.approve();
    until(sim, "2.0.0 live", live("2.0.0"));
    assertThat(sim.terminationsOf("2.0.0")).as("the verified fleet" + story(sim)).isEmpty();
  }

  /**
   * An instance of the retained 1.0.0 has termination protection. When its retention ends,
   * TerminateInstances is refused (OperationNotPermitted): that must neither fail nor
   * terminate the healthy staging fleet 3.0.0, which goes live; the refused call is not
   * repeated in a hot loop (invariant g checks every call).
   */
  @Test
  void aProtectedSupersededInstanceDoesNotFailAHealthyStagingFleet() {
    Simulation sim = Simulation.create();
    until(sim, "1.0.0 live", live("1.0.0"));
    sim.setVersion("2.0.0");
    until(sim, "2.0.0 live", live("2.0.0"));
    sim.protectOutOfBand(Role.RETAINED, 0);
    String protectedId = sim.instancesOf("1.0.0").stream()
        .filter(SimulatedEc2.SimInstance::terminationProtected).findFirst().orElseThrow().id();

    sim.advance(Duration.ofMinutes(11), "past the retention TTL of 1.0.0");
    sim.reconcile();
    sim.setVersion("3.0.0");
    until(sim, "3.0.0 live", live("3.0.0"));
    sim.settle(30, 6);

    assertThat(sim.terminationsOf("3.0.0")).as("the healthy staging fleet" + story(sim))
        .isEmpty();
    assertThat(sim.servingVersion()).as("serving" + story(sim)).contains("3.0.0");
    assertThat(sim.ec2.instance(protectedId).orElseThrow().state())
        .isEqualTo(InstanceStateName.RUNNING);
    List<SimulatedEc2.Call> refused = sim.ec2.calls().stream()
        .filter(c -> c.operation().equals("TerminateInstances")
            && c.outcome().equals("OperationNotPermitted")).toList();
    assertThat(refused).as("refused attempts, each after the previous one's backoff"
        + story(sim)).isNotEmpty();
  }

  /**
   * Every instance of the active 2.0.0 is terminated out of band while the spec stays as it
   * is: 2.0.0 is launched again and the Elastic IP ends on one of its running instances.
   */
  @Test
  void everyActiveInstanceTerminatedRelaunchesTheActiveVersion() {
    Simulation sim = Simulation.create();
    until(sim, "1.0.0 live", live("1.0.0"));
    sim.setVersion("2.0.0");
    until(sim, "2.0.0 live", live("2.0.0"));

    sim.terminateActiveFleet();
    until(sim, "2.0.0 serves again", s -> s.servingVersion().filter("2.0.0"::equals)
        .isPresent());
    sim.settle(30, 6);

    assertThat(sim.servingVersion()).as("serving" + story(sim)).contains("2.0.0");
    assertThat(alive(sim, "2.0.0")).as("relaunched" + story(sim)).isEqualTo(2);
  }
  /**
   * The user data fits as written, and for 1.0.0, but the version 2.0.0-rc.1+build.7
   * substituted 1000 times makes it larger than EC2's 16 KiB. The launch is never sent: the
   * release fails with UserDataTooLarge (one Event, the Stalled reason), production keeps
   * serving, and nothing is tried again until the spec changes.
   */
  @Test
  void userDataOverEc2sLimitAfterSubstitutionFailsTheReleaseWithoutALaunch() {
    Simulation sim = Simulation.create(spec -> spec.template.userData =
        "v=${VERSION}\n".repeat(1000));
    until(sim, "1.0.0 live", live("1.0.0"));
    long launchesBefore = launches(sim);

    sim.setVersion("2.0.0-rc.1+build.7");
    until(sim, "the release failed", phase(Phase.Failed));
    sim.settle(20, 6);

    assertThat(launches(sim)).as("RunInstances calls" + story(sim)).isEqualTo(launchesBefore);
    assertThat(sim.servingVersion()).as("production" + story(sim)).contains("1.0.0");
    assertThat(alive(sim, "1.0.0")).isEqualTo(2);
    ReleaseStatus status = sim.status();
    assertThat(status.phase).isEqualTo(Phase.Failed);
    assertThat(status.lastFailure.reason).isEqualTo("UserDataTooLarge");
    assertThat(status.lastFailure.message).contains("userData is 21000 bytes after ${VERSION}")
        .contains("EC2 accepts at most 16384 bytes");
    var stalled = dev.cutover.status.StatusBuilder.find(status,
        dev.cutover.status.StatusBuilder.STALLED);
    assertThat(stalled.getStatus()).isEqualTo("True");
    assertThat(stalled.getReason()).isEqualTo("UserDataTooLarge");
    assertThat(stalled.getMessage()).contains("Production is untouched");
    assertThat(sim.events.all()).filteredOn(e -> e.reason().equals("UserDataTooLarge"))
        .as("one Warning, no retry loop" + story(sim)).hasSize(1)
        .allSatisfy(e -> assertThat(e.type()).isEqualTo("Warning"));
  }

  private static long launches(Simulation sim) {
    return sim.ec2.calls().stream().filter(c -> c.operation().equals("RunInstances")).count();
  }
}
