package dev.cutover;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages follow the pipeline: each may use only the packages below it. A package that
 * climbs (observe using act, decide building EC2 requests) fails the build with the line that
 * does it.
 */
class PipelineImportsTest {

  /** What each package of dev.cutover may use; the root package (wiring) may use all. */
  static final Map<String, Set<String>> ALLOWED = Map.of(
      "api", Set.of(),
      "ec2", Set.of("api"),
      "observe", Set.of("api", "ec2"),
      "decide", Set.of("api", "ec2", "observe"),
      "act", Set.of("api", "ec2", "observe", "decide"),
      "status", Set.of("api", "ec2", "observe", "decide"),
      // kubectl cutover: the Kubernetes client and the typed model, nothing of the pipeline.
      "plugin", Set.of("api"));

  static final Pattern USE = Pattern.compile("\\bdev\\.cutover\\.([a-z]+)\\.[A-Z]");
  static final Path MAIN = Path.of("src", "main", "java", "dev", "cutover");

  @Test
  void everyPackageUsesOnlyThePackagesBelowIt() throws IOException {
    assertThat(violations(MAIN)).isEmpty();
  }

  @Test
  void aClimbingUseIsFound() {
    assertThat(violationsIn("observe", "observe/Ec2Inventory.java",
        "import dev.cutover.act.PlanExecutor;")).hasSize(1);
    assertThat(violationsIn("decide", "decide/Launches.java",
        "import dev.cutover.ec2.ManagedInstance;")).isEmpty();
  }

  @Test
  void everyPackageIsNamedInTheRules() throws IOException {
    try (Stream<Path> dirs = Files.list(MAIN)) {
      List<String> packages = dirs.filter(Files::isDirectory)
          .map(p -> p.getFileName().toString()).toList();
      assertThat(ALLOWED.keySet()).containsExactlyInAnyOrderElementsOf(packages);
    }
  }

  static List<String> violations(Path root) throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Path relative = root.relativize(file);
        if (relative.getNameCount() < 2) {
          continue; // the root package wires everything
        }
        found.addAll(violationsIn(relative.getName(0).toString(), relative.toString(),
            Files.readString(file)));
      }
    }
    return found;
  }

  static List<String> violationsIn(String pkg, String file, String source) {
    List<String> found = new ArrayList<>();
    String[] lines = source.split("\n");
    for (int n = 0; n < lines.length; n++) {
      Matcher m = USE.matcher(lines[n]);
      while (m.find()) {
        String used = m.group(1);
        if (!used.equals(pkg) && !ALLOWED.get(pkg).contains(used)) {
          found.add(file + ":" + (n + 1) + ": " + pkg + " uses " + used + ": "
              + lines[n].trim());
        }
      }
    }
    return found;
  }
}
