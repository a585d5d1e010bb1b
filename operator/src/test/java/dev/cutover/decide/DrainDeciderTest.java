package dev.cutover.decide;

import static dev.cutover.decide.Given.T0;
import static dev.cutover.decide.Given.release;
import static dev.cutover.ec2.InstanceState.RUNNING;
import static dev.cutover.ec2.InstanceState.STOPPED;
import static dev.cutover.ec2.InstanceState.TERMINATED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.api.Drain;
import dev.cutover.api.DrainCall;
import dev.cutover.api.DrainingFleet;
import dev.cutover.api.Phase;
import dev.cutover.api.ReleaseStatus;
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
 * Drain before terminate as a table: with spec.drain, instances going for a drained reason are
 * drained first and terminated once their drain timeout has passed; the others go at once.
 */
class DrainDeciderTest {

  static final Instant LATER = T0.plus(Duration.ofMinutes(1));
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  static Stream<Arguments> firstPass() {
    return Stream.of(
        row("retention expiry: the retained fleet drains, nothing is terminated yet",
            () -> live("2.0.0", 2).fleet("1.0.0", 2, RUNNING).previous("1.0.0", LATER)
                .at(LATER),
            Phase.Live, "drain [1.0.0/0, 1.0.0/1]"),
        row("scale-in: the surplus drains, production keeps serving",
            () -> live("1.0.0", 4).spec(r -> r.getSpec().fleetSize = 2),
            Phase.Live, "drain [1.0.0/2, 1.0.0/3]"),
        row("scale-in of the address's instance: the address moves first, then it drains",
            () -> live("1.0.0", 3).eipOn("1.0.0", 2).spec(r -> r.getSpec().fleetSize = 1),
            Phase.Live, "associate 1.0.0/0", "drain [1.0.0/1, 1.0.0/2]"),
        row("the production holder in a removed slot, nothing else running: kept, not drained",
            () -> release("1.0.0", 2).instance("1.0.0", 0, TERMINATED, StatusChecks.PENDING, T0)
                .instance("1.0.0", 1, STOPPED, StatusChecks.PENDING, T0)
                .instance("1.0.0", 2, RUNNING, StatusChecks.OK, T0).eipOn("1.0.0", 2)
                .active("1.0.0"),
            Phase.Live, "terminate [1.0.0/1]", "launch 1.0.0 [0, 1]"),
        row("retained fleet scaled down once the window closed: the instances beyond drain",
            () -> live("2.0.0", 3).fleet("1.0.0", 3, RUNNING)
                .previous("1.0.0", T0.plus(Duration.ofHours(2)))
                .spec(r -> r.getSpec().retention.previousFleetSize = 1)
                .at(T0.plus(Duration.ofMinutes(3))),
            Phase.Live, "drain [1.0.0/1, 1.0.0/2]"),
        row("a newer version while staging: the superseded staging fleet drains, drains last",
            () -> live("1.0.0", 1).spec(r -> r.getSpec().version = "3.0.0")
                .fleet("2.0.0", 1, RUNNING).staging("2.0.0", T0, null).at(LATER),
            Phase.Provisioning, "launch 3.0.0 [0]", "drain [2.0.0/0]"),
        row("a failed staging fleet never served: terminated at once",
            () -> live("1.0.0", 2).spec(r -> r.getSpec().version = "2.0.0")
                .fleet("2.0.0", 2, RUNNING, StatusChecks.PENDING, T0)
                .staging("2.0.0", T0, null).at(T0.plus(Duration.ofMinutes(16))),
            Phase.Failed, "terminate [2.0.0/0, 2.0.0/1]"),
        row("a stopped production instance serves nothing: replaced and terminated at once",
            () -> release("1.0.0", 2).instance("1.0.0", 0, RUNNING, StatusChecks.OK, T0)
                .instance("1.0.0", 1, STOPPED, StatusChecks.PENDING, T0).eipOn("1.0.0", 0)
                .active("1.0.0"),
            Phase.Live, "terminate [1.0.0/1]", "launch 1.0.0 [1]"),
        row("deletion: the owner asked for everything gone, nothing drains",
            () -> live("2.0.0", 1).fleet("1.0.0", 1, RUNNING)
                .previous("1.0.0", T0.plus(Duration.ofHours(2))).deleting(),
            Phase.Deleting, "unclaimaddress", "terminate [1.0.0/0, 2.0.0/0]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("firstPass")
  void decides(String description, Supplier<Given> given, Phase phase, List<String> actions) {
    Given g = given.get().spec(r -> r.getSpec().drain = drain());
    Plan plan = g.decide();
    assertThat(g.summary(plan)).as("actions").containsExactlyElementsOf(actions);
    assertThat(plan.facts().phase()).as("phase").isEqualTo(phase);
  }

  @Test
  void withoutDrainTheRetainedFleetIsTerminatedAtItsExpiry() {
    Given g = live("2.0.0", 2).fleet("1.0.0", 2, RUNNING).previous("1.0.0", LATER).at(LATER);
    assertThat(g.summary(g.decide())).containsExactly("terminate [1.0.0/0, 1.0.0/1]");
  }

  @Test
  void aDrainStartedIsRecordedWithItsEndAndLooksAgainThen() {
    Given g = expiredRetainedFleet();
    Plan plan = g.decide();
    assertThat(plan.wakeAt()).contains(LATER.plus(TIMEOUT));
    ReleaseStatus status = g.status(plan);
    assertThat(status.draining).singleElement().satisfies(d -> {
      assertThat(d.version).isEqualTo("1.0.0");
      assertThat(d.reason).isEqualTo("RetentionExpired");
      assertThat(d.instanceIds).containsExactly(g.id("1.0.0", 0), g.id("1.0.0", 1));
      assertThat(d.startedAt).isEqualTo(LATER.toString());
      assertThat(d.terminateAt).isEqualTo(LATER.plus(TIMEOUT).toString());
    });
    assertThat(StatusBuilder.find(status, StatusBuilder.READY).getMessage())
        .contains("Draining 2 instances of 1.0.0 (RetentionExpired) until "
            + LATER.plus(TIMEOUT));
  }

  @Test
  void duringTheWaitNothingIsDoneAndTheNextLookIsAtTheEndOfTheDrain() {
    Given g = expiredRetainedFleet();
    g.reconcile();
    Plan plan = g.at(LATER.plusSeconds(10)).decide();
    assertThat(plan.actions()).isEmpty();
    assertThat(plan.wakeAt()).contains(LATER.plus(TIMEOUT));
    assertThat(g.status(plan).draining).singleElement()
        .satisfies(d -> assertThat(d.startedAt).isEqualTo(LATER.toString()));
  }

  @Test
  void afterTheWaitTheDrainedInstancesAreTerminatedForTheReasonTheirDrainStarted() {
    Given g = expiredRetainedFleet();
    g.reconcile();
    Plan plan = g.at(LATER.plus(TIMEOUT)).decide();
    assertThat(g.summary(plan)).containsExactly("terminate [1.0.0/0, 1.0.0/1]");
    assertThat(plan.actions()).singleElement().satisfies(a ->
        assertThat(((Action.Terminate) a).reason()).isEqualTo("RetentionExpired"));
  }

  @Test
  void aRestartedOperatorWaitsOnlyForTheRestOfTheDrain() {
    // Status written by a process that died since: the drain began 20 s ago.
    Given g = live("2.0.0", 2).fleet("1.0.0", 2, RUNNING).spec(r -> r.getSpec().drain = drain())
        .at(LATER.plusSeconds(20));
    g.release.getStatus().draining = List.of(entry(g, "RetentionExpired", LATER,
        LATER.plus(TIMEOUT), g.id("1.0.0", 0), g.id("1.0.0", 1)));
    Plan plan = g.decide();
    assertThat(plan.actions()).isEmpty();
    assertThat(plan.wakeAt()).contains(LATER.plus(TIMEOUT));
  }

  @Test
  void drainRemovedWhileWaitingTerminatesAtOnce() {
    Given g = expiredRetainedFleet();
    g.reconcile();
    g.change(r -> r.getSpec().drain = null).at(LATER.plusSeconds(5));
    Plan plan = g.decide();
    assertThat(g.summary(plan)).containsExactly("terminate [1.0.0/0, 1.0.0/1]");
    assertThat(g.status(plan).draining).isNull();
  }

  @Test
  void aDrainingInstanceNeededAgainLeavesTheDrain() {
    Given g = live("1.0.0", 3).spec(r -> {
      r.getSpec().fleetSize = 2;
      r.getSpec().drain = drain();
    });
    assertThat(g.summary(g.decide())).containsExactly("drain [1.0.0/2]");
    g.reconcile();
    g.change(r -> r.getSpec().fleetSize = 3).at(T0.plusSeconds(5));
    Plan plan = g.decide();
    assertThat(plan.actions()).isEmpty();
    assertThat(g.status(plan).draining).isNull();
  }

  @Test
  void aTerminationRefusedAfterTheDrainIsRetriedWithoutANewDrain() {
    Given g = expiredRetainedFleet();
    g.reconcile();
    g.at(LATER.plus(TIMEOUT));
    String first = g.id("1.0.0", 0);
    g.release.getStatus().errors = null;
    g.refusedTermination("1.0.0", 0, LATER.plus(TIMEOUT).plusSeconds(60));
    Plan plan = g.decide();
    assertThat(g.summary(plan)).containsExactly("terminate [1.0.0/1]");
    assertThat(g.status(plan).draining).singleElement()
        .satisfies(d -> assertThat(d.instanceIds).contains(first));
  }

  @Test
  void thePausedReleaseKeepsItsDrainsAndTerminatesNothing() {
    Given g = expiredRetainedFleet();
    g.reconcile();
    g.change(r -> r.getSpec().paused = true).at(LATER.plus(TIMEOUT));
    Plan plan = g.decide();
    assertThat(plan.actions()).isEmpty();
    assertThat(g.status(plan).draining).singleElement()
        .satisfies(d -> assertThat(d.startedAt).isEqualTo(LATER.toString()));
  }

  @Test
  void theCallsResultsGoToStatusOnce() {
    Given g = expiredRetainedFleet();
    Plan plan = g.decide();
    String answered = g.id("1.0.0", 0);
    String silent = g.id("1.0.0", 1);
    ReleaseStatus status = StatusBuilder.build(g.release, plan, g.world(), g.now,
        List.of(new Action.Drain.Call(answered, null),
            new Action.Drain.Call(silent, "no answer within 5s")));
    assertThat(status.draining).singleElement().satisfies(d -> {
      assertThat(d.answered).isEqualTo(1);
      assertThat(d.failed).containsExactly(silent + ": no answer within 5s");
    });
    g.release.setStatus(status);
    DrainingFleet kept = g.status(g.at(LATER.plusSeconds(1)).decide()).draining.get(0);
    assertThat(kept.answered).isEqualTo(1);
    assertThat(kept.failed).containsExactly(silent + ": no answer within 5s");
  }

  // ---------------------------------------------------------------- helpers

  private static Given expiredRetainedFleet() {
    return live("2.0.0", 2).fleet("1.0.0", 2, RUNNING).previous("1.0.0", LATER)
        .spec(r -> r.getSpec().drain = drain()).at(LATER);
  }

  static Drain drain() {
    Drain d = new Drain();
    d.timeout = "30s";
    d.http = new DrainCall();
    d.http.port = 8080;
    d.http.path = "/drain";
    return d;
  }

  private static DrainingFleet entry(Given g, String reason, Instant startedAt,
      Instant terminateAt, String... ids) {
    DrainingFleet e = new DrainingFleet();
    e.version = "1.0.0";
    e.reason = reason;
    e.instanceIds = List.of(ids);
    e.startedAt = startedAt.toString();
    e.terminateAt = terminateAt.toString();
    return e;
  }

  private static Given live(String version, int size) {
    return release(version, size).fleet(version, size, RUNNING).eipOn(version, 0).active(version);
  }

  private static Arguments row(String description, Supplier<Given> given, Phase phase,
      String... actions) {
    return Arguments.of(description, given, phase, List.of(actions));
  }
}
