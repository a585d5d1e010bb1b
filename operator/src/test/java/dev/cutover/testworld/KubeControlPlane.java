package dev.cutover.testworld;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A real etcd + kube-apiserver (fabric8 kube-api-test, offline: the binaries come from
 * {@code hack/install-kube-binaries.sh}, never from a download).
 */
public final class KubeControlPlane implements AutoCloseable {

  /**
   * Held while a control plane starts, so that test JVMs running side by side (Failsafe forks)
   * start theirs one after the other. kube-api-test writes its certificates into the shared
   * test directory on first use and guards that only against threads of its own JVM; and it
   * picks the etcd and API server ports by checking that they are free, then starts the
   * processes that bind them: two JVMs starting at once could write halves of the certificates
   * or pick the same port, and one would then talk to the other's API server.
   */
  private static final String START_LOCK = ".start.lock";

  private final KubeAPIServer server;
  private final String kubeConfigYaml;

  private KubeControlPlane(KubeAPIServer server) {
    this.server = server;
    this.kubeConfigYaml = server.getKubeConfigYaml();
  }

  public static KubeControlPlane start() {
    Path testDir = TestWorldSettings.kubeApiTestDir();
    if (!Files.isDirectory(testDir.resolve("k8s"))) {
      throw new IllegalStateException("No kube-apiserver binaries under " + testDir
          + ": run `make tools` (or `make test`, which does it) first");
    }
    var config = KubeAPIServerConfigBuilder.anAPIServerConfig()
        .withOfflineMode(true)
        .withUpdateKubeConfig(false)
        .withTestDir(testDir.toString());
    TestWorldSettings.kubeVersion().ifPresent(config::withApiServerVersion);
    KubeAPIServer server = new KubeAPIServer(config.build());
    try (FileChannel channel = FileChannel.open(testDir.resolve(START_LOCK),
        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock startingAlone = channel.lock()) {
      server.start();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return new KubeControlPlane(server);
  }

  /**
   * Runs the kubectl built with the server (as a user would) and returns what it printed.
   * Fails when kubectl exits non-zero.
   */
  public String kubectl(String... args) {
    try {
      return run(kubectlBinary(), args);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Runs a program (such as helm) with this API server's kubeconfig; returns its output. */
  public String run(Path program, String... args) {
    try {
      Path kubeconfig = Files.createTempFile("kubeconfig-", ".yaml");
      Files.writeString(kubeconfig, kubeConfigYaml);
      var command = new java.util.ArrayList<String>();
      command.add(program.toString());
      command.addAll(java.util.List.of(args));
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().put("KUBECONFIG", kubeconfig.toString());
      builder.environment().put("HOME", System.getProperty("java.io.tmpdir"));
      Process process = builder.start();
      String output = new String(process.getInputStream().readAllBytes());
      int exit = process.waitFor();
      Files.deleteIfExists(kubeconfig);
      if (exit != 0) {
        throw new IllegalStateException(program.getFileName() + " " + String.join(" ", args)
            + " exited " + exit + ": " + output);
      }
      return output;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The helm CLI built by hack/install-helm.sh. */
  public static Path helm() {
    try (var dirs = Files.list(TestWorldSettings.cache())) {
      return dirs.filter(d -> d.getFileName().toString().startsWith("helm-"))
          .map(d -> d.resolve("helm")).filter(Files::isExecutable).findFirst()
          .orElseThrow(() -> new IllegalStateException("helm not built: run `make tools`"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Path kubectlBinary() throws java.io.IOException {
    Path k8s = TestWorldSettings.kubeApiTestDir().resolve("k8s");
    String dir = TestWorldSettings.kubeVersion().map(v -> v + "-linux-amd64").orElse(null);
    if (dir == null) {
      try (var dirs = Files.list(k8s)) {
        // The newest version, as kube-api-test itself picks it.
        dir = dirs.map(p -> p.getFileName().toString())
            .max(java.util.Comparator.comparing(KubeControlPlane::versionKey)).orElseThrow();
      }
    }
    return k8s.resolve(dir).resolve("kubectl");
  }

  private static String versionKey(String directory) {
    var key = new StringBuilder();
    for (String part : directory.replace("-linux-amd64", "").split("\\.")) {
      key.append(String.format("%05d", Integer.parseInt(part.replaceAll("\\D", "0"))));
    }
    return key.toString();
  }

  public String kubeConfigYaml() {
    return kubeConfigYaml;
  }

  /** A new client; callers close it. */
  public KubernetesClient newClient() {
    return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeConfigYaml)).build();
  }

  @Override
  public void close() {
    server.stop();
  }
}
