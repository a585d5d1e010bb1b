package dev.cutover.lifecycle;

import static dev.cutover.testworld.Ec2World.ids;
import static dev.cutover.testworld.ReleaseOps.reason;
import static dev.cutover.testworld.ReleaseOps.stalled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cutover.api.Release;
import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.ec2.Tags;
import dev.cutover.status.StatusBuilder;
import dev.cutover.testworld.Ec2Proxy;
import dev.cutover.testworld.Ec2World;
import dev.cutover.testworld.Namespaces;
import dev.cutover.testworld.Operators;
import dev.cutover.testworld.Patience;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.ReleaseOps;
import dev.cutover.testworld.TestWorld;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Elastic IP claims end to end: an address the user owns serves one Release, is never taken from
 * an instance Cutover does not own unless the spec says so, and a hand move is reported, not
 * fought. The operator runs in this JVM against the real API server and moto; its EC2 calls go
 * through a proxy that counts them on the wire. The tests' own EC2 calls (a person moving or
 * tagging the address) go to moto directly and are not counted. Each test names its Releases
 * apart and leaves them: moto is reset before the next, so their addresses are gone.
 */
@ExtendWith(TestWorld.class)
class ElasticIpClaimsIT {

  /** A second namespace the operator watches: Releases of two teams naming one address. */
  static final String OTHER_NAMESPACE = Namespaces.fresh("claims-other");

  static final Ec2Proxy proxy = new Ec2Proxy(TestWorld.moto().endpoint());

  static final Ec2Gateway gateway = new Ec2Gateway(TestWorld.newEc2Client(proxy.endpoint()));

  @RegisterExtension
  static final LocallyRunOperatorExtension operator =
      Operators.inThisJvm(gateway, OTHER_NAMESPACE);

  /**
   * Long enough to prove a poll loop does not fight: two Releases over one address, twenty
   * polls of the operator (1 s apart) and as many reconciles of each, where a fight shows within
   * two.
   */
  static final Duration NO_PING_PONG = Duration.ofSeconds(20);

  /** A hand move is not fought: fifteen poll intervals of the operator. */
  static final Duration NOT_FOUGHT = Duration.ofSeconds(15);

  private final Ec2World ec2 = new Ec2World(TestWorld.ec2());
  private ReleaseOps releases;
  private ReleaseOps others;
  private Ec2World.Network network;

  @BeforeEach
  void world() {
    proxy.reset();
    releases = ReleaseOps.in(operator.getNamespace());
    others = ReleaseOps.in(OTHER_NAMESPACE);
    network = ec2.defaultNetwork();
  }

  @AfterAll
  static void stopProxy() {
    proxy.close();
  }

  // ------------------------------------------------------------------ 1. first use

  @Test
  void firstUseClaimsTheAddressAndKeepsTheUsersOwnTags() {
    ec2.tagAddress(network.allocationId(), Map.of("team", "a"));
    assertThat(ec2.addressTags(network.allocationId())).doesNotContainKeys(Tags.CLAIMED,
        Tags.RELEASE_UID, Tags.RELEASE, Tags.MANAGED_BY);

    Release created = releases.create(release("web"));
    releases.awaitLive("web", "1.0.0");

    assertThat(ec2.addressTags(network.allocationId()))
        .containsEntry(Tags.CLAIMED, "true")
        .containsEntry(Tags.RELEASE_UID, created.getMetadata().getUid())
        .containsEntry(Tags.RELEASE, releases.key("web"))
        .containsEntry(Tags.MANAGED_BY, Tags.MANAGED_BY_VALUE)
        .containsEntry("team", "a")
        .hasSize(5);
    assertThat(eipHolder()).isIn(ids(ec2.alive(releases.key("web"), "1.0.0")));
    assertThat(calls("CreateTags")).isEqualTo(1);
  }

  // ------------------------------------------------------------------ 2. one address, two Releases

