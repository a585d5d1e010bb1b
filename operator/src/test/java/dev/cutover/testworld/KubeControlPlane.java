package dev.cutover.testworld;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real etcd + kube-apiserver (fabric8 kube-api-test, offline: the binaries come from
 * {@code hack/install-kube-binaries.sh}, never from a download).
 */
public final class KubeControlPlane implements AutoCloseable {

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
    server.start();
    return new KubeControlPlane(server);
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
