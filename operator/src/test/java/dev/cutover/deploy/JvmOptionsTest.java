package dev.cutover.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Quantity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The operator's JVM flags live in one file, helm/cutover/jvm.options, and everything that
 * starts the operator reads that file: the image (Dockerfile and Jib copy it and point
 * JDK_JAVA_OPTIONS at it), deploy/base (through the image), `make run` and the demo. The flags
 * are ones this JDK accepts, and with the chart's memory limit they give the heap they promise.
 * (What the chart renders from the file: DeploymentArtifactsIT, with helm.)
 */
class JvmOptionsTest {

  static final Path OPTIONS = Path.of("../helm/cutover/jvm.options");
  static final String IN_IMAGE = "/opt/cutover/jvm.options";

  /** The flags of the file, comments dropped, in order. */
  static List<String> flags() throws IOException {
    List<String> flags = new ArrayList<>();
    for (String line : Files.readAllLines(OPTIONS)) {
      String flag = line.replaceFirst("#.*$", "").trim();
      if (!flag.isEmpty()) {
        flags.addAll(Arrays.asList(flag.split("\\s+")));
      }
    }
    return flags;
  }

  /** The chart's default memory limit, in bytes. */
  static long chartMemoryLimit() throws IOException {
    JsonNode values = new ObjectMapper(new YAMLFactory()).readTree(
        Path.of("../helm/cutover/values.yaml").toFile());
    return Quantity.getAmountInBytes(new Quantity(
        values.path("resources").path("limits").path("memory").asText())).longValueExact();
  }

  /** The final values of the JVM's flags when started with the file on a machine of ram. */
  static Map<String, String> finalFlags(long ram) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(java, "@" + OPTIONS, "-XX:MaxRAM=" + ram,
        "-XX:+PrintFlagsFinal", "-version").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("java with the flags of jvm.options:\n" + out).isZero();
    Map<String, String> values = new HashMap<>();
    Matcher m = Pattern.compile("^\\s*\\S+\\s+(\\w+)\\s+:?=\\s+(\\S+)", Pattern.MULTILINE)
        .matcher(out);
    while (m.find()) {
      values.put(m.group(1), m.group(2));
    }
    return values;
  }

  @Test
  void theFlagsAreAcceptedAndSizeTheHeapFromTheChartsMemoryLimit() throws Exception {
    assertThat(flags()).containsExactly("-XX:MaxRAMPercentage=60",
        "-XX:InitialRAMPercentage=10", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError");
    long limit = chartMemoryLimit();
    assertThat(limit).isEqualTo(512L * 1024 * 1024);

    Map<String, String> jvm = finalFlags(limit);
    long heap = Long.parseLong(jvm.get("MaxHeapSize"));
    assertThat((double) heap / limit).as("the heap's share of the limit").isBetween(0.59, 0.61);
    assertThat(limit - heap).as("left for metaspace, code, threads and the collector")
        .isGreaterThanOrEqualTo(200L * 1024 * 1024);
    assertThat(jvm).containsEntry("UseSerialGC", "true")
        .containsEntry("ExitOnOutOfMemoryError", "true");

    // A limit raised past what the JVM calls a small machine keeps the serial collector.
    assertThat(finalFlags(4L * 1024 * 1024 * 1024)).containsEntry("UseSerialGC", "true")
        .containsEntry("UseG1GC", "false");
  }

  @Test
  void theImageCarriesTheFileAndReadsItThroughJdkJavaOptions() throws IOException {
    String dockerfile = Files.readString(Path.of("../Dockerfile"));
    assertThat(dockerfile).contains("COPY helm/cutover/jvm.options " + IN_IMAGE,
        "ENV JDK_JAVA_OPTIONS=@" + IN_IMAGE);
    assertThat(entrypoint(dockerfile)).as("no flag on the command line, where it would win "
        + "over JDK_JAVA_OPTIONS set by the chart").doesNotContain("-XX", "-Xm");

    String pom = Files.readString(Path.of("pom.xml"));
    assertThat(pom).contains("<JDK_JAVA_OPTIONS>@" + IN_IMAGE + "</JDK_JAVA_OPTIONS>",
        "<from>${project.basedir}/../helm/cutover</from>", "<into>/opt/cutover</into>",
        "<includes>jvm.options</includes>").doesNotContain("<jvmFlag>");
  }

  @Test
  void deployBaseMakeRunAndTheDemoUseTheSameFile() throws IOException {
    String base = Files.readString(Path.of("../deploy/base/deployment.yaml"));
    JsonNode deployment = new ObjectMapper(new YAMLFactory()).readTree(base);
    List<String> env = new ArrayList<>();
    deployment.at("/spec/template/spec/containers/0/env").forEach(e -> env.add(
        e.path("name").asText()));
    assertThat(env).as("the image's flags, not a copy").isNotEmpty()
        .doesNotContain("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS");
    assertThat(base).doesNotContain("-XX:");
    String baseLimit = deployment.at("/spec/template/spec/containers/0/resources/limits/memory")
        .asText();
    assertThat(Quantity.getAmountInBytes(new Quantity(baseLimit)).longValueExact())
        .as("the limit the flags are chosen for, as in the chart").isEqualTo(chartMemoryLimit());

    assertThat(Files.readString(Path.of("../Makefile")))
        .contains("java @helm/cutover/jvm.options -jar");
    assertThat(Files.readString(Path.of("../hack/demo.sh")))
        .contains("java @helm/cutover/jvm.options -jar");
  }

  private static String entrypoint(String dockerfile) {
    return dockerfile.lines().filter(l -> l.startsWith("ENTRYPOINT")).findFirst().orElseThrow();
  }
}
