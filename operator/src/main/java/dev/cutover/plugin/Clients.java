package dev.cutover.plugin;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** The connection as kubectl would make it: --kubeconfig, $KUBECONFIG, --context, -n. */
final class Clients {

  /** The kubeconfig cannot be used as asked (missing file, unknown context). */
  static final class ConfigException extends Exception {
    ConfigException(String message) {
      super(message);
    }
  }

  private Clients() {}

  static Config config(CommandLine line) throws ConfigException {
    Config config;
    if (line.kubeconfig() != null) {
      Path file = Path.of(line.kubeconfig());
      if (!Files.isReadable(file)) {
        throw new ConfigException("cannot read the kubeconfig " + file);
      }
      config = Config.fromKubeconfig(line.context(), file.toFile());
    } else {
      config = Config.autoConfigure(line.context());
    }
    if (line.context() != null && (config.getCurrentContext() == null
        || !line.context().equals(config.getCurrentContext().getName()))) {
      throw new ConfigException("context \"" + line.context() + "\" is not in the kubeconfig "
          + (line.kubeconfig() != null ? line.kubeconfig() : kubeconfigFiles()));
    }
    // A command line fails fast: the API server's answer or the connection error at once,
    // not after fabric8's default ten retries with backoff.
    config.setRequestRetryBackoffLimit(0);
    config.setConnectionTimeout(10_000);
    return config;
  }

  static KubernetesClient client(Config config) {
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** -n, else the namespace of the kubeconfig context, else default. */
  static String namespace(CommandLine line, Config config) {
    if (line.namespace() != null) {
      return line.namespace();
    }
    String fromContext = config.getNamespace();
    return fromContext == null || fromContext.isEmpty() ? "default" : fromContext;
  }

  private static String kubeconfigFiles() {
    String env = System.getenv("KUBECONFIG");
    if (env != null && !env.isEmpty()) {
      return env;
    }
    return System.getProperty("user.home") + File.separator + ".kube" + File.separator
        + "config";
  }
}
