package dev.cutover.gates;

import static dev.cutover.gates.InstanceServers.Behaviour.FAILING;
import static dev.cutover.gates.InstanceServers.Behaviour.HANGING;
import static dev.cutover.gates.InstanceServers.Behaviour.HEALTHY;
import static dev.cutover.testworld.ReleaseOps.active;
import static dev.cutover.testworld.ReleaseOps.ready;
import static dev.cutover.testworld.ReleaseOps.reason;
import static dev.cutover.testworld.ReleaseOps.stalled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cutover.api.HttpCheck;
import dev.cutover.api.Phase;
import dev.cutover.api.Promotion;
import dev.cutover.api.Release;
import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.ec2.Tags;
import dev.cutover.status.StatusBuilder;
import dev.cutover.testworld.Ec2World;
import dev.cutover.testworld.ElasticIpSampler;
import dev.cutover.testworld.Operators;
import dev.cutover.testworld.Patience;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.ReleaseOps;
import dev.cutover.testworld.TestWorld;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * The verification and promotion gates on the real API server + moto, with each instance's
 * application played by a real HTTP server whose answers the test controls, listening on the
 * instance's own private IP: the instances are launched in a moto subnet of loopback addresses
 * (127.16.1.0/24), and Cutover's production address code sends the checks there.
 */
@ExtendWith(TestWorld.class)
class VerificationGatesIT {

  static final InstanceServers servers = new InstanceServers(TestWorld.ec2());
  static final Ec2Gateway gateway = Operators.newGateway();

  @RegisterExtension
  static final LocallyRunOperatorExtension operator = Operators.inThisJvm(gateway);

  private final Ec2World ec2 = new Ec2World(TestWorld.ec2());
  private ReleaseOps releases;
  private Ec2World.Network network;

  /** moto was reset: a loopback VPC and subnet for this test's instances, and an address. */
  @BeforeEach
  void loopbackSubnetAndElasticIp() {
    releases = ReleaseOps.in(operator.getNamespace());
    network = ec2.loopbackNetwork(InstanceServers.VPC_CIDR, InstanceServers.CIDR);
    servers.useSubnet(network.subnetId());
  }

  /**
   * Every instance had a server on its address (else its checks went nowhere), and no instance
   * anywhere had an address off loopback (checks go to private IPs: they must stay local).
   */
  @AfterEach
  void everyInstanceWasServedOnLoopback() {
    List<String> ips = ec2.inSubnet(network.subnetId()).stream()
        .map(Instance::privateIpAddress).filter(Objects::nonNull).toList();
    assertThat(servers.addresses()).as("servers listen on every instance's private IP")
        .containsAll(ips);
    List<String> everywhere = ec2.all().stream().map(Instance::privateIpAddress)
        .filter(Objects::nonNull).toList();
    assertThat(everywhere).as("private IPs of every instance in moto")
        .allMatch(ip -> ip.startsWith("127."));
  }

  @AfterAll
  static void stopServers() {
    servers.close();
  }

  @Test
  void aHealthyFleetIsPromotedRightAfterItsLastCheckPasses() {
    liveAt("healthy", "1.0.0", 2, r -> { });
    releases.update("healthy", r -> r.getSpec().version = "2.0.0");
    releases.awaitPhase("healthy", Phase.Live, r -> ready(r) && active(r, "2.0.0"));

    assertThat(servers.requests("2.0.0", 0)).isGreaterThanOrEqualTo(2);
    // The checks went to each instance's own private IP in the loopback subnet.
    for (String version : List.of("1.0.0", "2.0.0")) {
      for (int slot = 0; slot < 2; slot++) {
        String ip = privateIp(version, slot);
        assertThat(ip).as("private IP of %s/%d", version, slot)
            .startsWith(InstanceServers.PREFIX);
        assertThat(servers.localAddresses(version, slot)).as("where %s/%d was checked",
            version, slot).containsExactly(ip);
      }
    }
    System.out.println("checks reached " + List.of(privateIp("1.0.0", 0),
        privateIp("1.0.0", 1), privateIp("2.0.0", 0), privateIp("2.0.0", 1))
        + " on port " + servers.port());
    String promoted = releases.eventMessages("healthy").stream().filter(m -> m.contains("to 2.0.0"))
        .filter(m -> m.startsWith("Promoted")).findFirst().orElseThrow();
    Matcher delay = Pattern.compile("(\\d+) ms after the last check passed").matcher(promoted);
    assertThat(delay.find()).as(promoted).isTrue();
    long waited = Long.parseLong(delay.group(1));
    System.out.println("switch waited " + waited + " ms after the last check passed");
    assertThat(waited).isLessThan(2000);
  }

  @Test
  void oneFailingInstanceBlocksTheSwitchAndTheDeadlineAbortsIt() {
    liveAt("blocked", "1.0.0", 2, r -> { });
    String production = eipHolder();
    servers.set("2.0.0", 1, FAILING);
    releases.update("blocked", r -> {
      r.getSpec().version = "2.0.0";
      r.getSpec().verification.deadline = "5s";
    });

    Release verifying = releases.awaitPhase("blocked", Phase.Verifying,
        r -> r.getStatus().stagingFleet.instances.stream()
            .anyMatch(i -> i.checks.contains("status 500")));
    assertThat(verifying.getStatus().activeFleet.version).isEqualTo("1.0.0");

    Release failed = releases.awaitPhase("blocked", Phase.Failed, ReleaseOps::stalled);
    assertThat(failed.getStatus().lastFailure.reason).isEqualTo("DeadlineExceeded");
    assertThat(eipHolder()).as("production untouched").isEqualTo(production);
  }

