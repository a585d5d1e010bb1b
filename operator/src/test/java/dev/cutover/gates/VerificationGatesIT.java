package dev.cutover.gates;

import static dev.cutover.gates.InstanceServers.Behaviour.FAILING;
import static dev.cutover.gates.InstanceServers.Behaviour.HANGING;
import static dev.cutover.gates.InstanceServers.Behaviour.HEALTHY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cutover.Cutover;
import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.ec2.Tags;
import dev.cutover.api.HttpCheck;
import dev.cutover.api.Phase;
import dev.cutover.api.Promotion;
import dev.cutover.api.Release;
import dev.cutover.api.Retention;
import dev.cutover.status.StatusBuilder;
import dev.cutover.testworld.Crds;
import dev.cutover.testworld.Ec2World;
import dev.cutover.testworld.ElasticIpSampler;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.ReleaseOps;
import dev.cutover.testworld.TestWorld;
import io.fabric8.kubernetes.api.model.Event;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * The verification and promotion gates on the real API server + moto, with each instance's
 * application played by a real HTTP server whose answers the test controls, listening on the
 * instance's own private IP: the instances are launched in a moto subnet of loopback addresses
 * (127.16.1.0/24), and Cutover's production address code sends the checks there.
 */
@ExtendWith(TestWorld.class)
class VerificationGatesIT {

  static final Duration PATIENCE = Duration.ofSeconds(60);
  static final InstanceServers servers = new InstanceServers(TestWorld.ec2());
  static final Ec2Gateway gateway = new Ec2Gateway(TestWorld.newEc2Client(TestWorld.moto()));

  @RegisterExtension
  static final LocallyRunOperatorExtension operator = LocallyRunOperatorExtension.builder()
      .withKubernetesClient(TestWorld.kube().newClient())
      // The production wiring, so checks go where CheckAddresses.instanceIps() sends them:
      // http://<private ip>:<check port><path>.
      .withReconciler(Cutover.reconciler(TestWorld.client(), gateway, Clock.systemUTC(),
          Duration.ofSeconds(1)))
      // The previous class's extension may still be deleting the CRD: wait, then install it.
      .withBeforeStartHook(extension -> Crds.installReleaseCrd(TestWorld.client()))
      .oneNamespacePerClass(true)
      .waitForNamespaceDeletion(false)
      .build();

  private String allocationId;
  private String subnet;

  /** moto was reset: a loopback VPC and subnet for this test's instances, and an address. */
  @BeforeEach
  void loopbackSubnetAndElasticIp(Ec2Client ec2) {
    String vpc = ec2.createVpc(r -> r.cidrBlock(InstanceServers.VPC_CIDR)).vpc().vpcId();
    subnet = ec2.createSubnet(r -> r.vpcId(vpc).cidrBlock(InstanceServers.CIDR)).subnet()
        .subnetId();
    servers.useSubnet(subnet);
    allocationId = ec2.allocateAddress(r -> r.domain("vpc")).allocationId();
  }

  /**
   * Every instance had a server on its address (else its checks went nowhere), and no instance
   * anywhere had an address off loopback (checks go to private IPs: they must stay local).
   */
  @AfterEach
  void everyInstanceWasServedOnLoopback(Ec2Client ec2) {
    List<String> ips = instances(ec2).stream().map(Instance::privateIpAddress)
        .filter(java.util.Objects::nonNull).toList();
    assertThat(servers.addresses()).as("servers listen on every instance's private IP")
        .containsAll(ips);
    List<String> everywhere = ec2.describeInstances().reservations().stream()
        .flatMap(res -> res.instances().stream()).map(Instance::privateIpAddress)
        .filter(java.util.Objects::nonNull).toList();
    assertThat(everywhere).as("private IPs of every instance in moto")
        .allMatch(ip -> ip.startsWith("127."));
  }

  @AfterAll
  static void stopServers() {
    servers.close();
  }

