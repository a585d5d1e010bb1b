package dev.cutover.gates;

import static dev.cutover.testworld.ReleaseOps.active;
import static dev.cutover.testworld.ReleaseOps.ready;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cutover.api.Drain;
import dev.cutover.api.DrainCall;
import dev.cutover.api.DrainingFleet;
import dev.cutover.api.Phase;
import dev.cutover.api.Release;
import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.testworld.Ec2Proxy;
import dev.cutover.testworld.Ec2World;
import dev.cutover.testworld.Operators;
import dev.cutover.testworld.Patience;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.ReleaseOps;
import dev.cutover.testworld.TestWorld;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Drain before terminate on the real API server + moto: the retained fleet, when its time is
 * up, gets the drain call on each instance (real servers on the instances' loopback private
 * addresses), and TerminateInstances of it comes no earlier than the drain's end; production
 * never gets the call.
 */
@ExtendWith(TestWorld.class)
class DrainIT {

  static final Duration DRAIN = Duration.ofSeconds(4);

  static final InstanceServers servers = new InstanceServers(TestWorld.ec2());
  static final Ec2Proxy proxy = new Ec2Proxy(TestWorld.moto().endpoint());
  static final Ec2Gateway gateway = new Ec2Gateway(TestWorld.newEc2Client(proxy.endpoint()));

  @RegisterExtension
  static final LocallyRunOperatorExtension operator = Operators.inThisJvm(gateway);

  private final Ec2World ec2 = new Ec2World(TestWorld.ec2());
  private ReleaseOps releases;
  private Ec2World.Network network;

  @BeforeEach
  void loopbackSubnet() {
    proxy.reset();
    releases = ReleaseOps.in(operator.getNamespace());
    network = ec2.loopbackNetwork(InstanceServers.VPC_CIDR, InstanceServers.CIDR);
    servers.useSubnet(network.subnetId());
  }

  @AfterAll
  static void stop() {
    servers.close();
    proxy.close();
  }

  @Test
  void theRetainedFleetIsDrainedAndTerminatedOnlyAfterTheDrainTimeout() {
    releases.create(ReleaseBuilder.named("drained").version("1.0.0").fleetSize(2)
        .network(network).previousFleetTTL("3s").with(r -> {
          r.getSpec().drain = new Drain();
          r.getSpec().drain.timeout = DRAIN.toSeconds() + "s";
          r.getSpec().drain.http = new DrainCall();
          r.getSpec().drain.http.method = DrainCall.Method.POST;
          r.getSpec().drain.http.path = "/drain";
          r.getSpec().drain.http.port = servers.port();
        }).build());
    releases.awaitLive("drained", "1.0.0");
    List<String> old = Ec2World.ids(ec2.alive(releases.key("drained"), "1.0.0"));
    releases.update("drained", r -> r.getSpec().version = "2.0.0");
    releases.awaitPhase("drained", Phase.Live, r -> ready(r) && active(r, "2.0.0"));

    AtomicReference<DrainingFleet> seen = new AtomicReference<>();
    Release draining = releases.await("drained", r -> r.getStatus().draining != null
        && !r.getStatus().draining.isEmpty());
    seen.set(draining.getStatus().draining.get(0));
    assertThat(seen.get().reason).isEqualTo("RetentionExpired");
    assertThat(seen.get().instanceIds).containsExactlyInAnyOrderElementsOf(old);
    Instant terminateAt = Instant.parse(seen.get().terminateAt);
    assertThat(Duration.between(Instant.parse(seen.get().startedAt), terminateAt))
        .isEqualTo(DRAIN);

    await().atMost(Patience.RECONCILE).untilAsserted(() ->
        assertThat(ec2.alive(releases.key("drained"), "1.0.0")).isEmpty());
    for (int slot = 0; slot < 2; slot++) {
      assertThat(servers.received("1.0.0", slot)).as("1.0.0 slot " + slot)
          .filteredOn(r -> r.path().equals("/drain")).singleElement()
          .satisfies(r -> assertThat(r.method()).isEqualTo("POST"));
      assertThat(servers.received("2.0.0", slot)).as("production is never drained")
          .noneMatch(r -> r.path().equals("/drain"));
    }
    Instant lastDrainCall = old.stream().map(id -> slotOfId(id)).flatMap(slot ->
        servers.received("1.0.0", slot).stream()).filter(r -> r.path().equals("/drain"))
        .map(InstanceServers.Received::at).max(Instant::compareTo).orElseThrow();
    List<Ec2Proxy.Call> terminations = proxy.log().stream()
        .filter(c -> c.action().equals("TerminateInstances")
            && c.list("InstanceId").stream().anyMatch(old::contains)).toList();
    assertThat(terminations).isNotEmpty().allSatisfy(c -> {
      assertThat(c.at()).as("terminated no earlier than the drain's end")
          .isAfterOrEqualTo(terminateAt);
      assertThat(Duration.between(lastDrainCall, c.at())).as("after the drain call")
          .isGreaterThanOrEqualTo(DRAIN.minusMillis(500));
    });
    // Status forgets the drain once a poll surely shows its instances gone.
    releases.await("drained", r -> r.getStatus().draining == null);
  }

  private int slotOfId(String instanceId) {
    return InstanceServers.slotOf(ec2.instance(instanceId));
  }
}
