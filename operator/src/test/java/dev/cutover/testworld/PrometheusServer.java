package dev.cutover.testworld;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Prometheus server on a free loopback port, scraping the given targets every second:
 * the provider the metric checks query. Installed by {@code hack/install-prometheus.sh}.
 */
public final class PrometheusServer implements AutoCloseable {

  private final Process process;
  private final URI url;
  private final Path dir;

  private PrometheusServer(Process process, URI url, Path dir) {
    this.process = process;
    this.url = url;
    this.dir = dir;
  }

  /** Starts it scraping these host:port targets (/metrics) every second; waits until ready. */
  public static PrometheusServer scraping(List<String> targets) {
    Path executable = TestWorldSettings.prometheus();
    if (!Files.isExecutable(executable)) {
      throw new IllegalStateException("prometheus not found at " + executable
          + ": run `make tools` (or `make test`, which does it) first");
    }
    try {
      Path dir = Files.createTempDirectory("prometheus-");
      Path config = dir.resolve("prometheus.yml");
      Files.writeString(config, "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
          + "scrape_configs:\n  - job_name: app\n    static_configs:\n      - targets: ["
          + String.join(", ", targets.stream().map(t -> "'" + t + "'").toList()) + "]\n");
      int port = freePort();
      Process process = new ProcessBuilder(executable.toString(),
          "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
          "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
          .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile())
          .start();
      PrometheusServer server = new PrometheusServer(process,
          URI.create("http://127.0.0.1:" + port), dir);
      HttpClient http = HttpClient.newHttpClient();
      await().atMost(Patience.PROCESS_START).ignoreExceptions().until(() -> http.send(
          HttpRequest.newBuilder(server.url.resolve("/-/ready")).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public URI url() {
    return url;
  }

  /** Whether a query over the scraped series has a sample yet (the first scrape happened). */
  public boolean hasSeries(String metric) {
    try {
      String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url.resolve(
          "/api/v1/query?query=" + metric)).build(), HttpResponse.BodyHandlers.ofString())
          .body();
      return body.contains("\"value\"");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 0,
        java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
