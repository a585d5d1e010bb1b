package dev.cutover.lifecycle;

import static dev.cutover.testworld.Ec2World.ids;
import static dev.cutover.testworld.Ec2World.tag;
import static dev.cutover.testworld.ReleaseOps.active;
import static dev.cutover.testworld.ReleaseOps.isTrue;
import static dev.cutover.testworld.ReleaseOps.ready;
import static dev.cutover.testworld.ReleaseOps.reason;
import static dev.cutover.testworld.ReleaseOps.stalled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cutover.Cutover;
import dev.cutover.api.DeletionPolicy;
import dev.cutover.api.Phase;
import dev.cutover.api.Promotion;
import dev.cutover.api.Release;
import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.ec2.Tags;
import dev.cutover.status.StatusBuilder;
import dev.cutover.testworld.Ec2World;
import dev.cutover.testworld.Operators;
import dev.cutover.testworld.Patience;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.ReleaseOps;
import dev.cutover.testworld.TestWorld;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * Every lifecycle scenario end to end: the operator runs in this JVM against the real API server
 * and moto, through the real AWS SDK. Durations are short (seconds) instead of a fake clock.
 */
@ExtendWith(TestWorld.class)
class ReleaseLifecycleIT {

  static final Ec2Gateway gateway = Operators.newGateway();

  @RegisterExtension
  static final LocallyRunOperatorExtension operator = Operators.inThisJvm(gateway);

  private final Ec2World ec2 = new Ec2World(TestWorld.ec2());
  private ReleaseOps releases;
  private Ec2World.Network network;

  @BeforeEach
  void elasticIp() {
    releases = ReleaseOps.in(operator.getNamespace());
    network = ec2.defaultNetwork();
  }

  // ------------------------------------------------------------------ 1. first release

  @Test
  void firstReleaseLaunchesTheFleetInOneCallAndGoesLive() {
    Map<String, Long> before = gateway.callCounts();
    Release release = releases.create(release("storefront", "2.4.1", 3));

    Release live = releases.awaitPhase("storefront", Phase.Live, ReleaseOps::ready);

    List<Instance> fleet = ec2.alive(key("storefront"), "2.4.1");
    assertThat(fleet).hasSize(3);
    Instance first = fleet.get(0);
    assertThat(Ec2World.tags(first)).containsEntry(Tags.MANAGED_BY, "cutover")
        .containsEntry(Tags.RELEASE_UID, release.getMetadata().getUid())
        .containsEntry(Tags.RELEASE, key("storefront"))
        .containsEntry(Tags.VERSION, "2.4.1")
        .containsEntry(Tags.FLEET, live.getStatus().activeFleet.id)
        .containsEntry("team", "web")
        .containsKeys(Tags.SLOT, Tags.NAME);
    assertThat(first.clientToken()).startsWith("cutover-");
    assertThat(fleet.stream().map(i -> i.tags().stream().filter(t -> t.key().equals(Tags.SLOT))
        .findFirst().orElseThrow().value()).distinct()).containsExactly("0-2");
    assertThat(eipHolder())
        .isEqualTo(live.getStatus().activeFleet.primaryInstanceId)
        .isIn(ids(fleet));
    assertThat(live.getStatus().activeFleet.instanceIds).containsExactlyInAnyOrderElementsOf(
        ids(fleet));
    assertThat(live.getStatus().observedGeneration).isEqualTo(1L);
    assertThat(calls(before, "RunInstances/ok")).isEqualTo(1);
    assertThat(calls(before, "AssociateAddress/ok")).isEqualTo(1);
    assertThat(releases.eventReasons("storefront")).contains("Launched", "Promoted", "Live");
  }

  // ------------------------------------------------------------------ 2. new version