  @Test
  void aHealthyFleetIsPromotedRightAfterItsLastCheckPasses(Ec2Client ec2) {
    liveAt("healthy", "1.0.0", 2, r -> { });
    update("healthy", r -> r.getSpec().version = "2.0.0");
    awaitPhase("healthy", Phase.Live, r -> ready(r) && active(r, "2.0.0"));

    assertThat(servers.requests("2.0.0", 0)).isGreaterThanOrEqualTo(2);
    // The checks went to each instance's own private IP in the loopback subnet.
    for (String version : List.of("1.0.0", "2.0.0")) {
      for (int slot = 0; slot < 2; slot++) {
        String ip = privateIp(ec2, version, slot);
        assertThat(ip).as("private IP of %s/%d", version, slot)
            .startsWith(InstanceServers.PREFIX);
        assertThat(servers.localAddresses(version, slot)).as("where %s/%d was checked",
            version, slot).containsExactly(ip);
      }
    }
    System.out.println("checks reached " + List.of(privateIp(ec2, "1.0.0", 0),
        privateIp(ec2, "1.0.0", 1), privateIp(ec2, "2.0.0", 0), privateIp(ec2, "2.0.0", 1))
        + " on port " + servers.port());
    String promoted = events("healthy").stream().filter(m -> m.contains("to 2.0.0"))
        .filter(m -> m.startsWith("Promoted")).findFirst().orElseThrow();
    Matcher delay = Pattern.compile("(\\d+) ms after the last check passed").matcher(promoted);
    assertThat(delay.find()).as(promoted).isTrue();
    long waited = Long.parseLong(delay.group(1));
    System.out.println("switch waited " + waited + " ms after the last check passed");
    assertThat(waited).isLessThan(2000);
  }

  @Test
  void oneFailingInstanceBlocksTheSwitchAndTheDeadlineAbortsIt(Ec2Client ec2) {
    liveAt("blocked", "1.0.0", 2, r -> { });
    String production = ec2.describeAddresses(r -> r.allocationIds(allocationId)).addresses()
        .get(0).instanceId();
    servers.set("2.0.0", 1, FAILING);
    update("blocked", r -> {
      r.getSpec().version = "2.0.0";
      r.getSpec().verification.deadline = "5s";
    });

    Release verifying = awaitPhase("blocked", Phase.Verifying, r -> r.getStatus().stagingFleet
        .instances.stream().anyMatch(i -> i.checks.contains("status 500")));
    assertThat(verifying.getStatus().activeFleet.version).isEqualTo("1.0.0");

    Release failed = awaitPhase("blocked", Phase.Failed, r -> stalled(r));
    assertThat(failed.getStatus().lastFailure.reason).isEqualTo("DeadlineExceeded");
    assertThat(ec2.describeAddresses(r -> r.allocationIds(allocationId)).addresses().get(0)
        .instanceId()).as("production untouched").isEqualTo(production);
  }

  @Test
  void aHangingEndpointIsCutOffByTheTimeout() {
    servers.set("1.0.0", 0, HANGING);
    operator.create(release("hang", "1.0.0", 1, r -> r.getSpec().verification.http.timeout
        = "300ms"));
    Release verifying = awaitPhase("hang", Phase.Verifying, r -> r.getStatus().stagingFleet
        .instances.get(0).checks.contains("timed out after 300ms"));
    assertThat(verifying.getStatus().activeFleet).isNull();
    int before = servers.requests("1.0.0", 0);
    // Hung requests hold no thread: checks keep coming at interval + timeout.
    await().atMost(Duration.ofSeconds(10)).until(() -> servers.requests("1.0.0", 0) >= before + 3);

    servers.set("1.0.0", 0, HEALTHY);
    awaitPhase("hang", Phase.Live, this::ready);
  }

  @Test
  void manualPromotionWaitsForTheApprovedVersion() {
    liveAt("manual", "1.0.0", 1, r -> {
      r.getSpec().promotion.mode = Promotion.Mode.Manual;
      r.getSpec().promotion.approvedVersion = "1.0.0";
    });
    update("manual", r -> r.getSpec().version = "2.0.0");
    Release waiting = awaitPhase("manual", Phase.AwaitingPromotion, r -> true);
    assertThat(StatusBuilder.find(waiting.getStatus(), StatusBuilder.READY).getMessage())
        .contains("set promotion.approvedVersion to 2.0.0");
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
        .until(() -> get("manual").getStatus().phase == Phase.AwaitingPromotion);

    update("manual", r -> r.getSpec().promotion.approvedVersion = "2.0.0");
    awaitPhase("manual", Phase.Live, r -> ready(r) && active(r, "2.0.0"));
  }

  @Test
  void aCheckFailingDuringTheSoakFailsTheRelease() {
    liveAt("soak", "1.0.0", 1, r -> { });
    update("soak", r -> {
      r.getSpec().version = "2.0.0";
      r.getSpec().promotion.soak = "20s";
    });
    awaitPhase("soak", Phase.Verifying, r -> "Soaking".equals(reason(r)));
    servers.set("2.0.0", 0, FAILING);

    Release failed = awaitPhase("soak", Phase.Failed, this::stalled);
    assertThat(failed.getStatus().lastFailure.reason).isEqualTo("CheckFailedDuringSoak");
    assertThat(failed.getStatus().activeFleet.version).isEqualTo("1.0.0");
  }

