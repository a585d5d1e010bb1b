package dev.cutover.lifecycle;

import static dev.cutover.testworld.Ec2World.ids;
import static dev.cutover.testworld.Ec2World.tag;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cutover.Cutover;
import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.api.DeletionPolicy;
import dev.cutover.api.Phase;
import dev.cutover.api.Promotion;
import dev.cutover.api.Release;
import dev.cutover.ec2.Tags;
import dev.cutover.status.StatusBuilder;
import dev.cutover.testworld.Crds;
import dev.cutover.testworld.Ec2World;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.ReleaseOps;
import dev.cutover.testworld.TestWorld;
import io.fabric8.kubernetes.api.model.Event;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
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

  static final Duration POLL = Duration.ofSeconds(1);
  static final Duration PATIENCE = Duration.ofSeconds(60);
  static final Ec2Gateway gateway = new Ec2Gateway(TestWorld.newEc2Client(TestWorld.moto()));

  @RegisterExtension
  static final LocallyRunOperatorExtension operator = LocallyRunOperatorExtension.builder()
      // Its own client: the extension closes it when the class is done.
      .withKubernetesClient(TestWorld.kube().newClient())
      .withReconciler(Cutover.reconciler(TestWorld.client(), gateway, Clock.systemUTC(), POLL))
      // One namespace for the class (each test names its Releases apart; moto is reset between
      // tests). No kube-controller-manager runs beside the API server, so a namespace never
      // finishes terminating: do not wait for it.
      // The previous class's extension may still be deleting the CRD: wait, then install it.
      .withBeforeStartHook(extension -> Crds.installReleaseCrd(TestWorld.client()))
      .oneNamespacePerClass(true)
      .waitForNamespaceDeletion(false)
      .build();

  private final Ec2World ec2 = new Ec2World(TestWorld.ec2());
  private String allocationId;
  private String subnet;

  @BeforeEach
  void elasticIp() {
    allocationId = ec2.allocateAddress();
    subnet = ec2.defaultSubnet();
  }

  // ------------------------------------------------------------------ 1. first release

  @Test
  void firstReleaseLaunchesTheFleetInOneCallAndGoesLive() {
    Map<String, Long> before = gateway.callCounts();
    Release release = operator.create(release("storefront", "2.4.1", 3));

    Release live = awaitPhase("storefront", Phase.Live, r -> isReady(r));

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
    assertThat(ec2.address(allocationId).instanceId())
        .isEqualTo(live.getStatus().activeFleet.primaryInstanceId)
        .isIn(ids(fleet));
    assertThat(live.getStatus().activeFleet.instanceIds).containsExactlyInAnyOrderElementsOf(
        ids(fleet));
    assertThat(live.getStatus().observedGeneration).isEqualTo(1L);
    assertThat(calls(before, "RunInstances/ok")).isEqualTo(1);
    assertThat(calls(before, "AssociateAddress/ok")).isEqualTo(1);
    assertThat(eventReasons("storefront")).contains("Launched", "Promoted", "Live");
  }

  // ------------------------------------------------------------------ 2. new version

  @Test
  void newVersionIsStagedSwitchedInOneCallAndThePreviousFleetExpiresAfterItsTtl() {
    operator.create(release("shop", "1.0.0", 2, r -> r.getSpec().retention.previousFleetTTL = "6s"));
    Release v1 = awaitPhase("shop", Phase.Live, this::isReady);
    List<String> v1Ids = ids(ec2.alive(key("shop"), "1.0.0"));

    Map<String, Long> before = gateway.callCounts();
    update("shop", r -> r.getSpec().version = "1.1.0");
    Release v2 = awaitPhase("shop", Phase.Live,
        r -> isReady(r) && "1.1.0".equals(r.getStatus().activeFleet.version));

    assertThat(ec2.address(allocationId).instanceId()).isIn(ids(ec2.alive(key("shop"), "1.1.0")));
    assertThat(v2.getStatus().previousFleet.version).isEqualTo("1.0.0");
    assertThat(v2.getStatus().previousFleet.instanceIds).containsExactlyInAnyOrderElementsOf(v1Ids);
    assertThat(ids(ec2.alive(key("shop"), "1.0.0"))).as("retained").isEqualTo(v1Ids);
    assertThat(v2.getStatus().history).extracting(h -> h.from + "->" + h.to)
        .containsExactly("null->1.0.0", "1.0.0->1.1.0");
    assertThat(calls(before, "RunInstances/ok")).isEqualTo(1);
    assertThat(calls(before, "AssociateAddress/ok")).isEqualTo(1);
    assertThat(calls(before, "DisassociateAddress/ok")).isZero();

    await().atMost(PATIENCE).until(() -> ec2.alive(key("shop"), "1.0.0").isEmpty());
    Release after = awaitPhase("shop", Phase.Live, r -> r.getStatus().previousFleet == null);
    assertThat(after.getStatus().activeFleet.version).isEqualTo("1.1.0");
    assertThat(calls(before, "TerminateInstances/ok")).isEqualTo(1);
    assertThat(eventReasons("shop")).contains("Terminated");
    assertThat(Duration.between(Instant.parse(v2.getStatus().previousFleet.expiresAt),
        Instant.now())).as("terminated at expiry, not long after").isLessThan(Duration.ofSeconds(20));
  }

  // ------------------------------------------------------------------ 3. switch back

  @Test
  void switchBackToTheRetainedFleetMovesTheElasticIpAndLaunchesNothing() {
    operator.create(release("web", "1.0.0", 2));
    awaitPhase("web", Phase.Live, this::isReady);
    update("web", r -> r.getSpec().version = "2.0.0");
    awaitPhase("web", Phase.Live, r -> isReady(r) && "2.0.0".equals(r.getStatus().activeFleet.version));
    List<String> v1Ids = ids(ec2.alive(key("web"), "1.0.0"));
    List<String> v2Ids = ids(ec2.alive(key("web"), "2.0.0"));

    Map<String, Long> before = gateway.callCounts();
    update("web", r -> r.getSpec().version = "1.0.0");
    Release back = awaitPhase("web", Phase.Live,
        r -> isReady(r) && "1.0.0".equals(r.getStatus().activeFleet.version));

    assertThat(calls(before, "RunInstances/ok")).isZero();
    assertThat(calls(before, "AssociateAddress/ok")).isEqualTo(1);
    assertThat(ec2.address(allocationId).instanceId()).isIn(v1Ids);
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
    operator.create(release("api", "1.0.0", 2, r -> r.getSpec().promotion.mode = Promotion.Mode.Manual));
    // Manual promotion: the first fleet waits for approval too.
    awaitPhase("api", Phase.AwaitingPromotion, r -> true);
    update("api", r -> r.getSpec().promotion.approvedVersion = "1.0.0");
    awaitPhase("api", Phase.Live, this::isReady);
    String live = ec2.address(allocationId).instanceId();

    update("api", r -> r.getSpec().version = "2.0.0");
    awaitPhase("api", Phase.AwaitingPromotion, r -> "2.0.0".equals(r.getStatus().stagingFleet.version));
    List<String> staged = ids(ec2.alive(key("api"), "2.0.0"));
    assertThat(staged).hasSize(2);

    update("api", r -> r.getSpec().version = "3.0.0");
    awaitPhase("api", Phase.AwaitingPromotion, r -> "3.0.0".equals(r.getStatus().stagingFleet.version));
    await().atMost(PATIENCE).until(() -> ec2.alive(key("api"), "2.0.0").isEmpty());
    assertThat(ec2.alive(key("api"), "3.0.0")).hasSize(2);
    assertThat(ec2.address(allocationId).instanceId()).as("production untouched").isEqualTo(live);
    assertThat(ec2.alive(key("api"), "1.0.0")).hasSize(2);
  }

  // ------------------------------------------------------------------ 5. failure

  @Test
  void aStagingInstanceLostIsReplacedAndProductionKeepsServing() {
    operator.create(release("pay", "1.0.0", 2, r -> r.getSpec().promotion.mode = Promotion.Mode.Manual));
    awaitPhase("pay", Phase.AwaitingPromotion, r -> true);
    update("pay", r -> r.getSpec().promotion.approvedVersion = "1.0.0");
    awaitPhase("pay", Phase.Live, this::isReady);
    String live = ec2.address(allocationId).instanceId();

    update("pay", r -> r.getSpec().version = "2.0.0");
    awaitPhase("pay", Phase.AwaitingPromotion, r -> "2.0.0".equals(r.getStatus().stagingFleet.version));
    String lost = ec2.alive(key("pay"), "2.0.0").get(0).instanceId();
    ec2.terminate(lost);

    // The slot is launched again; the release is not failed for an instance it can replace.
    await().atMost(PATIENCE).until(() -> ec2.alive(key("pay"), "2.0.0").size() == 2
        && ec2.alive(key("pay"), "2.0.0").stream().noneMatch(i -> i.instanceId().equals(lost)));
    Release staged = awaitPhase("pay", Phase.AwaitingPromotion,
        r -> r.getStatus().stagingFleet.instances.stream().noneMatch(i -> i.id.equals(lost)));
    assertThat(staged.getStatus().lastFailure).isNull();
    assertThat(condition(staged, StatusBuilder.AVAILABLE)).as("production serves").isTrue();
    assertThat(ec2.address(allocationId).instanceId()).isEqualTo(live);
  }

  @Test
  void anAwsErrorBecomesAStalledConditionWithTheAwsCode() {
    operator.create(release("bad", "1.0.0", 1, 
        r -> r.getSpec().template.subnetIds = List.of("subnet-0123456789abcdef0")));
    Release failed = awaitPhase("bad", Phase.Failed,
        r -> condition(r, StatusBuilder.STALLED) && r.getStatus().lastFailure != null);
    assertThat(failed.getStatus().lastFailure.message).contains("RunInstances")
        .contains("InvalidSubnetID.NotFound");
    assertThat(reason(failed, StatusBuilder.STALLED)).isEqualTo(failed.getStatus().lastFailure.reason)
        .isEqualTo("InvalidSubnetIDNotFound");
    assertThat(eventReasons("bad")).contains("InvalidSubnetID.NotFound", "Failed");
    assertThat(ec2.aliveOfRelease(key("bad"))).isEmpty();

    // No retry until the spec changes.
    Map<String, Long> before = gateway.callCounts();
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
        .until(() -> calls(before, "RunInstances/ok") == 0
            && calls(before, "RunInstances/InvalidSubnetID.NotFound") == 0);
  }

  // ------------------------------------------------------------------ 6. scale in place

  @Test
  void changingOnlyTheFleetSizeScalesTheActiveFleetInPlace() {
    operator.create(release("grow", "1.0.0", 2));
    Release live = awaitPhase("grow", Phase.Live, this::isReady);
    String fleetId = live.getStatus().activeFleet.id;
    String holder = ec2.address(allocationId).instanceId();

    update("grow", r -> r.getSpec().fleetSize = 4);
    awaitPhase("grow", Phase.Live, r -> isReady(r) && r.getStatus().activeFleet.instanceIds.size() == 4);
    assertThat(ec2.alive(key("grow"), "1.0.0")).hasSize(4)
        .allMatch(i -> fleetId.equals(tag(i, Tags.FLEET)));
    assertThat(ec2.address(allocationId).instanceId()).isEqualTo(holder);

    update("grow", r -> r.getSpec().fleetSize = 1);
    awaitPhase("grow", Phase.Live, r -> isReady(r) && r.getStatus().activeFleet.instanceIds.size() == 1);
    await().atMost(PATIENCE).until(() -> ec2.alive(key("grow"), "1.0.0").size() == 1);
    assertThat(ec2.address(allocationId).instanceId()).isEqualTo(holder);
  }

  // ------------------------------------------------------------------ 7. self-heal

  @Test
  void anActiveInstanceTerminatedOutOfBandIsReplacedAndTheElasticIpMovesAtOnce() {
    operator.create(release("heal", "1.0.0", 3));
    awaitPhase("heal", Phase.Live, this::isReady);
    String holder = ec2.address(allocationId).instanceId();

    ec2.terminate(holder);

    await().atMost(PATIENCE).untilAsserted(() -> {
      String now = ec2.address(allocationId).instanceId();
      assertThat(now).isNotEqualTo(holder);
      assertThat(ec2.instance(now).state().nameAsString()).isEqualTo("running");
    });
    await().atMost(PATIENCE).until(() -> ec2.alive(key("heal"), "1.0.0").size() == 3);
    Release healed = awaitPhase("heal", Phase.Live, this::isReady);
    assertThat(healed.getStatus().activeFleet.instanceIds).doesNotContain(holder).hasSize(3);
  }

  // ------------------------------------------------------------------ 8. pause

  @Test
  void aPausedReleaseOnlyObserves() {
    operator.create(release("still", "1.0.0", 1));
    awaitPhase("still", Phase.Live, this::isReady);
    Map<String, Long> before = gateway.callCounts();

    update("still", r -> {
      r.getSpec().paused = true;
      r.getSpec().version = "2.0.0";
    });
    // Nothing is provisioned while paused: the phase stays what it was.
    Release paused = awaitPhase("still", Phase.Live,
        r -> "Paused".equals(reason(r, StatusBuilder.READY)));
    assertThat(paused.getStatus().conditions).filteredOn(c -> c.getType().equals("Ready"))
        .first().satisfies(c -> assertThat(c.getMessage()).contains("waiting for paused: false"));
    assertThat(calls(before, "RunInstances/ok")).isZero();

    update("still", r -> r.getSpec().paused = false);
    awaitPhase("still", Phase.Live, r -> isReady(r) && "2.0.0".equals(r.getStatus().activeFleet.version));
  }

  // ------------------------------------------------------------------ 9. delete

  @Test
  void deletingTerminatesEveryInstanceAndReleasesAnAddressCutoverAllocated() {
    operator.create(release("gone", "1.0.0", 2, r -> {
      r.getSpec().elasticIp.allocationId = null;
      r.getSpec().elasticIp.allocate = true;
    }));
    Release live = awaitPhase("gone", Phase.Live, this::isReady);
    String allocated = live.getStatus().elasticIp.allocationId;
    assertThat(live.getStatus().elasticIp.allocatedByCutover).isTrue();

    operator.delete(live);

    await().atMost(PATIENCE).until(() -> operator.get(Release.class, "gone") == null);
    assertThat(ec2.aliveOfRelease(key("gone"))).isEmpty();
    assertThat(ec2.addresses()).extracting(a -> a.allocationId()).doesNotContain(allocated)
        .as("the user's address is never released").contains(allocationId);
  }

  @Test
  void deletingWithRetainLeavesEverythingRunning() {
    operator.create(release("kept", "1.0.0", 2, r -> r.getSpec().deletionPolicy = DeletionPolicy.Retain));
    Release live = awaitPhase("kept", Phase.Live, this::isReady);
    operator.delete(live);
    await().atMost(PATIENCE).until(() -> operator.get(Release.class, "kept") == null);
    assertThat(ec2.alive(key("kept"), "1.0.0")).hasSize(2);
    assertThat(ec2.address(allocationId).instanceId()).isIn(ids(ec2.alive(key("kept"), "1.0.0")));
  }

  // ------------------------------------------------------------------ 10. ownership

  @Test
  void foreignAndLookAlikeInstancesAreNeverTouched() {
    String untagged = ec2.launchForeign(Map.of());
    String lookAlike = ec2.launchForeign(Map.of(Tags.MANAGED_BY, "cutover",
        Tags.RELEASE_UID, "00000000-0000-0000-0000-000000000000", Tags.RELEASE, key("own"),
        Tags.FLEET, "0123456789", Tags.VERSION, "1.0.0", Tags.SLOT, "0"));
    String otherManager = ec2.launchForeign(Map.of(Tags.MANAGED_BY, "someone-else",
        Tags.RELEASE, key("own")));

    operator.create(release("own", "1.0.0", 1, r -> r.getSpec().retention.previousFleetTTL = "0s"));
    awaitPhase("own", Phase.Live, this::isReady);
    update("own", r -> r.getSpec().version = "2.0.0");
    awaitPhase("own", Phase.Live, r -> isReady(r) && r.getStatus().previousFleet == null);
    operator.delete(operator.get(Release.class, "own"));
    await().atMost(PATIENCE).until(() -> operator.get(Release.class, "own") == null);

    for (String foreign : List.of(untagged, lookAlike, otherManager)) {
      assertThat(ec2.instance(foreign).state().nameAsString()).as(foreign).isEqualTo("running");
    }
  }

  // ------------------------------------------------------------------ 11. crash safety

  @Test
  void afterARestartThatLostTheStatusNothingIsLaunchedTwice() throws Exception {
    operator.create(release("crash", "1.0.0", 3));
    Release live = awaitPhase("crash", Phase.Live, this::isReady);
    String holder = ec2.address(allocationId).instanceId();

    // A fresh operator (new inventory, nothing in memory) sees a Release whose status was lost.
    Ec2Gateway freshGateway = new Ec2Gateway(TestWorld.newEc2Client(TestWorld.moto()));
    var restarted = Cutover.reconciler(TestWorld.client(), freshGateway, Clock.systemUTC(), POLL);
    live.setStatus(null);
    restarted.reconcile(live, null);

    assertThat(freshGateway.callCounts()).doesNotContainKeys("RunInstances/ok",
        "TerminateInstances/ok", "AssociateAddress/ok");
    assertThat(live.getStatus().phase).isEqualTo(Phase.Live);
    assertThat(ec2.alive(key("crash"), "1.0.0")).hasSize(3);
    assertThat(ec2.address(allocationId).instanceId()).isEqualTo(holder);
  }

  // ------------------------------------------------------------------ helpers

  private Release release(String name, String version, int size) {
    return release(name, version, size, r -> { });
  }

  private Release release(String name, String version, int size, Consumer<Release> tweak) {
    return ReleaseBuilder.named(name).version(version).fleetSize(size).subnet(subnet)
        .elasticIp(allocationId).tag("team", "web").previousFleetTTL("10m").promotion(p -> { })
        .with(tweak).build();
  }

  private void update(String name, Consumer<Release> change) {
    ReleaseOps.update(TestWorld.client(), operator.getNamespace(), name, change);
  }

  private Release awaitPhase(String name, Phase phase, Predicate<Release> also) {
    return ReleaseOps.await(TestWorld.client(), operator.getNamespace(), name,
        r -> ReleaseOps.inPhase(r, phase) && also.test(r));
  }

  private boolean isReady(Release r) {
    return condition(r, StatusBuilder.READY);
  }

  private static boolean condition(Release r, String type) {
    return ReleaseOps.isTrue(r, type);
  }

  private static String reason(Release r, String type) {
    var c = StatusBuilder.find(r.getStatus(), type);
    return c == null ? null : c.getReason();
  }

  private List<String> eventReasons(String name) {
    return TestWorld.client().v1().events().inNamespace(operator.getNamespace()).list().getItems()
        .stream().filter(e -> name.equals(e.getInvolvedObject().getName()))
        .map(Event::getReason).toList();
  }

  private String key(String name) {
    return operator.getNamespace() + "/" + name;
  }

  private static long calls(Map<String, Long> before, String key) {
    return gateway.callCounts().getOrDefault(key, 0L) - before.getOrDefault(key, 0L);
  }
}