  @Test
  void aHangingEndpointIsCutOffByTheTimeout() {
    servers.set("1.0.0", 0, HANGING);
    releases.create(release("hang", "1.0.0", 1, r -> r.getSpec().verification.http.timeout
        = "300ms"));
    Release verifying = releases.awaitPhase("hang", Phase.Verifying,
        r -> r.getStatus().stagingFleet.instances.get(0).checks.contains("timed out after 300ms"));
    assertThat(verifying.getStatus().activeFleet).isNull();
    int before = servers.requests("1.0.0", 0);
    // Hung requests hold no thread: checks keep coming at interval + timeout.
    await().atMost(Patience.HTTP_CHECKS).until(() -> servers.requests("1.0.0", 0) >= before + 3);

    servers.set("1.0.0", 0, HEALTHY);
    releases.awaitPhase("hang", Phase.Live, ReleaseOps::ready);
  }

  @Test
  void manualPromotionWaitsForTheApprovedVersion() {
    liveAt("manual", "1.0.0", 1, r -> {
      r.getSpec().promotion.mode = Promotion.Mode.Manual;
      r.getSpec().promotion.approvedVersion = "1.0.0";
    });
    releases.update("manual", r -> r.getSpec().version = "2.0.0");
    Release waiting = releases.awaitPhase("manual", Phase.AwaitingPromotion, r -> true);
    assertThat(StatusBuilder.find(waiting.getStatus(), StatusBuilder.READY).getMessage())
        .contains("set promotion.approvedVersion to 2.0.0");
    Patience.steady()
        .until(() -> releases.get("manual").getStatus().phase == Phase.AwaitingPromotion);

    releases.update("manual", r -> r.getSpec().promotion.approvedVersion = "2.0.0");
    releases.awaitPhase("manual", Phase.Live, r -> ready(r) && active(r, "2.0.0"));
  }

  @Test
  void aCheckFailingDuringTheSoakFailsTheRelease() {
    liveAt("soak", "1.0.0", 1, r -> { });
    releases.update("soak", r -> {
      r.getSpec().version = "2.0.0";
      r.getSpec().promotion.soak = "20s";
    });
    releases.awaitPhase("soak", Phase.Verifying,
        r -> "Soaking".equals(reason(r, StatusBuilder.READY)));
    servers.set("2.0.0", 0, FAILING);

    Release failed = releases.awaitPhase("soak", Phase.Failed, ReleaseOps::stalled);
    assertThat(failed.getStatus().lastFailure.reason).isEqualTo("CheckFailedDuringSoak");
    assertThat(failed.getStatus().activeFleet.version).isEqualTo("1.0.0");
  }

  @Test
  void aFailingCheckAfterTheSwitchRevertsToThePreviousFleetWithoutDowntime() {
    liveAt("revert", "1.0.0", 2, r -> r.getSpec().postSwitch.window = "60s");
    ElasticIpSampler probe = ElasticIpSampler.serving(TestWorld.ec2(), network.allocationId());
    try (probe) {
      revertWhileSampled();
    }
    System.out.println("zero-downtime probe: " + probe.samples() + " samples, "
        + probe.errors() + " errors " + probe.errorMessages() + ", " + probe.violations().size()
        + " violations");
    assertThat(probe.samples()).as("the probe ran through the switch and the revert")
        .isGreaterThan(5);
    assertThat(probe.violations()).as("the Elastic IP always points at a running instance")
        .isEmpty();
  }

  private void revertWhileSampled() {
    releases.update("revert", r -> r.getSpec().version = "2.0.0");
    releases.awaitPhase("revert", Phase.Live, r -> ready(r) && active(r, "2.0.0"));
    servers.set("2.0.0", 0, FAILING);
    servers.set("2.0.0", 1, FAILING);

    Release reverted = releases.awaitPhase("revert", Phase.Degraded,
        r -> active(r, "1.0.0") && stalled(r));
    assertThat(reason(reverted, StatusBuilder.READY)).isEqualTo("PostSwitchCheckFailed");
    assertThat(reverted.getStatus().history).last().satisfies(h -> {
      assertThat(h.reason).isEqualTo("Reverted");
      assertThat(h.to).isEqualTo("1.0.0");
    });
    assertThat(releases.eventMessages("revert")).anyMatch(m -> m.startsWith("Reverted"));
    await().atMost(Patience.RECONCILE).until(() -> releases.get("revert").getStatus().phase
        == Phase.Degraded && releases.get("revert").getStatus().stagingFleet == null);
  }

  // ------------------------------------------------------------------ helpers

  private void liveAt(String name, String version, int size, Consumer<Release> tweak) {
    releases.create(release(name, version, size, tweak));
    releases.awaitPhase(name, Phase.Live, r -> ready(r) && active(r, version));
  }

  private Release release(String name, String version, int size, Consumer<Release> tweak) {
    HttpCheck http = InstanceServers.healthCheck(servers.port());
    return ReleaseBuilder.named(name).version(version).fleetSize(size).network(network)
        .previousFleetTTL("10m").promotion(p -> { }).postSwitch(p -> { })
        .verification(v -> v.http = http).with(tweak).build();
  }

  /** The instance the Elastic IP is on. */
  private String eipHolder() {
    return ec2.address(network.allocationId()).instanceId();
  }

  /** The private IP of the one instance launched for a version and slot. */
  private String privateIp(String version, int slot) {
    List<String> ips = ec2.inSubnet(network.subnetId()).stream()
        .filter(i -> version.equals(Ec2World.tag(i, Tags.VERSION))
            && InstanceServers.slotOf(i) == slot)
        .map(Instance::privateIpAddress).toList();
    assertThat(ips).as("instances of %s/%d", version, slot).hasSize(1);
    return ips.get(0);
  }
}
