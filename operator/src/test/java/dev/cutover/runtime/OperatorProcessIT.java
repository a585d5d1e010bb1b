package dev.cutover.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cutover.testworld.Crds;
import dev.cutover.testworld.OperatorProcess;
import dev.cutover.testworld.Patience;
import dev.cutover.testworld.TestWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The packaged jar as a process: its log formats and how it treats bad configuration. */
@ExtendWith(TestWorld.class)
class OperatorProcessIT {

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
}
