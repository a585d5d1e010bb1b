package dev.cutover.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.ec2.ManagedInstance;
import dev.cutover.sim.SimClock;
import dev.cutover.testworld.Ec2Proxy;
import dev.cutover.testworld.Ec2World;
import dev.cutover.testworld.TestWorld;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The inventory against moto through the counting proxy: one refresh of 250 instances costs
 * one DescribeInstances, three DescribeInstanceStatus and one DescribeAddresses on the wire,
 * and while a refresh is held inside DescribeInstances, reads return at once from the last
 * snapshot and every other ask for fresh data joins that one refresh.
 */
@ExtendWith(TestWorld.class)
class Ec2InventoryIT {

  static final String UID = "5b1c7d2e-0000-4000-8000-000000000001";
  static final String KEY = "shop/app";

  static final Ec2Proxy proxy = new Ec2Proxy(TestWorld.moto().endpoint());

  @BeforeEach
  void resetProxy() {
    proxy.reset();
  }

  @AfterAll
  static void stopProxy() {
    proxy.close();
  }

  /**
   * On its own refresh thread; the clock stands still, so that no read finds the snapshot too
   * old, however slowly moto answers.
   */
  static Ec2Inventory inventory() {
    return new Ec2Inventory(new Ec2Gateway(TestWorld.newEc2Client(proxy.endpoint())),
        new SimClock(Instant.parse("2026-11-27T12:00:00Z")), Duration.ofMinutes(1));
  }

  @Test
  void oneRefreshOf250InstancesIsFiveCallsOnTheWire(Ec2Client ec2) {
    Ec2World world = new Ec2World(ec2);
    List<String> mine = new java.util.ArrayList<>(world.launchAsCutover(UID, KEY, 125));
    mine.addAll(world.launchAsCutover(UID, KEY, 125));
    try (Ec2Inventory inventory = inventory()) {
      inventory.refresh();
      assertThat(proxy.calls()).isEqualTo(Map.of("DescribeInstances", 1L,
          "DescribeInstanceStatus", 3L, "DescribeAddresses", 1L));
      ObservedWorld seen = inventory.worldFor(UID, KEY, null, Instant.EPOCH).orElseThrow();
      assertThat(seen.instances()).extracting(ManagedInstance::id)
          .containsExactlyInAnyOrderElementsOf(mine);
      assertThat(seen.instances()).extracting(ManagedInstance::statusChecks)
          .containsOnly(ManagedInstance.StatusChecks.OK);
    }
  }

  @Test
  void whileARefreshIsHeldReadsReturnAtOnceAndEveryAskJoinsIt(Ec2Client ec2) {
    Ec2World world = new Ec2World(ec2);
    world.launchAsCutover(UID, KEY, 2);
    try (Ec2Inventory inventory = inventory()) {
      inventory.refresh();
      List<String> launchedLater = world.launchAsCutover(UID, KEY, 1);

      long before = proxy.calls().get("DescribeInstances");
      CountDownLatch release = new CountDownLatch(1);
      AtomicInteger held = new AtomicInteger();
      proxy.observe((action, params) -> {
        if (action.equals("DescribeInstances")) {
          held.incrementAndGet();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      });
      CompletableFuture<?> poll = inventory.poll();
      await().atMost(Duration.ofSeconds(10)).until(() -> held.get() == 1);

      ObservedWorld during = assertTimeoutPreemptively(Duration.ofSeconds(2),
          () -> inventory.worldFor(UID, KEY, null, Instant.EPOCH).orElseThrow(),
          "a read does not wait for the refresh");
      assertThat(during.instances()).as("the last complete snapshot").hasSize(2);
      assertThat(inventory.poll()).as("a second poll joins the one in flight").isSameAs(poll);
      assertThat(poll).isNotDone();
      assertThat(held).as("no second refresh beside the held one").hasValue(1);

      release.countDown();
      await().atMost(Duration.ofSeconds(30)).until(poll::isDone);
      assertThat(inventory.worldFor(UID, KEY, null, Instant.EPOCH).orElseThrow().instances())
          .extracting(ManagedInstance::id).hasSize(3).containsAll(launchedLater);
      assertThat(proxy.calls()).as("one DescribeInstances for all who asked")
          .containsEntry("DescribeInstances", before + 1);
    }
  }
}