  @Test
  void newVersionIsStagedSwitchedInOneCallAndThePreviousFleetExpiresAfterItsTtl() {
    releases.create(release("shop", "1.0.0", 2,
        r -> r.getSpec().retention.previousFleetTTL = "6s"));
    Release v1 = releases.awaitPhase("shop", Phase.Live, ReleaseOps::ready);
    List<String> v1Ids = ids(ec2.alive(key("shop"), "1.0.0"));

    Map<String, Long> before = gateway.callCounts();
    releases.update("shop", r -> r.getSpec().version = "1.1.0");
    Release v2 = releases.awaitPhase("shop", Phase.Live,
        r -> ready(r) && active(r, "1.1.0"));

    assertThat(eipHolder()).isIn(ids(ec2.alive(key("shop"), "1.1.0")));
    assertThat(v2.getStatus().previousFleet.version).isEqualTo("1.0.0");
    assertThat(v2.getStatus().previousFleet.instanceIds).containsExactlyInAnyOrderElementsOf(v1Ids);
    assertThat(ids(ec2.alive(key("shop"), "1.0.0"))).as("retained").isEqualTo(v1Ids);
    assertThat(v2.getStatus().history).extracting(h -> h.from + "->" + h.to)
        .containsExactly("null->1.0.0", "1.0.0->1.1.0");
    assertThat(calls(before, "RunInstances/ok")).isEqualTo(1);
    assertThat(calls(before, "AssociateAddress/ok")).isEqualTo(1);
    assertThat(calls(before, "DisassociateAddress/ok")).isZero();

    await().atMost(Patience.RECONCILE).until(() -> ec2.alive(key("shop"), "1.0.0").isEmpty());
    Release after = releases.awaitPhase("shop", Phase.Live,
        r -> r.getStatus().previousFleet == null);
    assertThat(after.getStatus().activeFleet.version).isEqualTo("1.1.0");
    assertThat(calls(before, "TerminateInstances/ok")).isEqualTo(1);
    assertThat(releases.eventReasons("shop")).contains("Terminated");
    assertThat(Duration.between(Instant.parse(v2.getStatus().previousFleet.expiresAt),
        Instant.now())).as("terminated at expiry, not long after").isLessThan(Duration.ofSeconds(20));
  }

  // ------------------------------------------------------------------ 3. switch back

  @Test
  void switchBackToTheRetainedFleetMovesTheElasticIpAndLaunchesNothing() {
    releases.create(release("web", "1.0.0", 2));
    releases.awaitPhase("web", Phase.Live, ReleaseOps::ready);
    releases.update("web", r -> r.getSpec().version = "2.0.0");
    releases.awaitPhase("web", Phase.Live, r -> ready(r) && active(r, "2.0.0"));
    List<String> v1Ids = ids(ec2.alive(key("web"), "1.0.0"));
    List<String> v2Ids = ids(ec2.alive(key("web"), "2.0.0"));

    Map<String, Long> before = gateway.callCounts();
    releases.update("web", r -> r.getSpec().version = "1.0.0");
    Release back = releases.awaitPhase("web", Phase.Live,
        r -> ready(r) && active(r, "1.0.0"));

    assertThat(calls(before, "RunInstances/ok")).isZero();
    assertThat(calls(before, "AssociateAddress/ok")).isEqualTo(1);
    assertThat(eipHolder()).isIn(v1Ids);
    assertThat(back.getStatus().previousFleet.version).isEqualTo("2.0.0");
    assertThat(ids(ec2.alive(key("web"), "2.0.0"))).isEqualTo(v2Ids);
    assertThat(back.getStatus().history).last().satisfies(h -> {
      assertThat(h.reason).isEqualTo("SwitchedBack");
      assertThat(h.to).isEqualTo("1.0.0");
    });
  }

  // ------------------------------------------------------------------ 4. superseded staging

