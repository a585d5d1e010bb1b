package dev.cutover.sim;

import static dev.cutover.sim.SimulatedScenariosTest.alive;
import static dev.cutover.sim.SimulatedScenariosTest.live;
import static dev.cutover.sim.SimulatedScenariosTest.story;
import static dev.cutover.sim.SimulatedScenariosTest.until;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.sim.Simulation.Reconciled;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Refreshes of EC2 that land only when time passes, as the operator's refresh thread makes
 * them: a pass the inventory cannot answer decides nothing and calls nothing, and the pass after
 * the refresh landed decides on it. (A quarter of the seeded histories run this way.)
 */
class LateRefreshesTest {

  @Test
  void aPassWithoutAWorldDecidesNothingAndAfterACrashNothingIsLaunchedTwice() {
    Simulation sim = Simulation.create();
    sim.setLateRefreshes();

    Reconciled first = sim.reconcile();
    assertThat(first.result().awaitingRefresh()).as("no refresh landed yet" + story(sim))
        .isTrue();
    assertThat(first.calls()).as("the pass itself calls nothing").isEmpty();
    assertThat(first.result().changed()).isFalse();

    sim.advance(Duration.ofSeconds(1), "the refresh lands");
    Reconciled second = sim.reconcile();
    assertThat(second.result().awaitingRefresh()).isFalse();
    assertThat(second.calls()).extracting(SimulatedEc2.Call::operation)
        .as("decided on the landed refresh: claims its address first" + story(sim))
        .containsExactly("CreateTags");
    assertThat(second.statusWritten()).isTrue();
    until(sim, "1.0.0 live", live("1.0.0"));

    sim.crash();
    assertThat(sim.reconcile().result().awaitingRefresh()).as("a new process has no snapshot")
        .isTrue();
    sim.settle(20, 6);
    assertThat(alive(sim, "1.0.0")).as("found again, not launched again" + story(sim))
        .isEqualTo(2);
    assertThat(live("1.0.0").test(sim)).isTrue();
  }
}
