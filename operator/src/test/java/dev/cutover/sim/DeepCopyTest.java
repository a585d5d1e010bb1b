package dev.cutover.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.api.Release;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The simulated API server hands out copies that say what a JSON round trip would. */
class DeepCopyTest {

  @Test
  void aCopyOfALiveReleaseIsEqualInJsonAndShareNothing() {
    Simulation sim = Simulation.create();
    sim.settle(30, 6);
    sim.setVersion("2.0.0");
    sim.advance(Duration.ofSeconds(5), "a moment");
    sim.reconcile();
    Release stored = sim.stored();
    assertThat(stored.getStatus().conditions).isNotEmpty();
    assertThat(stored.getStatus().activeFleet).isNotNull();

    Release copy = DeepCopy.of(stored);
    assertThat(DeepCopy.sameAsJson(stored, copy)).isTrue();
    assertThat(copy.getStatus()).isNotSameAs(stored.getStatus());
    assertThat(copy.getStatus().conditions.get(0))
        .isNotSameAs(stored.getStatus().conditions.get(0));
    assertThat(copy.getMetadata()).isNotSameAs(stored.getMetadata());
    copy.getSpec().template.subnetIds.set(0, "subnet-changed");
    assertThat(stored.getSpec().template.subnetIds.get(0)).isNotEqualTo("subnet-changed");
  }

  @Test
  void aCopyOfALiveSystemOfRolesIsEqualInJsonAndSharesNothing() {
    Simulation sim = Simulation.create(Simulation.World.SYSTEM, spec -> spec.preview =
        Simulation.address(Simulation.PREVIEW_EIP));
    sim.settle(30, 6);
    Release stored = sim.stored();
    assertThat(stored.getStatus().activeFleet).isNotNull();

    Release copy = DeepCopy.of(stored);
    assertThat(DeepCopy.sameAsJson(stored, copy)).isTrue();
    copy.getSpec().roles.get(0).elasticIps.get(1).allocationId = "eipalloc-changed";
    assertThat(stored.getSpec().roles.get(0).elasticIps.get(1).allocationId)
        .isEqualTo(Simulation.WEB2_EIP);
  }
}