  @Test
  void aNewerVersionDuringStagingTerminatesTheSupersededFleet() {
    String live = liveThenStagedUnderManualPromotion("api");
    List<String> staged = ids(ec2.alive(key("api"), "2.0.0"));
    assertThat(staged).hasSize(2);

    releases.update("api", r -> r.getSpec().version = "3.0.0");
    releases.awaitPhase("api", Phase.AwaitingPromotion,
        r -> "3.0.0".equals(r.getStatus().stagingFleet.version));
    await().atMost(Patience.RECONCILE).until(() -> ec2.alive(key("api"), "2.0.0").isEmpty());
    assertThat(ec2.alive(key("api"), "3.0.0")).hasSize(2);
    assertThat(eipHolder()).as("production untouched").isEqualTo(live);
    assertThat(ec2.alive(key("api"), "1.0.0")).hasSize(2);
  }

  // ------------------------------------------------------------------ 5. failure

  @Test
  void aStagingInstanceLostIsReplacedAndProductionKeepsServing() {
    String live = liveThenStagedUnderManualPromotion("pay");
    String lost = ec2.alive(key("pay"), "2.0.0").get(0).instanceId();
    ec2.terminate(lost);

    // The slot is launched again; the release is not failed for an instance it can replace.
    await().atMost(Patience.RECONCILE).until(() -> ec2.alive(key("pay"), "2.0.0").size() == 2
        && ec2.alive(key("pay"), "2.0.0").stream().noneMatch(i -> i.instanceId().equals(lost)));
    Release staged = releases.awaitPhase("pay", Phase.AwaitingPromotion,
        r -> r.getStatus().stagingFleet.instances.stream().noneMatch(i -> i.id.equals(lost)));
    assertThat(staged.getStatus().lastFailure).isNull();
    assertThat(isTrue(staged, StatusBuilder.AVAILABLE)).as("production serves").isTrue();
    assertThat(eipHolder()).isEqualTo(live);
  }

  @Test
  void anAwsErrorBecomesAStalledConditionWithTheAwsCode() {
    releases.create(release("bad", "1.0.0", 1, 
        r -> r.getSpec().template.subnetIds = List.of("subnet-0123456789abcdef0")));
    Release failed = releases.awaitPhase("bad", Phase.Failed,
        r -> stalled(r) && r.getStatus().lastFailure != null);
    assertThat(failed.getStatus().lastFailure.message).contains("RunInstances")
        .contains("InvalidSubnetID.NotFound");
    assertThat(reason(failed, StatusBuilder.STALLED)).isEqualTo(failed.getStatus().lastFailure.reason)
        .isEqualTo("InvalidSubnetIDNotFound");
    assertThat(releases.eventReasons("bad")).contains("InvalidSubnetID.NotFound", "Failed");
    assertThat(ec2.aliveOfRelease(key("bad"))).isEmpty();

    // No retry until the spec changes.
    Map<String, Long> before = gateway.callCounts();
    Patience.steady().until(() -> calls(before, "RunInstances/ok") == 0
            && calls(before, "RunInstances/InvalidSubnetID.NotFound") == 0);
  }

  // ------------------------------------------------------------------ 6. scale in place

  @Test
  void changingOnlyTheFleetSizeScalesTheActiveFleetInPlace() {
    releases.create(release("grow", "1.0.0", 2));
    Release live = releases.awaitPhase("grow", Phase.Live, ReleaseOps::ready);
    String fleetId = live.getStatus().activeFleet.id;
    String holder = eipHolder();

    releases.update("grow", r -> r.getSpec().fleetSize = 4);
    releases.awaitPhase("grow", Phase.Live,
        r -> ready(r) && r.getStatus().activeFleet.instanceIds.size() == 4);
    assertThat(ec2.alive(key("grow"), "1.0.0")).hasSize(4)
        .allMatch(i -> fleetId.equals(tag(i, Tags.FLEET)));
    assertThat(eipHolder()).isEqualTo(holder);

    releases.update("grow", r -> r.getSpec().fleetSize = 1);
    releases.awaitPhase("grow", Phase.Live,
        r -> ready(r) && r.getStatus().activeFleet.instanceIds.size() == 1);
    await().atMost(Patience.RECONCILE).until(() -> ec2.alive(key("grow"), "1.0.0").size() == 1);
    assertThat(eipHolder()).isEqualTo(holder);
  }

