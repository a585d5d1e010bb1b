package dev.cutover.gates;

import static dev.cutover.gates.InstanceServers.Behaviour.FAILING;
import static dev.cutover.testworld.ReleaseOps.active;
import static dev.cutover.testworld.ReleaseOps.ready;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cutover.api.HeldFleet;
import dev.cutover.api.HttpCheck;
import dev.cutover.api.Phase;
import dev.cutover.api.Promotion;
import dev.cutover.api.Release;
import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.status.StatusBuilder;
import dev.cutover.testworld.Ec2World;
import dev.cutover.testworld.Operators;
import dev.cutover.testworld.Patience;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.ReleaseOps;
import dev.cutover.testworld.TestWorld;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Approval expiry and a failed fleet kept for debugging on the real API server + moto, the
 * instances' applications played by real HTTP servers on their private IPs: an unapproved
 * fleet is abandoned and terminated when promotion.approvalTimeout passes; a fleet that fails
 * its HTTP check stays up for verification.keepFailedFor, listed in status, then is
 * terminated. Production keeps its Elastic IP throughout.
 */
@ExtendWith(TestWorld.class)
class ApprovalAndKeepIT {

  static final InstanceServers servers = new InstanceServers(TestWorld.ec2());
  static final Ec2Gateway gateway = Operators.newGateway();

  @RegisterExtension
  static final LocallyRunOperatorExtension operator = Operators.inThisJvm(gateway);

  private final Ec2World ec2 = new Ec2World(TestWorld.ec2());
  private ReleaseOps releases;
  private Ec2World.Network network;

  @BeforeEach
  void loopbackSubnetAndElasticIp() {
    releases = ReleaseOps.in(operator.getNamespace());
    network = ec2.loopbackNetwork(InstanceServers.VPC_CIDR, InstanceServers.CIDR);
    servers.useSubnet(network.subnetId());
  }

  @AfterAll
  static void stopServers() {
    servers.close();
  }

  @Test
  void anUnapprovedFleetIsAbandonedWhenItsApprovalExpires() {
    liveAt("expiring", "1.0.0", r -> {
      r.getSpec().promotion.mode = Promotion.Mode.Manual;
      r.getSpec().promotion.approvedVersion = "1.0.0";
      r.getSpec().promotion.approvalTimeout = "5s";
    });
    String production = eipHolder();
    releases.update("expiring", r -> r.getSpec().version = "2.0.0");

    Release waiting = releases.awaitPhase("expiring", Phase.AwaitingPromotion, r -> true);
    assertThat(StatusBuilder.find(waiting.getStatus(), StatusBuilder.READY).getMessage())
        .contains("(promotion.approvalTimeout), when the fleet is abandoned");
    assertThat(ec2.alive(releases.key("expiring"), "2.0.0")).hasSize(1);

    Release failed = releases.awaitPhase("expiring", Phase.Failed, ReleaseOps::stalled);
    assertThat(failed.getStatus().lastFailure.reason).isEqualTo("ApprovalExpired");
    assertThat(StatusBuilder.find(failed.getStatus(), StatusBuilder.STALLED).getMessage())
        .contains("promotion.approvalTimeout (5s");
    await().atMost(Patience.RECONCILE)
        .until(() -> ec2.alive(releases.key("expiring"), "2.0.0").isEmpty());

    assertThat(eipHolder()).as("production keeps the Elastic IP").isEqualTo(production);
    Release after = releases.get("expiring");
    assertThat(after.getStatus().activeFleet.version).isEqualTo("1.0.0");
    assertThat(after.getStatus().history).noneMatch(h -> "2.0.0".equals(h.to));
  }

  @Test
  void aFleetThatFailsItsCheckIsKeptForItsTimeThenTerminated() {
    liveAt("kept", "1.0.0", r -> { });
    String production = eipHolder();
    servers.set("2.0.0", 0, FAILING);
    releases.update("kept", r -> {
      r.getSpec().version = "2.0.0";
      r.getSpec().verification.deadline = "5s";
      r.getSpec().verification.keepFailedFor = "5s";
    });

    Release failed = releases.awaitPhase("kept", Phase.Failed,
        r -> r.getStatus().heldFleets != null);
    assertThat(failed.getStatus().lastFailure.reason).isEqualTo("DeadlineExceeded");
    HeldFleet held = failed.getStatus().heldFleets.get(0);
    assertThat(held.reason).isEqualTo("KeptForDebugging");
    assertThat(held.version).isEqualTo("2.0.0");
    assertThat(held.until).isEqualTo(failed.getStatus().lastFailure.keptUntil);
    Instant until = Instant.parse(held.until);
    List<String> kept = Ec2World.ids(ec2.alive(releases.key("kept"), "2.0.0"));
    assertThat(kept).as("the failed fleet is still running").hasSize(1)
        .containsExactlyElementsOf(held.instanceIds);
    assertThat(StatusBuilder.find(failed.getStatus(), StatusBuilder.STALLED).getMessage())
        .contains("kept for debugging until " + until);

    await().atMost(Patience.RECONCILE)
        .until(() -> ec2.alive(releases.key("kept"), "2.0.0").isEmpty());
    assertThat(Instant.now()).as("terminated no earlier than its time").isAfterOrEqualTo(until);
    releases.await("kept", r -> r.getStatus().heldFleets == null);
    assertThat(eipHolder()).as("production keeps the Elastic IP").isEqualTo(production);
    assertThat(releases.get("kept").getStatus().phase).isEqualTo(Phase.Failed);
  }

  private void liveAt(String name, String version, Consumer<Release> tweak) {
    HttpCheck http = InstanceServers.healthCheck(servers.port());
    releases.create(ReleaseBuilder.named(name).version(version).fleetSize(1).network(network)
        .previousFleetTTL("10m").promotion(p -> { }).postSwitch(p -> { })
        .verification(v -> v.http = http).with(tweak).build());
    releases.awaitPhase(name, Phase.Live, r -> ready(r) && active(r, version));
  }

  /** The instance the Elastic IP is on. */
  private String eipHolder() {
    return ec2.address(network.allocationId()).instanceId();
  }
}
