package dev.cutover.gates;

import static dev.cutover.testworld.ReleaseOps.active;
import static dev.cutover.testworld.ReleaseOps.ready;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.cutover.api.CloudWatchQuery;
import dev.cutover.api.MetricCheck;
import dev.cutover.api.Phase;
import dev.cutover.api.PrometheusQuery;
import dev.cutover.api.Release;
import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.observe.CloudWatchReader;
import dev.cutover.testworld.Ec2World;
import dev.cutover.testworld.Operators;
import dev.cutover.testworld.Patience;
import dev.cutover.testworld.PrometheusServer;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.ReleaseOps;
import dev.cutover.testworld.TestWorld;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Metric checks against real providers: a real Prometheus server (started by the test on
 * loopback) scrapes a small exporter the test controls, and a release passes while its error
 * ratio is low and fails before the switch when it is high, and when it rises during the
 * post-switch window the Elastic IP goes back; a CloudWatch alarm on the same moto server as EC2
 * goes to ALARM during the post-switch window and the Elastic IP goes back.
 */
@ExtendWith(TestWorld.class)
class MetricChecksIT {

  /** The application's error ratio per version, as /metrics exposes it. */
  static final Map<String, Double> errorRatio = new ConcurrentHashMap<>();
  static final HttpServer exporter = exporter();
  static final PrometheusServer prometheus = PrometheusServer.scraping(List.of(
      "127.0.0.1:" + exporter.getAddress().getPort()));
  static final Ec2Gateway gateway = Operators.newGateway();

  @RegisterExtension
  static final LocallyRunOperatorExtension operator = Operators.inThisJvm(gateway);

  private final Ec2World ec2 = new Ec2World(TestWorld.ec2());
  private ReleaseOps releases;
  private Ec2World.Network network;

  @BeforeEach
  void world() {
    releases = ReleaseOps.in(operator.getNamespace());
    network = ec2.defaultNetwork();
    errorRatio.clear();
  }

  @AfterAll
  static void stop() {
    prometheus.close();
    exporter.stop(0);
  }

  @Test
  void aLowErrorRatioPassesAndAHighOneFailsTheNewVersionBeforeTheSwitch() {
    errorRatio.put("1.0.0", 0.01);
    errorRatio.put("2.0.0", 0.30);
    await().atMost(Patience.RECONCILE).until(() -> prometheus.hasSeries("app_error_ratio"));
    releases.create(ReleaseBuilder.named("prom").version("1.0.0").fleetSize(1).network(network)
        .verification(v -> v.metrics = List.of(errorRate())).build());
    Release live = releases.awaitPhase("prom", Phase.Live, r -> ready(r) && active(r, "1.0.0"));
    String production = live.getStatus().activeFleet.primaryInstanceId;

    releases.update("prom", r -> r.getSpec().version = "2.0.0");
    Release failed = releases.awaitPhase("prom", Phase.Failed, r -> true);
    assertThat(failed.getStatus().lastFailure.reason).isEqualTo("MetricCheckFailed");
    assertThat(failed.getStatus().lastFailure.message).contains("error-rate")
        .contains("last value 0.3").contains("success when < 0.05");
    assertThat(failed.getStatus().activeFleet.version).isEqualTo("1.0.0");
    assertThat(ec2.address(network.allocationId()).instanceId()).isEqualTo(production);
  }