  // ------------------------------------------------------------------ 7. self-heal

  @Test
  void anActiveInstanceTerminatedOutOfBandIsReplacedAndTheElasticIpMovesAtOnce() {
    releases.create(release("heal", "1.0.0", 3));
    releases.awaitPhase("heal", Phase.Live, ReleaseOps::ready);
    String holder = eipHolder();

    ec2.terminate(holder);

    await().atMost(Patience.RECONCILE).untilAsserted(() -> {
      String now = eipHolder();
      assertThat(now).isNotEqualTo(holder);
      assertThat(ec2.instance(now).state().nameAsString()).isEqualTo("running");
    });
    await().atMost(Patience.RECONCILE).until(() -> ec2.alive(key("heal"), "1.0.0").size() == 3);
    Release healed = releases.awaitPhase("heal", Phase.Live, ReleaseOps::ready);
    assertThat(healed.getStatus().activeFleet.instanceIds).doesNotContain(holder).hasSize(3);
  }

  // ------------------------------------------------------------------ 8. pause

  @Test
  void aPausedReleaseOnlyObserves() {
    releases.create(release("still", "1.0.0", 1));
    releases.awaitPhase("still", Phase.Live, ReleaseOps::ready);
    Map<String, Long> before = gateway.callCounts();

    releases.update("still", r -> {
      r.getSpec().paused = true;
      r.getSpec().version = "2.0.0";
    });
    // Nothing is provisioned while paused: the phase stays what it was.
    Release paused = releases.awaitPhase("still", Phase.Live,
        r -> "Paused".equals(reason(r, StatusBuilder.READY)));
    assertThat(paused.getStatus().conditions).filteredOn(c -> c.getType().equals("Ready"))
        .first().satisfies(c -> assertThat(c.getMessage()).contains("waiting for paused: false"));
    assertThat(calls(before, "RunInstances/ok")).isZero();

    releases.update("still", r -> r.getSpec().paused = false);
    releases.awaitPhase("still", Phase.Live, r -> ready(r) && active(r, "2.0.0"));
  }

  // ------------------------------------------------------------------ 9. delete

  @Test
  void deletingTerminatesEveryInstanceAndReleasesAnAddressCutoverAllocated() {
    releases.create(release("gone", "1.0.0", 2, r -> {
      r.getSpec().elasticIp.allocationId = null;
      r.getSpec().elasticIp.allocate = true;
    }));
    Release live = releases.awaitPhase("gone", Phase.Live, ReleaseOps::ready);
    String allocated = live.getStatus().elasticIp.allocationId;
    assertThat(live.getStatus().elasticIp.allocatedByCutover).isTrue();

    releases.delete("gone");
    releases.awaitGone("gone", Patience.RECONCILE);
    assertThat(ec2.aliveOfRelease(key("gone"))).isEmpty();
    assertThat(ec2.addresses()).extracting(a -> a.allocationId()).doesNotContain(allocated)
        .as("the user's address is never released").contains(network.allocationId());
  }

  @Test
  void deletingWithRetainLeavesEverythingRunning() {
    releases.create(release("kept", "1.0.0", 2,
        r -> r.getSpec().deletionPolicy = DeletionPolicy.Retain));
    releases.awaitPhase("kept", Phase.Live, ReleaseOps::ready);
    releases.delete("kept");
    releases.awaitGone("kept", Patience.RECONCILE);
    assertThat(ec2.alive(key("kept"), "1.0.0")).hasSize(2);
    assertThat(eipHolder()).isIn(ids(ec2.alive(key("kept"), "1.0.0")));
  }

  // ------------------------------------------------------------------ 10. ownership

