package dev.cutover.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cutover.testworld.Crds;
import dev.cutover.testworld.OperatorProcess;
import dev.cutover.testworld.Patience;
import dev.cutover.testworld.TestWorld;
import dev.cutover.testworld.MotoServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The packaged jar as a process: its log formats and how it treats bad configuration. */
@ExtendWith(TestWorld.class)
class OperatorProcessIT {

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(1)).build();

  @BeforeAll
  static void crd() {
    // The process watches Releases: without the CRD it cannot start (and exits saying so).
    Crds.installReleaseCrd(TestWorld.client());
  }

  @Test
  void jsonLogsAreOneJsonObjectPerLine() throws Exception {
    Path log = Files.createTempFile("operator-json", ".log");
    try (OperatorProcess operator = new OperatorProcess(TestWorld.kube(),
        TestWorld.moto().endpoint(), Map.of("CUTOVER_LOG_FORMAT", "json",
            "CUTOVER_NAMESPACES", "json-logs"), log).start()) {
      String started = await().atMost(Patience.PROCESS_START).until(
          () -> Files.readAllLines(log).stream().filter(l -> l.contains("Cutover started"))
              .findFirst().orElse(null), line -> line != null);
      JsonNode event = new ObjectMapper().readTree(started);
      assertThat(event.path("message").asText()).startsWith("Cutover started");
      assertThat(event.path("log.level").asText()).isEqualTo("INFO");
      assertThat(Files.readAllLines(log)).allSatisfy(line -> assertThat(line).startsWith("{"));
      assertThat(operator.isAlive()).isTrue();
    }
  }

  @Test
  void anInvalidSettingStopsTheProcessAtOnceNamingIt() throws Exception {
    Path log = Files.createTempFile("operator-bad", ".log");
    OperatorProcess operator = new OperatorProcess(TestWorld.kube(),
        TestWorld.moto().endpoint(), Map.of("CUTOVER_POLL_INTERVAL", "soon"), log).start();
    assertThat(operator.awaitExit(Patience.PROCESS_EXIT)).isEqualTo(2);
    assertThat(Files.readString(log)).contains("CUTOVER_POLL_INTERVAL=\"soon\" is invalid: "
        + "expected a duration such as 10s or 1m.");
  }
  /**
   * EC2 unreachable at start (its endpoint a closed loopback port): the process does not start
   * its reconcilers or its endpoints, says why, and exits 1 once the start window has passed.
   * /healthz never answered 200 while it lived, and nothing answers after.
   */
  @Test
  void anUnreachableEc2EndsTheProcessSayingWhy() throws Exception {
    URI closed = URI.create("http://127.0.0.1:" + freePort());
    int health = freePort();
    Path log = Files.createTempFile("operator-no-ec2", ".log");
    OperatorProcess operator = new OperatorProcess(TestWorld.kube(), closed,
        Map.of("CUTOVER_HEALTH_PORT", Integer.toString(health)), log).start();

    List<Integer> answers = probeUntilExit(operator, health, Duration.ofSeconds(90));

    assertThat(operator.awaitExit(Duration.ofSeconds(1))).isEqualTo(1);
    assertThat(Files.readString(log)).contains("Cutover could not start: EC2 in us-east-1 at "
        + closed + " cannot be used (still failing after 20 s): DescribeAddresses failed: "
        + "ClientError").contains("Connection refused").doesNotContain("Cutover started");
    assertThat(answers).as("/healthz answers while the process lived").doesNotContain(200);
    assertThat(healthz(health)).as("/healthz after the exit").isEqualTo(-1);
  }

  /**
   * Credentials refused at start (moto checking them as AWS does): the process exits 1 at once
   * with AWS's code and message.
   */
  @Test
  void refusedCredentialsEndTheProcessAtOnceSayingWhy() throws Exception {
    try (MotoServer strict = MotoServer.start(Map.of("INITIAL_NO_AUTH_ACTION_COUNT", "0"))) {
      int health = freePort();
      Path log = Files.createTempFile("operator-bad-credentials", ".log");
      OperatorProcess operator = new OperatorProcess(TestWorld.kube(), strict.endpoint(),
          Map.of("CUTOVER_HEALTH_PORT", Integer.toString(health)), log).start();

      List<Integer> answers = probeUntilExit(operator, health, Duration.ofSeconds(30));

      assertThat(operator.awaitExit(Duration.ofSeconds(1))).isEqualTo(1);
      assertThat(Files.readString(log)).contains("Cutover could not start: EC2 in us-east-1 at "
          + strict.endpoint() + " cannot be used: DescribeAddresses failed: AuthFailure: AWS was "
          + "not able to validate the provided access credentials")
          .doesNotContain("Cutover started");
      assertThat(answers).as("/healthz answers while the process lived").doesNotContain(200);
    }
  }

  /** /healthz every 100 ms until the process exits (its status, or -1 for no answer). */
  private static List<Integer> probeUntilExit(OperatorProcess operator, int port,
      Duration atMost) {
    List<Integer> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
    try {
      await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> {
        if (!operator.isAlive()) {
          return true;
        }
        answers.add(healthz(port));
        return false;
      });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      operator.kill();
      throw new AssertionError("still running after " + atMost + "; /healthz said "
          + answers.stream().distinct().toList(), e);
    }
    return new ArrayList<>(answers);
  }

  private static int healthz(int port) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
          + "/healthz")).timeout(Duration.ofSeconds(1)).GET().build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