  @Test
  void anErrorRatioRisingInThePostSwitchWindowMovesTheAddressBack() {
    errorRatio.put("1.0.0", 0.0);
    errorRatio.put("2.0.0", 0.0);
    await().atMost(Patience.RECONCILE).until(() -> prometheus.hasSeries("app_error_ratio"));
    MetricCheck check = errorRate();
    check.failureLimit = 1;
    releases.create(ReleaseBuilder.named("post").version("1.0.0").fleetSize(1).network(network)
        .previousFleetTTL("10m").postSwitch(p -> {
          p.window = "5m";
          p.metrics = List.of(check);
        }).build());
    releases.awaitLive("post", "1.0.0");
    String previous = ec2.address(network.allocationId()).instanceId();
    releases.update("post", r -> r.getSpec().version = "2.0.0");
    Release switched = releases.await("post", r -> active(r, "2.0.0")
        && r.getStatus().metrics != null && r.getStatus().metrics.stream()
            .anyMatch(m -> "Passing".equals(m.state)));
    assertThat(switched.getStatus().metrics).singleElement().satisfies(m -> {
      assertThat(m.stage).isEqualTo("PostSwitch");
      assertThat(m.fleetId).isEqualTo(switched.getStatus().activeFleet.id);
      assertThat(m.lastValue).isEqualTo(0.0);
    });

    Instant risen = Instant.now();
    errorRatio.put("2.0.0", 0.5);
    await().atMost(Patience.RECONCILE).until(() ->
        previous.equals(ec2.address(network.allocationId()).instanceId()));
    Duration revert = Duration.between(risen, Instant.now());
    Release reverted = releases.awaitPhase("post", Phase.Degraded, r -> true);
    assertThat(reverted.getStatus().lastFailure.reason).isEqualTo("PostSwitchCheckFailed");
    assertThat(reverted.getStatus().lastFailure.message).contains("error-rate")
        .contains("last value 0.5");
    System.out.println("metric-driven revert: error ratio raised in the exporter -> Elastic IP "
        + "moved back in " + revert.toMillis() + " ms (scrape every 1s, check every 1s)");
    assertThat(revert).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void aCloudWatchAlarmInThePostSwitchWindowMovesTheAddressBack() throws Exception {
    // The alarm lives on the same moto server as EC2, set up through the query protocol the
    // operator reads it with.
    CloudWatchReader cloudWatch = new CloudWatchReader(java.net.http.HttpClient.newHttpClient(),
        Duration.ofSeconds(10));
    String alarm = "cutover-it-" + operator.getNamespace();
    cloudWatch.call(gateway, "PutMetricAlarm", Map.of("AlarmName", alarm, "Namespace", "App",
        "MetricName", "Errors", "Statistic", "Sum", "Period", "60", "EvaluationPeriods", "1",
        "Threshold", "1", "ComparisonOperator", "GreaterThanOrEqualToThreshold"));
    setAlarm(cloudWatch, alarm, "OK");
    MetricCheck check = new MetricCheck();
    check.name = "errors-alarm";
    check.interval = "1s";
    check.failureLimit = 1;
    check.cloudWatch = new CloudWatchQuery();
    check.cloudWatch.alarmName = alarm;
    releases.create(ReleaseBuilder.named("cw").version("1.0.0").fleetSize(1).network(network)
        .previousFleetTTL("10m").postSwitch(p -> {
          p.window = "5m";
          p.metrics = List.of(check);
        }).build());
    releases.awaitLive("cw", "1.0.0");
    String previous = ec2.address(network.allocationId()).instanceId();
    releases.update("cw", r -> r.getSpec().version = "2.0.0");
    releases.await("cw", r -> active(r, "2.0.0") && r.getStatus().metrics != null
        && r.getStatus().metrics.stream().anyMatch(m -> "Passing".equals(m.state)));

    Instant alarmed = Instant.now();
    setAlarm(cloudWatch, alarm, "ALARM");
    await().atMost(Patience.RECONCILE).until(() ->
        previous.equals(ec2.address(network.allocationId()).instanceId()));
    Duration revert = Duration.between(alarmed, Instant.now());
    Release reverted = releases.awaitPhase("cw", Phase.Degraded, r -> true);
    assertThat(reverted.getStatus().lastFailure.reason).isEqualTo("PostSwitchCheckFailed");
    assertThat(reverted.getStatus().lastFailure.message).contains("errors-alarm")
        .contains("alarm in ALARM");
    System.out.println("metric-driven revert: CloudWatch alarm set to ALARM -> Elastic IP moved "
        + "back in " + revert.toMillis() + " ms (check interval 1s)");
    assertThat(revert).isLessThan(Duration.ofSeconds(30));
  }

  private static void setAlarm(CloudWatchReader cloudWatch, String alarm, String state)
      throws Exception {
    cloudWatch.call(gateway, "SetAlarmState", Map.of("AlarmName", alarm, "StateValue", state,
        "StateReason", "set by the test"));
  }

  private static MetricCheck errorRate() {
    MetricCheck check = new MetricCheck();
    check.name = "error-rate";
    check.interval = "1s";
    check.successCondition = "< 0.05";
    check.failureLimit = 2;
    check.prometheus = new PrometheusQuery();
    check.prometheus.url = prometheus.url().toString();
    check.prometheus.query = "max(app_error_ratio{version=\"${VERSION}\"})";
    return check;
  }

  private static HttpServer exporter() {
    try {
      HttpServer server = HttpServer.create(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext("/metrics", exchange -> {
        StringBuilder body = new StringBuilder("# TYPE app_error_ratio gauge\n");
        errorRatio.forEach((version, ratio) -> body.append("app_error_ratio{version=\"")
            .append(version).append("\"} ").append(ratio).append('\n'));
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
      });
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
