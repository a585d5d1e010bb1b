package dev.cutover.testworld;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The packaged operator ({@code java -jar target/cutover-operator-*.jar}) as its own process, the
 * way it runs in a pod: configured by environment variables, stopped by SIGKILL when a test
 * wants a crash.
 */
public final class OperatorProcess implements AutoCloseable {

  private final Map<String, String> env;
  private final Path log;
  private Process process;

  public OperatorProcess(KubeControlPlane kube, URI ec2Endpoint, Map<String, String> settings,
      Path log) {
    try {
      Path kubeconfig = Files.createTempFile("operator-kubeconfig", ".yaml");
      Files.writeString(kubeconfig, kube.kubeConfigYaml());
      kubeconfig.toFile().deleteOnExit();
      this.env = new HashMap<>(settings);
      env.put("KUBECONFIG", kubeconfig.toString());
      env.put("CUTOVER_EC2_ENDPOINT", ec2Endpoint.toString());
      env.put("AWS_REGION", TestWorld.REGION.id());
      env.put("AWS_ACCESS_KEY_ID", "testing");
      env.put("AWS_SECRET_ACCESS_KEY", "testing");
      env.putIfAbsent("CUTOVER_HEALTH_PORT", "0");
      this.log = log;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Path jar() {
    try (var files = Files.list(Path.of("target"))) {
      return files.filter(p -> p.getFileName().toString().matches("cutover-operator-.*\\.jar"))
          .findFirst().orElseThrow(() -> new IllegalStateException(
              "target/cutover-operator-*.jar is missing: run the package phase first"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public synchronized OperatorProcess start() {
    try {
      ProcessBuilder builder = new ProcessBuilder("java", "-Xmx256m", "-jar", jar().toString())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      builder.environment().putAll(env);
      process = builder.start();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SIGKILL: no shutdown hook, no graceful stop, exactly like a node failure or OOM kill. */
  public synchronized void kill() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Waits for the process to end by itself; its exit code. */
  public int awaitExit(java.time.Duration timeout) throws InterruptedException {
    Process p;
    synchronized (this) {
      p = process;
    }
    if (!p.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("still running after " + timeout);
    }
    return p.exitValue();
  }

  public synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  @Override
  public void close() {
    kill();
  }
}