  @Test
  void foreignAndLookAlikeInstancesAreNeverTouched() {
    String untagged = ec2.launchUntagged();
    String lookAlike = ec2.launchLookAlike(key("own"));
    String otherManager = ec2.launchForeign(Map.of(Tags.MANAGED_BY, "someone-else",
        Tags.RELEASE, key("own")));

    releases.create(release("own", "1.0.0", 1, r -> r.getSpec().retention.previousFleetTTL = "0s"));
    releases.awaitPhase("own", Phase.Live, ReleaseOps::ready);
    releases.update("own", r -> r.getSpec().version = "2.0.0");
    releases.awaitPhase("own", Phase.Live, r -> ready(r) && r.getStatus().previousFleet == null);
    releases.delete("own");
    releases.awaitGone("own", Patience.RECONCILE);

    for (String foreign : List.of(untagged, lookAlike, otherManager)) {
      assertThat(ec2.instance(foreign).state().nameAsString()).as(foreign).isEqualTo("running");
    }
  }

  // ------------------------------------------------------------------ 11. crash safety

  @Test
  void afterARestartThatLostTheStatusNothingIsLaunchedTwice() throws Exception {
    releases.create(release("crash", "1.0.0", 3));
    Release live = releases.awaitPhase("crash", Phase.Live, ReleaseOps::ready);
    String holder = eipHolder();

    // A fresh operator (new inventory, nothing in memory) sees a Release whose status was lost.
    Ec2Gateway freshGateway = Operators.newGateway();
    var restarted = Cutover.reconciler(TestWorld.client(), freshGateway, Clock.systemUTC(),
        Operators.POLL);
    live.setStatus(null);
    // Its first pass finds no poll of EC2 landed yet: it decides nothing and asks for one (the
    // refresh thread polls); the first pass after that decides, from what EC2 shows.
    await().atMost(Patience.RECONCILE).until(() -> {
      restarted.reconcile(live, null);
      return live.getStatus() != null;
    });

    assertThat(freshGateway.callCounts()).doesNotContainKeys("RunInstances/ok",
        "TerminateInstances/ok", "AssociateAddress/ok");
    assertThat(live.getStatus().phase).isEqualTo(Phase.Live);
    assertThat(ec2.alive(key("crash"), "1.0.0")).hasSize(3);
    assertThat(eipHolder()).isEqualTo(holder);
  }

  // ------------------------------------------------------------------ helpers

  private Release release(String name, String version, int size) {
    return release(name, version, size, r -> { });
  }

  private Release release(String name, String version, int size, Consumer<Release> tweak) {
    return ReleaseBuilder.named(name).version(version).fleetSize(size).network(network)
        .tag("team", "web").previousFleetTTL("10m").promotion(p -> { }).with(tweak).build();
  }

  /**
   * 1.0.0 live at 2 instances under manual promotion (the first fleet waits for approval too),
   * then 2.0.0 staged and awaiting promotion; the instance serving production.
   */
  private String liveThenStagedUnderManualPromotion(String name) {
    releases.create(release(name, "1.0.0", 2,
        r -> r.getSpec().promotion.mode = Promotion.Mode.Manual));
    releases.awaitPhase(name, Phase.AwaitingPromotion, r -> true);
    releases.update(name, r -> r.getSpec().promotion.approvedVersion = "1.0.0");
    releases.awaitPhase(name, Phase.Live, ReleaseOps::ready);
    String live = eipHolder();
    releases.update(name, r -> r.getSpec().version = "2.0.0");
    releases.awaitPhase(name, Phase.AwaitingPromotion,
        r -> "2.0.0".equals(r.getStatus().stagingFleet.version));
    return live;
  }

  /** The instance the Elastic IP is on. */
  private String eipHolder() {
    return ec2.address(network.allocationId()).instanceId();
  }

  private String key(String name) {
    return releases.key(name);
  }

  private static long calls(Map<String, Long> before, String key) {
    return gateway.callCounts().getOrDefault(key, 0L) - before.getOrDefault(key, 0L);
  }
}
