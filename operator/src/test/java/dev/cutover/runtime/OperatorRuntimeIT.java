package dev.cutover.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cutover.CutoverOperator;
import dev.cutover.OperatorConfig;
import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.api.Phase;
import dev.cutover.api.Release;
import dev.cutover.observe.CheckAddresses;
import dev.cutover.status.StatusBuilder;
import dev.cutover.testworld.Crds;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.ReleaseOps;
import dev.cutover.testworld.TestWorld;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** The operator as it runs in a pod: its endpoints, its metrics, and leader election. */
@ExtendWith(TestWorld.class)
class OperatorRuntimeIT {

  static final Duration PATIENCE = Duration.ofSeconds(90);

  private String namespace;
  private String allocationId;
  private String subnet;

  @BeforeEach
  void world(KubernetesClient client, Ec2Client ec2) {
    Crds.installReleaseCrd(client);
    namespace = "runtime-" + UUID.randomUUID().toString().substring(0, 8);
    for (String ns : List.of(namespace, "cutover-system")) {
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns)
          .endMetadata().build()).serverSideApply();
    }
    allocationId = ec2.allocateAddress(r -> r.domain("vpc")).allocationId();
    subnet = ec2.describeSubnets().subnets().get(0).subnetId();
  }

  @Test
  void endpointsServeHealthAndTheEc2CallCountersAfterARollout() throws Exception {
    OperatorConfig config = config(Map.of());
    try (CutoverOperator operator = start(config, "solo")) {
      create("metered", "1.0.0");
      awaitLive("metered", "1.0.0");

      assertThat(get(operator.port(), "/healthz").statusCode()).isEqualTo(200);
      await().atMost(PATIENCE).until(() -> get(operator.port(), "/readyz").statusCode() == 200);
      String metrics = get(operator.port(), "/metrics").body();
      assertThat(metrics)
          .contains("cutover_ec2_calls_total{operation=\"RunInstances\",outcome=\"ok\"} 1.0")
          .contains("cutover_ec2_calls_total{operation=\"AssociateAddress\",outcome=\"ok\"} 1.0")
          .contains("cutover_ec2_calls_total{operation=\"DescribeInstances\",outcome=\"ok\"}")
          .contains("cutover_switches_total{reason=\"Promoted\"} 1.0")
          .contains("cutover_switch_duration_seconds_count 1")
          .contains("cutover_instances{role=\"active\"} 2.0")
          .contains("operator_sdk_");
      deleteReleases();
    }
  }

  @Test
  void withLeaderElectionOnlyTheLeaderActsAndTheOtherTakesOver() {
    OperatorConfig config = config(Map.of("CUTOVER_LEADER_ELECTION", "true",
        "CUTOVER_LEASE_NAME", "cutover-" + namespace, "CUTOVER_LEASE_NAMESPACE", "cutover-system"));
    CutoverOperator a = start(config, "replica-a");
    CutoverOperator b = start(config, "replica-b");
    try {
      create("ha", "1.0.0");
      awaitLive("ha", "1.0.0");
      CutoverOperator leader = mutations(a) > 0 ? a : b;
      CutoverOperator standby = leader == a ? b : a;
      assertThat(mutations(leader)).isGreaterThan(0);
      assertThat(mutations(standby)).as("the standby changes nothing").isZero();

      long stopped = System.nanoTime();
      leader.close();
      update("ha", "2.0.0");
      awaitLive("ha", "2.0.0");
      Duration takeover = Duration.ofNanos(System.nanoTime() - stopped);
      System.out.println("leader election takeover + blue/green: " + takeover.toMillis() + " ms");
      assertThat(standby.gateway().callCounts()).containsKey("RunInstances/ok");
      assertThat(standby.gateway().callCounts()).containsKey("AssociateAddress/ok");
      deleteReleases();
    } finally {
      a.close();
      b.close();
    }
  }

  // ------------------------------------------------------------------ helpers

  /** While an operator runs, so finalizers are removed and nothing is left behind. */
  private void deleteReleases() {
    var releases = TestWorld.client().resources(Release.class).inNamespace(namespace);
    releases.delete();
    await().atMost(PATIENCE).until(() -> releases.list().getItems().isEmpty());
  }

  private OperatorConfig config(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(extra);
    env.put("CUTOVER_POLL_INTERVAL", "1s");
    env.put("CUTOVER_NAMESPACES", namespace);
    return OperatorConfig.fromEnvironment(env);
  }

  private CutoverOperator start(OperatorConfig config, String identity) {
    return CutoverOperator.start(config, TestWorld.kube().newClient(),
        new Ec2Gateway(TestWorld.newEc2Client(TestWorld.moto())), Clock.systemUTC(),
        CheckAddresses.instanceIps(), Optional.of(identity), 0);
  }

  private static long mutations(CutoverOperator operator) {
    return operator.gateway().callCounts().entrySet().stream()
        .filter(e -> !e.getKey().startsWith("Describe")).mapToLong(Map.Entry::getValue).sum();
  }

  private void create(String name, String version) {
    Release r = ReleaseBuilder.named(name).version(version).fleetSize(2).subnet(subnet)
        .elasticIp(allocationId).build();
    TestWorld.client().resource(r).inNamespace(namespace).create();
  }

  private void update(String name, String version) {
    ReleaseOps.update(TestWorld.client(), namespace, name, r -> r.getSpec().version = version);
  }

  private void awaitLive(String name, String version) {
    ReleaseOps.await(TestWorld.client(), namespace, name, r -> ReleaseOps.live(r, version));
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