  @Test
  void aFailingCheckAfterTheSwitchRevertsToThePreviousFleetWithoutDowntime(Ec2Client ec2) {
    liveAt("revert", "1.0.0", 2, r -> r.getSpec().postSwitch.window = "60s");
    ElasticIpSampler probe = ElasticIpSampler.serving(ec2, allocationId);
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
    update("revert", r -> r.getSpec().version = "2.0.0");
    awaitPhase("revert", Phase.Live, r -> ready(r) && active(r, "2.0.0"));
    servers.set("2.0.0", 0, FAILING);
    servers.set("2.0.0", 1, FAILING);

    Release reverted = awaitPhase("revert", Phase.Degraded,
        r -> active(r, "1.0.0") && stalled(r));
    assertThat(reason(reverted)).isEqualTo("PostSwitchCheckFailed");
    assertThat(reverted.getStatus().history).last().satisfies(h -> {
      assertThat(h.reason).isEqualTo("Reverted");
      assertThat(h.to).isEqualTo("1.0.0");
    });
    assertThat(events("revert")).anyMatch(m -> m.startsWith("Reverted"));
    await().atMost(PATIENCE).until(() -> get("revert").getStatus().phase == Phase.Degraded
        && get("revert").getStatus().stagingFleet == null);
  }

  // ------------------------------------------------------------------ helpers

  private void liveAt(String name, String version, int size, Consumer<Release> tweak) {
    operator.create(release(name, version, size, tweak));
    awaitPhase(name, Phase.Live, r -> ready(r) && active(r, version));
  }

  private Release release(String name, String version, int size, Consumer<Release> tweak) {
    HttpCheck http = new HttpCheck();
    http.port = servers.port();
    http.path = "/healthz";
    http.interval = "200ms";
    http.timeout = "1s";
    http.successThreshold = 2;
    return ReleaseBuilder.named(name).version(version).fleetSize(size).subnet(subnet)
        .elasticIp(allocationId).previousFleetTTL("10m").promotion(p -> { })
        .postSwitch(p -> { }).verification(v -> v.http = http).with(tweak).build();
  }

  /** Every instance in this test's subnet, in any state. */
  private List<Instance> instances(Ec2Client ec2) {
    return ec2.describeInstances(r -> r.filters(f -> f.name("subnet-id").values(subnet)))
        .reservations().stream().flatMap(res -> res.instances().stream()).toList();
  }

  /** The private IP of the one instance launched for a version and slot. */
  private String privateIp(Ec2Client ec2, String version, int slot) {
    List<String> ips = instances(ec2).stream()
        .filter(i -> version.equals(Ec2World.tag(i, Tags.VERSION))
            && InstanceServers.slotOf(i) == slot)
        .map(Instance::privateIpAddress).toList();
    assertThat(ips).as("instances of %s/%d", version, slot).hasSize(1);
    return ips.get(0);
  }

  private Release get(String name) {
    return operator.get(Release.class, name);
  }

  private void update(String name, Consumer<Release> change) {
    ReleaseOps.update(TestWorld.client(), operator.getNamespace(), name, change);
  }

  private Release awaitPhase(String name, Phase phase, Predicate<Release> also) {
    return ReleaseOps.await(TestWorld.client(), operator.getNamespace(), name,
        r -> ReleaseOps.inPhase(r, phase) && also.test(r));
  }

  private boolean ready(Release r) {
    return ReleaseOps.isTrue(r, StatusBuilder.READY);
  }

  private boolean stalled(Release r) {
    return ReleaseOps.isTrue(r, StatusBuilder.STALLED);
  }

  private static String reason(Release r) {
    var c = StatusBuilder.find(r.getStatus(), StatusBuilder.READY);
    return c == null ? null : c.getReason();
  }

  private static boolean active(Release r, String version) {
    return r.getStatus().activeFleet != null && version.equals(r.getStatus().activeFleet.version);
  }

  private List<String> events(String name) {
    return TestWorld.client().v1().events().inNamespace(operator.getNamespace()).list()
        .getItems().stream().filter(e -> name.equals(e.getInvolvedObject().getName()))
        .map(Event::getMessage).toList();
  }
}
