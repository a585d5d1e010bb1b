package dev.cutover.bench;

import dev.cutover.api.Release;
import dev.cutover.testworld.Crds;
import dev.cutover.testworld.KubeControlPlane;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The start-up of {@code kubectl cutover get} as people meet it: the launcher that
 * {@code make plugin} wrote, run as a whole process against a real kube-apiserver (TLS, on
 * loopback) holding one Release with three fleets and its Events; without its class-data archive
 * (cold, as before the training run) and with it (warm); kubectl's own {@code get} beside it for
 * scale. Writes docs/PLUGIN-STARTUP.md.
 *
 * <p>Usage: {@code PluginStartup RUNS COMMAND_THAT_STARTED_IT}, from operator/.
 */
public final class PluginStartup {

  static final Path LAUNCHER = Path.of("target", "kubectl-cutover");
  static final Path ARCHIVE = Path.of("target", "kubectl-cutover-lib", "kubectl-cutover.jsa");
  static final Path DOC = Path.of("..", "docs", "PLUGIN-STARTUP.md");
  static final String NAMESPACE = "shop";

  private PluginStartup() {}

  /** Wall-clock seconds of each counted run. */
  record Timings(String command, String setting, List<Double> seconds) {
    double median() {
      List<Double> sorted = new ArrayList<>(seconds);
      Collections.sort(sorted);
      int n = sorted.size();
      return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    String row() {
      return String.format("| `%s` | %s | %.2f s | %.2f s | %.2f s |", command, setting,
          median(), Collections.min(seconds), Collections.max(seconds));
    }
  }

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    String startedBy = args.length > 1 ? args[1] : "make plugin-bench";
    if (!Files.isExecutable(LAUNCHER) || !Files.exists(ARCHIVE)) {
      throw new IllegalStateException("no " + LAUNCHER + " with its archive: run make plugin");
    }
    Instant began = Instant.now();
    try (KubeControlPlane kube = KubeControlPlane.start();
        KubernetesClient client = kube.newClient()) {
      Crds.installReleaseCrd(client);
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata()
          .withName(NAMESPACE).endMetadata().build()).serverSideApply();
      String name = releaseWithThreeFleets(client);
      Path kubeconfig = Files.createTempFile("kubeconfig-startup", ".yaml");
      Files.writeString(kubeconfig, kube.kubeConfigYaml());
      List<String> get = List.of(LAUNCHER.toAbsolutePath().toString(), "get", name, "-n",
          NAMESPACE);
      String shown = "kubectl cutover get " + name + " -n " + NAMESPACE;