  @Test
  void aSecondReleaseNamingAClaimedAddressIsStoppedAndNothingPingPongs() {
    releases.create(release("a"));
    releases.awaitLive("a", "1.0.0");
    String holder = eipHolder();
    assertThat(holder).isIn(ids(ec2.alive(releases.key("a"), "1.0.0")));
    long associates = calls("AssociateAddress");
    long launches = calls("RunInstances");

    others.create(release("b"));
    Release b = others.await("b", r -> stalled(r)
        && "ElasticIpClaimed".equals(reason(r, StatusBuilder.READY)));
    assertThat(readyMessage(b)).contains(releases.key("a"))
        .contains(network.allocationId());

    long started = System.nanoTime();
    await().during(NO_PING_PONG).atMost(NO_PING_PONG.plusSeconds(10))
        .until(() -> calls("AssociateAddress") == associates
            && calls("RunInstances") == launches
            && holder.equals(eipHolder()));
    System.out.printf("ElasticIpClaimsIT: AssociateAddress calls over %d s with two Releases "
        + "naming one address: %d%n", Duration.ofNanos(System.nanoTime() - started).toSeconds(),
        calls("AssociateAddress") - associates);

    assertThat(ec2.all()).as("b launched nothing, not even briefly")
        .noneMatch(i -> others.key("b").equals(Ec2World.tag(i, Tags.RELEASE)));
    assertThat(ec2.addressTags(network.allocationId()))
        .containsEntry(Tags.RELEASE, releases.key("a"));
    assertThat(ReleaseOps.live(releases.get("a"), "1.0.0")).as("a still live").isTrue();
    assertThat(others.warnings("b")).anyMatch(w -> w.contains(releases.key("a")));
  }

  // ------------------------------------------------------------------ 3. moved by hand

  @Test
  void anAddressMovedByHandIsReportedNotFoughtAndTakenBackOnlyWhenTheSpecSays() {
    releases.create(release("moved"));
    releases.awaitLive("moved", "1.0.0");
    String own = eipHolder();
    String foreign = ec2.launchUntaggedIn(network.subnetId());
    long associates = calls("AssociateAddress");

    ec2.moveAddress(network.allocationId(), foreign);

    Release reported = releases.await("moved", r -> stalled(r)
        && "ElasticIpMovedOutOfBand".equals(reason(r, StatusBuilder.READY)));
    assertThat(readyMessage(reported)).contains(foreign).contains("moved outside Cutover");
    await().atMost(Patience.RECONCILE).until(() -> releases.warnings("moved").stream()
        .anyMatch(w -> w.contains("moved outside Cutover") && w.contains(foreign)));
    await().during(NOT_FOUGHT).atMost(NOT_FOUGHT.plusSeconds(5))
        .until(() -> calls("AssociateAddress") == associates && foreign.equals(eipHolder()));
    assertThat(releases.warnings("moved")).as("reported once, not on every poll")
        .filteredOn(w -> w.contains("moved outside Cutover")).hasSize(1);

    releases.update("moved", r -> r.getSpec().elasticIp.takeOver = true);
    releases.awaitLive("moved", "1.0.0");
    assertThat(eipHolder()).isEqualTo(own);
    assertThat(calls("AssociateAddress")).isEqualTo(associates + 1);
    assertThat(ec2.instance(foreign).state().nameAsString()).isEqualTo("running");
  }

  // ------------------------------------------------------------------ 4. in use at first use

