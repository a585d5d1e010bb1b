package dev.cutover.decide;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.decide.Action.Associate;
import dev.cutover.decide.Action.Launch;
import dev.cutover.decide.Action.ReleaseAddress;
import dev.cutover.decide.Action.Terminate;
import dev.cutover.observe.Fleet;
import dev.cutover.ec2.InstanceState;
import dev.cutover.ec2.ManagedInstance;
import dev.cutover.ec2.ManagedInstance.StatusChecks;
import dev.cutover.observe.ObservedWorld;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Properties of the policy over thousands of generated worlds (seeded, so a failure names the
 * seed that reproduces it): whatever EC2 looks like, a plan never harms production or touches
 * what the Release does not own.
 */
class DeciderInvariantsTest {

  static final List<String> VERSIONS = List.of("1.0.0", "2.0.0", "3.0.0");
  static final InstanceState[] STATES = InstanceState.values();

  static Stream<Long> seeds() {
    return IntStream.range(0, 3000).mapToObj(i -> 7919L * i + 17);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void planIsSafeForAnyWorld(long seed) {
    Random random = new Random(seed);
    Given g = randomGiven(random);
    ObservedWorld world = g.world();
    Plan plan = g.decide();
    boolean deleting = g.release.isMarkedForDeletion();

    String holder = world.elasticIp().map(e -> e.instanceId()).orElse(null);
    Set<String> terminated = new HashSet<>();
    for (Action action : plan.actions()) {
      if (action instanceof Terminate t) {
        assertThat(world.owns(t.instanceIds())).as("terminates only its own instances").isTrue();
        if (!deleting && holder != null && isRunning(world, holder)) {
          assertThat(t.instanceIds()).as("never terminates the instance serving production")
              .doesNotContain(holder);
        }
        terminated.addAll(t.instanceIds());
      } else if (action instanceof Associate a) {
        assertThat(isRunning(world, a.instanceId()))
            .as("the Elastic IP only ever moves to a running instance of the Release").isTrue();
        assertThat(terminated).as("never to an instance it terminates").doesNotContain(
            a.instanceId());
        holder = a.instanceId();
      } else if (action instanceof Launch l) {
        Fleet fleet = world.fleets().get(l.fleetId());
        if (fleet != null) {
          for (int slot : l.slots()) {
            assertThat(fleet.aliveInSlot(slot)).as("never launches into an occupied slot of "
                + "fleet %s", l.fleetId()).isEmpty();
          }
        }
        var request = dev.cutover.act.LaunchRequests.of(g.release, l);
        assertThat(request.count()).isEqualTo(l.slots().size());
        assertThat(request.clientToken()).hasSizeLessThanOrEqualTo(64);
      } else if (action instanceof ReleaseAddress r) {
        assertThat(deleting).as("addresses are released only on deletion").isTrue();
        assertThat(r.address().ownerReleaseUid()).isEqualTo(Given.UID);
      }
    }
    if (Boolean.TRUE.equals(g.release.getSpec().paused) && !deleting) {
      assertThat(plan.actions()).as("paused").isEmpty();
    }
    if (!deleting && holder != null && isRunning(world, holder)) {
      assertThat(terminated).as("production keeps an Elastic IP on a running instance")
          .doesNotContain(holder);
    }
  }

  private static boolean isRunning(ObservedWorld world, String id) {
    return world.instance(id).map(i -> i.state() == InstanceState.RUNNING).orElse(false);
  }

  private static Given randomGiven(Random random) {
    Given g = Given.release(pick(random, VERSIONS), 1 + random.nextInt(4));
    for (String version : VERSIONS) {
      if (random.nextInt(3) == 0) {
        continue;
      }
      int count = random.nextInt(5);
      for (int slot = 0; slot < count; slot++) {
        g.instance(version, slot, pick(random, List.of(STATES)),
            pick(random, List.of(StatusChecks.values())),
            Given.T0.minus(Duration.ofMinutes(random.nextInt(300))));
      }
    }
    List<ManagedInstance> all = g.instances;
    switch (random.nextInt(4)) {
      case 0 -> g.noEipHolder();
      case 1 -> { }
      default -> {
        if (!all.isEmpty()) {
          g.address = g.address.associatedWith(pick(random, all).id());
        }
      }
    }
    if (random.nextInt(8) == 0) {
      g.noAddress();
    }
    if (random.nextBoolean()) {
      g.active(pick(random, VERSIONS));
    }
    if (random.nextBoolean()) {
      g.previous(pick(random, VERSIONS), Given.T0.plus(Duration.ofMinutes(random.nextInt(240)
          - 60)));
    }
    if (random.nextBoolean()) {
      g.staging(g.release.getSpec().version, Given.T0.minus(Duration.ofMinutes(
          random.nextInt(30))), random.nextBoolean() ? Given.T0 : null);
    }
    if (random.nextInt(5) == 0) {
      g.failed(pick(random, VERSIONS), 1);
    }
    if (random.nextBoolean()) {
      g.httpCheck();
      for (ManagedInstance i : all) {
        g.http.put(i.id(), new dev.cutover.observe.HttpCheckResult(random.nextInt(4),
            random.nextInt(4), null, "generated"));
      }
    }
    g.spec(r -> {
      r.getSpec().paused = random.nextInt(6) == 0;
      r.getSpec().retention.previousFleetSize = random.nextInt(r.getSpec().fleetSize + 1);
      r.getSpec().promotion.mode = random.nextBoolean()
          ? dev.cutover.api.Promotion.Mode.Auto : dev.cutover.api.Promotion.Mode.Manual;
      if (random.nextInt(10) == 0) {
        r.getMetadata().setDeletionTimestamp("2026-11-27T12:00:00Z");
      }
    });
    return g.at(Given.T0.plus(Duration.ofMinutes(random.nextInt(60))));
  }

  private static <T> T pick(Random random, List<T> items) {
    return items.get(random.nextInt(items.size()));
  }
}
