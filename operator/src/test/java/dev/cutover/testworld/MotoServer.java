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
 * {@code hack/install-moto.sh}; the same server backs {@code make dev-up}. It runs through
 * {@code moto_server.py} (beside this class), which reads a resource's tags from moto's own
 * index instead of scanning every tag of the account: the same answers, without moto's cost of
 * resources × tags per DescribeInstances that made an account of thousands of instances time
 * out.
 */
public final class MotoServer implements AutoCloseable {

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
  /** Free ports tried in turn: another process may take one before moto binds it. */
  private static final int PORT_ATTEMPTS = 5;

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
    String lost = "";
    for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
      int port = freePort();
      try {
        Path log = Files.createTempFile("moto-", ".log");
        ProcessBuilder builder = new ProcessBuilder(python().toString(),
            launcher().toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        MotoServer moto = new MotoServer(process, URI.create("http://127.0.0.1:" + port));
        if (moto.awaitReady(log, port)) {
          return moto;
        }
        lost += " " + port;
      } catch (IOException e) {
        throw new IllegalStateException("cannot start moto_server", e);
      }
    }
    throw new IllegalStateException("moto_server could not listen: ports" + lost
        + " were taken before it bound them");
  }

  private static Path launcher;

  /** The Python of moto's virtualenv, which runs the server. */
  public static Path python() {
    return TestWorldSettings.motoServer().resolveSibling("python");
  }

  /** moto_server.py, copied once from the test classpath to a file python can run. */
  private static synchronized Path launcher() throws IOException {
    if (launcher == null) {
      Path file = Files.createTempFile("moto_server-", ".py");
      file.toFile().deleteOnExit();
      try (var in = MotoServer.class.getResourceAsStream("moto_server.py")) {
        if (in == null) {
          throw new IllegalStateException("moto_server.py is not on the test classpath");
        }
        Files.write(file, in.readAllBytes());
      }
      launcher = file;
    }
    return launcher;
  }

  public URI endpoint() {
    return endpoint;
  }

  /** Forgets every EC2 resource: each test starts from an empty account. */
  public void reset() {
    post("/moto-api/reset");
  }

  /**
   * True once this process serves on its port; false if another process took the port between
   * {@link #freePort()} and moto binding it (e.g. a test JVM running beside this one). Only a
   * server that logged listening on the port counts: until then, an answer there comes from
   * whoever else holds it.
   */
  private boolean awaitReady(Path log, int port) {
    Instant deadline = Instant.now().plus(STARTUP_TIMEOUT);
    String listening = "Running on " + endpoint;
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        String output = readQuietly(log);
        if (output.contains("Address already in use")) {
          return false;
        }
        throw new IllegalStateException("moto_server exited: " + output);
      }
      try {
        HttpResponse<Void> response = http.send(
            HttpRequest.newBuilder(endpoint.resolve("/moto-api/data.json"))
                .timeout(Duration.ofSeconds(2)).GET().build(),
            HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200 && readQuietly(log).contains(listening)) {
          return true;
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
    throw new IllegalStateException("moto_server not ready on port " + port + " after "
        + STARTUP_TIMEOUT + ": " + readQuietly(log));
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
