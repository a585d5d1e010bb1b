package dev.cutover.deploy;

import static dev.cutover.ec2.InstanceState.RUNNING;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.api.Release;
import dev.cutover.decide.Decider;
import dev.cutover.decide.FleetIds;
import dev.cutover.ec2.ElasticIp;
import dev.cutover.ec2.InstanceState;
import dev.cutover.ec2.ManagedInstance;
import dev.cutover.ec2.ManagedInstance.StatusChecks;
import dev.cutover.observe.ObservedWorld;
import dev.cutover.status.StatusBuilder;
import dev.cutover.testworld.ReleaseBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The Argo CD health script against the status objects Cutover writes (built by the operator's
 * own decide and status code), so the script and the status cannot drift apart.
 */
class ArgoHealthTest {

  static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

  @Test
  void liveIsHealthy() {
    Release r = released(r0 -> { }, RUNNING, true);
    assertThat(ArgoHealth.of(r)).containsEntry("status", "Healthy");
  }

  @Test
  void launchingIsProgressing() {
    Release r = released(r0 -> { }, InstanceState.PENDING, false);
    assertThat(ArgoHealth.of(r)).containsEntry("status", "Progressing");
  }

  @Test
  void aMissingElasticIpIsDegradedWithTheReason() {
    Release r = released(r0 -> { }, RUNNING, false);
    r.setStatus(StatusBuilder.build(r, Decider.decide(r, ObservedWorld.empty(), NOW),
        ObservedWorld.empty(), NOW));
    assertThat(ArgoHealth.of(r)).containsEntry("status", "Degraded");
    assertThat(ArgoHealth.of(r).get("message")).contains("was not found");
  }

  @Test
  void aStatusOlderThanTheSpecIsProgressing() {
    Release r = released(r0 -> { }, RUNNING, true);
    r.getMetadata().setGeneration(2L);
    assertThat(ArgoHealth.of(r)).containsEntry("status", "Progressing");
  }

  @Test
  void pausedIsSuspended() {
    Release r = released(r0 -> r0.getSpec().paused = true, RUNNING, true);
    assertThat(ArgoHealth.of(r)).containsEntry("status", "Suspended");
  }

  @Test
  void noStatusYetIsProgressing() {
    assertThat(ArgoHealth.of(ReleaseBuilder.named("new").build()))
        .containsEntry("status", "Progressing");
  }

  /** A Release after one decide pass over a world with a fleet of its version. */
  private static Release released(Consumer<Release> tweak, InstanceState state, boolean eipOn) {
    Release r = ReleaseBuilder.named("app").build();
    r.getMetadata().setNamespace("shop");
    r.getMetadata().setUid("uid-1");
    r.getMetadata().setGeneration(1L);
    r.getSpec().verification = new dev.cutover.api.Verification();
    r.getSpec().promotion = new dev.cutover.api.Promotion();
    r.getSpec().retention = new dev.cutover.api.Retention();
    r.getSpec().postSwitch = new dev.cutover.api.PostSwitch();
    tweak.accept(r);
    String fleet = FleetIds.fleetId(r.getSpec().version, r.getSpec().template);
    List<ManagedInstance> instances = new ArrayList<>();
    for (int slot = 0; slot < r.getSpec().fleetSize; slot++) {
      instances.add(new ManagedInstance("i-" + slot, "uid-1", "shop/app", fleet,
          r.getSpec().version, slot, state, "127.16.0." + slot, null, NOW, StatusChecks.OK));
    }
    ElasticIp eip = new ElasticIp(r.getSpec().elasticIp.allocationId, "203.0.113.7",
        eipOn ? "i-0" : null, null, null);
    var world = new ObservedWorld(instances, Optional.of(eip));
    if (eipOn) {
      // One pass records the fleet as active; the next reports it Live.
      r.setStatus(StatusBuilder.build(r, Decider.decide(r, world, NOW), world, NOW));
    }
    r.setStatus(StatusBuilder.build(r, Decider.decide(r, world, NOW), world, NOW));
    return r;
  }
}
