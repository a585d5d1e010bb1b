package dev.cutover.reliability;

import dev.cutover.api.Release;
import dev.cutover.testworld.Ec2Proxy;
import dev.cutover.testworld.OperatorProcess;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.ReleaseOps;
import dev.cutover.testworld.TestWorld;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * JVM options that let each operator process of the suite start in about half the time on a
 * small machine (the suite starts 25 or more): the C1 compiler only, the serial collector, and
 * an AppCDS archive of the classes the operator loads, dumped once per test class by a warm-up
 * process that brings one Release live and is then stopped with SIGTERM (the archive is written
 * at a normal exit). They change how fast the JVM starts, not what the jar does.
 * {@code -Dcutover.reliability.fastStart=false} runs the operators with no options instead.
 */
final class FastStart {

  static final boolean ENABLED = !"false".equals(
      System.getProperty("cutover.reliability.fastStart"));
  private static final String BASE = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

  private static String options = "";
  private static long warmUpMillis = -1;

  private FastStart() {}

  /** JAVA_TOOL_OPTIONS for the operator processes; empty for none. */
  static String options() {
    return options;
  }

  /** How long the warm-up took, -1 when there was none. */
  static long warmUpMillis() {
    return warmUpMillis;
  }

  /** Dumps the class archive with a warm-up operator reached through {@code proxy}. */
  static void prepare(Ec2Proxy proxy) {
    if (!ENABLED) {
      return;
    }
    options = BASE;
    long started = System.nanoTime();
    Path archive = Path.of("target", "reliability-cds.jsa").toAbsolutePath();
    KubernetesClient client = TestWorld.client();
    Ec2Client ec2 = TestWorld.ec2();
    String namespace = "rel-warmup-" + Long.toHexString(System.nanoTime()).substring(8);
    Process process = null;
    try {
      Files.deleteIfExists(archive);
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata()
          .withName(namespace).endMetadata().build()).serverSideApply();
      Path kubeconfig = Files.createTempFile("warmup-kubeconfig", ".yaml");
      kubeconfig.toFile().deleteOnExit();
      Files.writeString(kubeconfig, TestWorld.kube().kubeConfigYaml());
      ProcessBuilder builder = new ProcessBuilder("java", "-XX:ArchiveClassesAtExit=" + archive,
          "-Xmx256m", "-jar", OperatorProcess.jar().toString())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(
              Path.of("target", "reliability-warmup.log").toFile()));
      builder.environment().putAll(java.util.Map.of("KUBECONFIG", kubeconfig.toString(),
          "CUTOVER_EC2_ENDPOINT", proxy.endpoint().toString(),
          "AWS_REGION", TestWorld.REGION.id(), "AWS_ACCESS_KEY_ID", "testing",
          "AWS_SECRET_ACCESS_KEY", "testing", "CUTOVER_HEALTH_PORT", "0",
          "CUTOVER_POLL_INTERVAL", "1s", "CUTOVER_NAMESPACES", namespace,
          "HOSTNAME", "warmup", "JAVA_TOOL_OPTIONS", BASE));
      process = builder.start();

      Release r = ReleaseBuilder.named("shop").version("1.0.0").fleetSize(1)
          .subnet(ec2.describeSubnets().subnets().get(0).subnetId())
          .elasticIp(ec2.allocateAddress(a -> a.domain("vpc")).allocationId())
          .previousFleetTTL("10m").build();
      client.resources(Release.class).inNamespace(namespace).resource(r).create();
      ReleaseOps.await(client, namespace, "shop", x -> ReleaseOps.live(x, "1.0.0"));

      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      if (Files.isRegularFile(archive) && Files.size(archive) > 0) {
        options = BASE + " -XX:SharedArchiveFile=" + archive;
      }
    } catch (IOException | RuntimeException e) {
      System.out.println("fast start: no class archive (" + e + "); operators start with "
          + BASE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (process != null && process.isAlive()) {
        process.destroyForcibly();
      }
      var releases = client.resources(Release.class).inNamespace(namespace);
      for (Release r : releases.list().getItems()) {
        releases.withName(r.getMetadata().getName()).edit(x -> {
          x.getMetadata().setFinalizers(List.of());
          return x;
        });
        releases.withName(r.getMetadata().getName()).delete();
      }
      warmUpMillis = (System.nanoTime() - started) / 1_000_000;
    }
    System.out.println("fast start: operators run with JAVA_TOOL_OPTIONS=" + options
        + " (warm-up " + warmUpMillis + " ms)");
  }
}
