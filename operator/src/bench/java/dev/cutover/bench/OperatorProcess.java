package dev.cutover.bench;

import dev.cutover.testworld.TestWorld;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/**
 * The operator as its own JVM process, started from the packaged jar with the shipped flags
 * (and a GC log), its EC2 calls through the proxy: what its memory is, what it reports.
 */
final class OperatorProcess implements AutoCloseable {

  private final Process process;
  private final int port;
  private final Path gcLog;

  private OperatorProcess(Process process, int port, Path gcLog) {
    this.process = process;
    this.port = port;
    this.gcLog = gcLog;
  }

  static OperatorProcess start(ShippedJvm jvm, URI ec2Endpoint, String namespace, String name)
      throws IOException {
    Path jar;
    try (var files = Files.list(Path.of("target"))) {
      jar = files.filter(p -> p.getFileName().toString().matches("cutover-operator-.*\\.jar"))
          .findFirst().orElseThrow(() -> new IllegalStateException("run `make build` first"));
    }
    Path kubeconfig = Files.createTempFile("bench-kubeconfig", ".yaml");
    Files.writeString(kubeconfig, TestWorld.kube().kubeConfigYaml());
    int port;
    try (var socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path gcLog = Path.of("target", "bench-" + name + "-gc.log").toAbsolutePath();
    Files.deleteIfExists(gcLog);
    List<String> command = new ArrayList<>(List.of("java"));
    command.addAll(jvm.processFlags());
    command.add("-Xlog:gc:file=" + gcLog);
    command.addAll(List.of("-jar", jar.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(Path.of("target", "bench-" + name + ".log").toFile());
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    builder.environment().put("CUTOVER_EC2_ENDPOINT", ec2Endpoint.toString());
    builder.environment().put("AWS_REGION", TestWorld.REGION.id());
    builder.environment().put("AWS_ACCESS_KEY_ID", "testing");
    builder.environment().put("AWS_SECRET_ACCESS_KEY", "testing");
    builder.environment().put("CUTOVER_POLL_INTERVAL", Fixtures.POLL.toSeconds() + "s");
    builder.environment().put("CUTOVER_NAMESPACES", namespace);
    builder.environment().put("CUTOVER_HEALTH_PORT", String.valueOf(port));
    builder.environment().remove("JAVA_TOOL_OPTIONS");
    OperatorProcess started = new OperatorProcess(builder.start(), port, gcLog);
    HttpClient http = HttpClient.newHttpClient();
    Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
        .ignoreExceptions().until(() -> {
          if (!started.process.isAlive()) {
            throw new IllegalStateException("the operator exited: see target/bench-" + name
                + ".log");
          }
          return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
              + "/healthz")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        });
    return started;
  }

  PrometheusText scrape() {
    return PrometheusText.scrape(port);
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Resident memory now (VmRSS) and at its peak (VmHWM), in KiB, and the thread count. */
  record Memory(long rssKib, long peakKib, int threads) {}

  Memory memory() throws IOException {
    long rss = 0;
    long peak = 0;
    int threads = 0;
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()),
        "status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
      } else if (line.startsWith("VmHWM:")) {
        peak = Long.parseLong(line.replaceAll("[^0-9]", ""));
      } else if (line.startsWith("Threads:")) {
        threads = Integer.parseInt(line.replaceAll("[^0-9]", ""));
      }
    }
    return new Memory(rss, peak, threads);
  }

  /** The collections the GC log lists so far, their pause time, and the collector. */
  record Gc(String collector, int pauses, double pauseMillis, double longestMillis) {
    String describe() {
      return collector + ", " + pauses + " pauses, " + Math.round(pauseMillis) + " ms in all, "
          + "longest " + Math.round(longestMillis) + " ms";
    }
  }

  Gc gc() throws IOException {
    String log = Files.exists(gcLog) ? Files.readString(gcLog) : "";
    Matcher using = Pattern.compile("Using (\\S+)").matcher(log);
    String collector = using.find() ? using.group(1) + " GC" : "unknown GC";
    Matcher pause = Pattern.compile("(?m)Pause.* ([0-9.]+)ms$").matcher(log);
    int pauses = 0;
    double total = 0;
    double longest = 0;
    while (pause.find()) {
      double ms = Double.parseDouble(pause.group(1));
      pauses++;
      total += ms;
      longest = Math.max(longest, ms);
    }
    return new Gc(collector, pauses, total, longest);
  }

  /** CPU time the process has used so far (user + system). */
  Duration cpu() {
    return process.info().totalCpuDuration().orElse(Duration.ZERO);
  }

  /** Ends the process at once, as a crash or an evicted pod would. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}
