package dev.cutover.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.cutover.CutoverOperator;
import dev.cutover.OperatorConfig;
import dev.cutover.testworld.Crds;
import dev.cutover.testworld.Ec2World;
import dev.cutover.testworld.Namespaces;
import dev.cutover.testworld.Operators;
import dev.cutover.testworld.Patience;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.ReleaseOps;
import dev.cutover.testworld.TestWorld;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** The operator as it runs in a pod: its endpoints, its metrics, and leader election. */
@ExtendWith(TestWorld.class)
class OperatorRuntimeIT {

  private String namespace;
  private ReleaseOps releases;
  private Ec2World.Network network;

  @BeforeEach
  void world(KubernetesClient client, Ec2Client ec2) {
    Crds.installReleaseCrd(client);
    namespace = Namespaces.fresh("runtime");
    Namespaces.create("cutover-system");
    releases = ReleaseOps.in(namespace);
    network = new Ec2World(ec2).defaultNetwork();
  }

  @Test
  void endpointsServeHealthAndTheEc2CallCountersAfterARollout() throws Exception {
    OperatorConfig config = config(Map.of());
    try (CutoverOperator operator = start(config, "solo")) {
      create("metered", "1.0.0");
      releases.awaitLive("metered", "1.0.0");

      assertThat(get(operator.port(), "/healthz").statusCode()).isEqualTo(200);
      await().atMost(Patience.LONG)
          .until(() -> get(operator.port(), "/readyz").statusCode() == 200);
      String metrics = get(operator.port(), "/metrics").body();
      assertThat(metrics)
          .contains("cutover_ec2_calls_total{operation=\"RunInstances\",outcome=\"ok\"} 1.0")
          .contains("cutover_ec2_calls_total{operation=\"AssociateAddress\",outcome=\"ok\"} 1.0")
          .contains("cutover_ec2_calls_total{operation=\"DescribeInstances\",outcome=\"ok\"}")
          .contains("cutover_switches_total{reason=\"Promoted\"} 1.0")
          .contains("cutover_switch_duration_seconds_count 1")
          .contains("cutover_instances{role=\"active\"} 2.0")
          .contains("operator_sdk_");
      // Each pass's time, split: waiting for observations, in EC2's mutating calls, waiting for
      // the API server, the rest.
      for (String phase : List.of("data_wait", "ec2_calls", "api_server", "work")) {
        for (String quantile : List.of("0.5", "0.99")) {
          assertThat(metrics).contains("cutover_reconcile_phase_seconds{phase=\"" + phase
              + "\",quantile=\"" + quantile + "\"}");
        }
      }
      double passes = value(metrics, "cutover_reconcile_phase_seconds_count{phase=\"work\"}");
      assertThat(passes).isPositive();
      // (A pass finishing while the scrape is taken may have recorded one phase of three.)
      assertThat(value(metrics, "cutover_reconcile_phase_seconds_count{phase=\"ec2_calls\"}"))
          .as("every pass records every phase").isCloseTo(passes, within(1.0));
      assertThat(value(metrics, "cutover_reconcile_phase_seconds_sum{phase=\"ec2_calls\"}"))
          .as("RunInstances and AssociateAddress took some time").isPositive();
      releases.deleteAll();
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
      releases.awaitLive("ha", "1.0.0");
      CutoverOperator leader = mutations(a) > 0 ? a : b;
      CutoverOperator standby = leader == a ? b : a;
      assertThat(mutations(leader)).isGreaterThan(0);
      assertThat(mutations(standby)).as("the standby changes nothing").isZero();

      long stopped = System.nanoTime();
      leader.close();
      releases.update("ha", r -> r.getSpec().version = "2.0.0");
      releases.awaitLive("ha", "2.0.0");
      Duration takeover = Duration.ofNanos(System.nanoTime() - stopped);
      System.out.println("leader election takeover + blue/green: " + takeover.toMillis() + " ms");
      assertThat(standby.gateway().callCounts()).containsKey("RunInstances/ok");
      assertThat(standby.gateway().callCounts()).containsKey("AssociateAddress/ok");
      releases.deleteAll();
    } finally {
      a.close();
      b.close();
    }
  }

  // ------------------------------------------------------------------ helpers

  private OperatorConfig config(Map<String, String> extra) {
    Map<String, String> env = Operators.settings(extra);
    env.put("CUTOVER_NAMESPACES", namespace);
    return OperatorConfig.fromEnvironment(env);
  }

  private CutoverOperator start(OperatorConfig config, String identity) {
    return Operators.start(config, TestWorld.kube().newClient(), identity, 0);
  }

  private static long mutations(CutoverOperator operator) {
    return operator.gateway().callCounts().entrySet().stream()
        .filter(e -> !e.getKey().startsWith("Describe")).mapToLong(Map.Entry::getValue).sum();
  }

  private void create(String name, String version) {
    releases.create(ReleaseBuilder.named(name).version(version).fleetSize(2).network(network)
        .build());
  }

  /** The value of one sample line of a Prometheus scrape. */
  private static double value(String metrics, String sample) {
    return metrics.lines().filter(l -> l.startsWith(sample + " ")).findFirst()
        .map(l -> Double.parseDouble(l.substring(sample.length() + 1).trim()))
        .orElseThrow(() -> new AssertionError("no sample " + sample + " in\n" + metrics));
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