  @Test
  void anUnclaimedAddressOnAForeignInstanceIsLeftUntilTheSpecSaysTakeOver() {
    String foreign = ec2.launchUntaggedIn(network.subnetId());
    ec2.moveAddress(network.allocationId(), foreign);

    releases.create(release("late"));
    Release inUse = releases.await("late", r -> stalled(r)
        && "ElasticIpInUse".equals(reason(r, StatusBuilder.READY)));
    assertThat(readyMessage(inUse)).contains(foreign);
    Patience.steady().until(() -> calls("RunInstances") == 0
        && calls("AssociateAddress") == 0 && calls("CreateTags") == 0
        && foreign.equals(eipHolder()));
    assertThat(ec2.aliveOfRelease(releases.key("late"))).isEmpty();
    assertThat(ec2.addressTags(network.allocationId())).doesNotContainKey(Tags.CLAIMED);

    releases.update("late", r -> r.getSpec().elasticIp.takeOver = true);
    releases.awaitLive("late", "1.0.0");
    assertThat(eipHolder()).isIn(ids(ec2.alive(releases.key("late"), "1.0.0")));
    assertThat(ec2.addressTags(network.allocationId())).containsEntry(Tags.CLAIMED, "true")
        .containsEntry(Tags.RELEASE, releases.key("late"));
    assertThat(ec2.instance(foreign).state().nameAsString()).isEqualTo("running");
  }

  // ------------------------------------------------------------------ 5. deletion

  @Test
  void deletingTheReleaseRemovesItsClaimAndKeepsTheUsersOwnTags() {
    ec2.tagAddress(network.allocationId(), Map.of("team", "a"));
    releases.create(release("gone"));
    releases.awaitLive("gone", "1.0.0");
    assertThat(ec2.addressTags(network.allocationId())).containsKey(Tags.CLAIMED);

    releases.delete("gone");
    releases.awaitGone("gone", Patience.RECONCILE);

    assertThat(ec2.addressTags(network.allocationId())).isEqualTo(Map.of("team", "a"));
    assertThat(ec2.addresses()).extracting(a -> a.allocationId())
        .as("the user's address is never released").contains(network.allocationId());
    assertThat(calls("DeleteTags")).isEqualTo(1);
    assertThat(calls("ReleaseAddress")).isZero();
  }

  @Test
  void deletingAReleaseStoppedByAnothersClaimLeavesTheAddressAlone() {
    Release holding = releases.create(release("holder"));
    releases.awaitLive("holder", "1.0.0");
    String holder = eipHolder();
    Map<String, String> claim = ec2.addressTags(network.allocationId());
    assertThat(claim).containsEntry(Tags.RELEASE_UID, holding.getMetadata().getUid());
    others.create(release("second"));
    others.await("second", r -> "ElasticIpClaimed".equals(reason(r, StatusBuilder.READY)));
    Map<String, Long> before = proxy.calls();

    others.delete("second");
    others.awaitGone("second", Patience.RECONCILE);

    assertThat(eipHolder()).isEqualTo(holder);
    assertThat(ec2.addressTags(network.allocationId())).isEqualTo(claim);
    for (String action : new String[] {"DeleteTags", "CreateTags", "AssociateAddress",
        "DisassociateAddress", "ReleaseAddress", "TerminateInstances"}) {
      assertThat(proxy.calls().getOrDefault(action, 0L)).as(action)
          .isEqualTo(before.getOrDefault(action, 0L));
    }
    assertThat(ReleaseOps.live(releases.get("holder"), "1.0.0")).as("the holder still live")
        .isTrue();
  }

  // ------------------------------------------------------------------ helpers

  private Release release(String name) {
    return release(name, r -> { });
  }

  private Release release(String name, Consumer<Release> tweak) {
    return ReleaseBuilder.named(name).version("1.0.0").fleetSize(1).network(network)
        .previousFleetTTL("10m").promotion(p -> { }).with(tweak).build();
  }

  /** The instance the Elastic IP points at. */
  private String eipHolder() {
    return ec2.address(network.allocationId()).instanceId();
  }

  /** Calls of an EC2 Action the operator made on the wire since the test began. */
  private static long calls(String action) {
    return proxy.calls().getOrDefault(action, 0L);
  }

  private static String readyMessage(Release r) {
    return StatusBuilder.find(r.getStatus(), StatusBuilder.READY).getMessage();
  }
}
