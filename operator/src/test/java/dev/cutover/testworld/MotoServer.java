package dev.cutover.testworld;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * moto's server, the EC2 API emulator, as a child process on a free loopback port. Installed by
 * {@code hack/install-moto.sh}; the same server backs {@code make dev-up}.
 */
public final class MotoServer implements AutoCloseable {

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

  private final Process process;
  private final URI endpoint;
  private final HttpClient http = HttpClient.newHttpClient();

  private MotoServer(Process process, URI endpoint) {
    this.process = process;
    this.endpoint = endpoint;
  }

  public static MotoServer start() {
    return start(java.util.Map.of());
  }

  /**
   * With moto's own settings in the environment, e.g. {@code INITIAL_NO_AUTH_ACTION_COUNT=0}:
   * moto then checks credentials as AWS does and answers unknown ones with 401 AuthFailure.
   */
  public static MotoServer start(java.util.Map<String, String> environment) {
    Path executable = TestWorldSettings.motoServer();
    if (!Files.isExecutable(executable)) {
      throw new IllegalStateException("moto_server not found at " + executable
          + ": run `make tools` (or `make test`, which does it) first");
    }
    int port = freePort();
    try {
      Path log = Files.createTempFile("moto-", ".log");
      ProcessBuilder builder = new ProcessBuilder(executable.toString(), "-H", "127.0.0.1", "-p",
          Integer.toString(port))
          .redirectErrorStream(true)
          .redirectOutput(log.toFile());
      builder.environment().putAll(environment);
      Process process = builder.start();
      MotoServer moto = new MotoServer(process, URI.create("http://127.0.0.1:" + port));
      moto.awaitReady(log);
      return moto;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start moto_server", e);
    }
  }

  public URI endpoint() {
    return endpoint;
  }

  /** Forgets every EC2 resource: each test starts from an empty account. */
  public void reset() {
    post("/moto-api/reset");
  }

  private void awaitReady(Path log) {
    Instant deadline = Instant.now().plus(STARTUP_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("moto_server exited: " + readQuietly(log));
      }
      try {
        HttpResponse<Void> response = http.send(
            HttpRequest.newBuilder(endpoint.resolve("/moto-api/data.json"))
                .timeout(Duration.ofSeconds(2)).GET().build(),
            HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYetListening) {
        // expected while the server starts
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      waitForExit(Duration.ofMillis(100));
    }
    close();
    throw new IllegalStateException("moto_server not ready after " + STARTUP_TIMEOUT);
  }

  private void post(String path) {
    try {
      HttpResponse<String> response = http.send(
          HttpRequest.newBuilder(endpoint.resolve(path)).POST(HttpRequest.BodyPublishers.noBody())
              .build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        throw new IllegalStateException(path + " answered " + response.statusCode());
      }
    } catch (IOException e) {
      throw new IllegalStateException(path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String readQuietly(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log)";
    }
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    process.destroy();
    if (!waitForExit(Duration.ofSeconds(5))) {
      process.destroyForcibly();
    }
  }

  private boolean waitForExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }
}