      Path aside = ARCHIVE.resolveSibling("kubectl-cutover.jsa.aside");
      Files.move(ARCHIVE, aside, StandardCopyOption.REPLACE_EXISTING);
      Timings cold;
      try {
        cold = time(shown, "without the archive (cold)", get, kubeconfig, runs);
      } finally {
        Files.move(aside, ARCHIVE, StandardCopyOption.REPLACE_EXISTING);
      }
      Timings warm = time(shown, "with the archive (warm)", get, kubeconfig, runs);
      Path kubectl = kubectlBinary();
      Timings yardstick = time("kubectl get release " + name + " -n " + NAMESPACE,
          "kubectl itself (Go), for scale", List.of(kubectl.toString(), "get", "release",
              name, "-n", NAMESPACE), kubeconfig, runs);
      Files.deleteIfExists(kubeconfig);
      write(List.of(cold, warm, yardstick), runs, startedBy, began, kube);
    }
  }

  /** Creates the Release of the training run (with its status) and two Events. */
  private static String releaseWithThreeFleets(KubernetesClient client) throws IOException {
    Release sample;
    try (InputStream in = Release.class.getClassLoader()
        .getResourceAsStream("dev/cutover/plugin/rehearsal-release.json")) {
      sample = Serialization.unmarshal(new String(in.readAllBytes(), StandardCharsets.UTF_8),
          Release.class);
    }
    var status = sample.getStatus();
    sample.setStatus(null);
    sample.getMetadata().setNamespace(NAMESPACE);
    sample.getMetadata().setResourceVersion(null);
    sample.getMetadata().setUid(null);
    sample.getMetadata().setGeneration(null);
    sample.getMetadata().setCreationTimestamp(null);
    sample.getMetadata().setManagedFields(null);
    Release created = client.resources(Release.class).inNamespace(NAMESPACE).resource(sample)
        .create();
    status.observedGeneration = created.getMetadata().getGeneration();
    created.setStatus(status);
    client.resources(Release.class).inNamespace(NAMESPACE).resource(created).updateStatus();
    String name = created.getMetadata().getName();
    for (String reason : List.of("Launched", "AwaitingPromotion")) {
      String now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
      client.v1().events().inNamespace(NAMESPACE).resource(new EventBuilder().withNewMetadata()
          .withGenerateName(name + ".").endMetadata().withNewInvolvedObject()
          .withApiVersion("cutover.dev/v1alpha1").withKind("Release").withName(name)
          .withNamespace(NAMESPACE).endInvolvedObject().withType("Normal").withReason(reason)
          .withMessage(reason + " (a start-up measurement).").withFirstTimestamp(now)
          .withLastTimestamp(now).withCount(1).build()).create();
    }
    return name;
  }

  /** One run not counted, then {@code runs} counted: from process start to its exit. */
  private static Timings time(String shown, String setting, List<String> command,
      Path kubeconfig, int runs) throws IOException, InterruptedException {
    List<Double> seconds = new ArrayList<>();
    for (int i = 0; i <= runs; i++) {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().put("KUBECONFIG", kubeconfig.toString());
      long start = System.nanoTime();
      Process process = builder.start();
      String output = new String(process.getInputStream().readAllBytes(),
          StandardCharsets.UTF_8);
      int exit = process.waitFor();
      long took = System.nanoTime() - start;
      if (exit != 0 || !output.contains("storefront")) {
        throw new IllegalStateException(String.join(" ", command) + " exited " + exit + ": "
            + output);
      }
      if (i > 0) {
        seconds.add(took / 1e9);
      }
    }
    return new Timings(shown, setting, seconds);
  }

  private static Path kubectlBinary() throws IOException {
    Path k8s = Path.of(System.getenv().getOrDefault("KUBE_API_TEST_DIR",
        System.getProperty("user.home") + "/.cache/cutover/kubeapitest"), "k8s");
    try (var dirs = Files.list(k8s)) {
      return dirs.map(d -> d.resolve("kubectl")).filter(Files::isExecutable).sorted()
          .reduce((a, b) -> b).orElseThrow(() -> new IllegalStateException("no kubectl in "
              + k8s + ": make tools-kube"));
    }
  }

  private static void write(List<Timings> timings, int runs, String startedBy, Instant began,
      KubeControlPlane kube) throws IOException {
    String server;
    try (KubernetesClient client = kube.newClient()) {
      server = client.getKubernetesVersion().getGitVersion();
    }
    StringBuilder doc = new StringBuilder();
    doc.append("# kubectl cutover: start-up\n\n")
        .append("Measured by `").append(startedBy).append("` on ")
        .append(began.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)).append(", in ")
        .append(Duration.between(began, Instant.now()).toSeconds()).append(" s.\n\n")
        .append("- Machine: ").append(Runtime.getRuntime().availableProcessors())
        .append(" cores, Java ").append(System.getProperty("java.version")).append(".\n")
        .append("- API server: a real kube-apiserver ").append(server)
        .append(" with etcd on loopback, over TLS, holding one Release with an active, a ")
        .append("retained and a staging fleet, and two Events.\n")
        .append("- Each figure is the whole process, from its start to its exit (wall clock), ")
        .append("over ").append(runs).append(" runs after one that is not counted.\n")
        .append("- The launcher is `operator/target/kubectl-cutover` as `make plugin` writes ")
        .append("it: `-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto`, the plugin's ")
        .append("jars only, and the class-data archive recorded from its training run ")
        .append("(`-XX:SharedArchiveFile`); cold is the same launcher with the archive moved ")
        .append("away.\n\n")
        .append("| command | | median | min | max |\n|---|---|---|---|---|\n");
    timings.forEach(t -> doc.append(t.row()).append('\n'));
    doc.append("\nReproduce: `make plugin-bench` (`PLUGIN_BENCH_RUNS=").append(runs)
        .append("` by default). The runner is ")
        .append("`operator/src/bench/java/dev/cutover/bench/PluginStartup.java`.\n");
    Files.writeString(DOC, doc.toString());
    System.out.print(doc);
  }
}
