package dev.cutover.reliability;

import dev.cutover.testworld.Ec2Proxy;
import dev.cutover.testworld.Ec2World;
import dev.cutover.testworld.Namespaces;
import dev.cutover.testworld.OperatorProcess;
import dev.cutover.testworld.Operators;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.ReleaseOps;
import dev.cutover.testworld.TestWorld;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

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
    ReleaseOps releases = null;
    Process process = null;
    try {
      Files.deleteIfExists(archive);
      releases = ReleaseOps.in(Namespaces.fresh("rel-warmup"));
      Path kubeconfig = Files.createTempFile("warmup-kubeconfig", ".yaml");
      kubeconfig.toFile().deleteOnExit();
      Files.writeString(kubeconfig, TestWorld.kube().kubeConfigYaml());
      ProcessBuilder builder = new ProcessBuilder("java", "-XX:ArchiveClassesAtExit=" + archive,
          "-Xmx256m", "-jar", OperatorProcess.jar().toString())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(
              Path.of("target", "reliability-warmup.log").toFile()));
      builder.environment().putAll(Operators.settings(java.util.Map.of(
          "KUBECONFIG", kubeconfig.toString(), "CUTOVER_EC2_ENDPOINT", proxy.endpoint().toString(),
          "AWS_REGION", TestWorld.REGION.id(), "AWS_ACCESS_KEY_ID", "testing",
          "AWS_SECRET_ACCESS_KEY", "testing", "CUTOVER_HEALTH_PORT", "0",
          "CUTOVER_NAMESPACES", releases.namespace(), "HOSTNAME", "warmup",
          "JAVA_TOOL_OPTIONS", BASE)));
      process = builder.start();

      releases.create(ReleaseBuilder.named("shop").version("1.0.0").fleetSize(1)
          .network(new Ec2World(TestWorld.ec2()).defaultNetwork()).previousFleetTTL("10m")
          .build());
      releases.awaitLive("shop", "1.0.0");

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
      if (releases != null) {
        releases.removeAll();
      }
      warmUpMillis = (System.nanoTime() - started) / 1_000_000;
    }
    System.out.println("fast start: operators run with JAVA_TOOL_OPTIONS=" + options
        + " (warm-up " + warmUpMillis + " ms)");
  }
}
