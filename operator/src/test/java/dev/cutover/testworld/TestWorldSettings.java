package dev.cutover.testworld;

import java.nio.file.Path;
import java.util.Optional;

/** Where the test world's binaries are; the same defaults as hack/lib.sh. */
final class TestWorldSettings {

  private TestWorldSettings() {}

  static Path cache() {
    String configured = setting("cutover.cache", "CUTOVER_CACHE");
    if (configured != null) {
      return Path.of(configured);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    return (xdg != null ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache"))
        .resolve("cutover");
  }

  static Path kubeApiTestDir() {
    String configured = setting("cutover.kubeApiTestDir", "KUBE_API_TEST_DIR");
    return configured != null ? Path.of(configured) : cache().resolve("kubeapitest");
  }

  static Optional<String> kubeVersion() {
    return Optional.ofNullable(setting("cutover.kubeVersion", "KUBE_VERSION"));
  }

  static Path motoServer() {
    String version = Optional.ofNullable(setting("cutover.motoVersion", "MOTO_VERSION"))
        .orElse("5.2.5");
    return cache().resolve("moto-" + version).resolve("bin").resolve("moto_server");
  }

  /** Debian's prometheus binary, unpacked by hack/install-prometheus.sh. */
  static Path prometheus() {
    String version = Optional.ofNullable(setting("cutover.prometheusVersion",
        "PROMETHEUS_VERSION")).orElse("2.42.0");
    return cache().resolve("prometheus-" + version).resolve("prometheus");
  }

  private static String setting(String property, String env) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      value = System.getenv(env);
    }
    return value == null || value.isBlank() ? null : value;
  }
}
