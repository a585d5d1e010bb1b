package dev.cutover.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM flags Cutover ships, from where the chart, the image and {@code make run} take them
 * (the launcher argument file helm/cutover/jvm.options, passed as {@code @file} the way
 * {@code make run} does), and the chart's memory limit, which a container would impose and
 * which a process here is given as {@code -XX:MaxRAM} instead (the flags size the heap from it).
 *
 * @param argumentFile the launcher argument file, if the flags come from one
 * @param source where the flags were read
 */
record ShippedJvm(List<String> flags, Optional<Path> argumentFile, String source,
    long memoryLimitMib) {

  static ShippedJvm read(Path repo) throws IOException {
    Path values = repo.resolve("helm/cutover/values.yaml");
    String chart = Files.readString(values);
    long limit = memoryLimitMib(chart);
    Path options = repo.resolve("helm/cutover/jvm.options");
    if (Files.exists(options)) {
      List<String> flags = new ArrayList<>();
      for (String line : Files.readAllLines(options)) {
        String flag = line.strip();
        if (!flag.isEmpty() && !flag.startsWith("#")) {
          flags.addAll(Arrays.asList(flag.split("\\s+")));
        }
      }
      return new ShippedJvm(List.copyOf(flags), Optional.of(options),
          "helm/cutover/jvm.options", limit);
    }
    Matcher m = Pattern.compile("(?m)^javaToolOptions:\\s*\"([^\"]*)\"").matcher(chart);
    if (!m.find()) {
      throw new IllegalStateException("no javaToolOptions in " + values);
    }
    return new ShippedJvm(List.of(m.group(1).trim().split("\\s+")), Optional.empty(),
        "helm/cutover/values.yaml javaToolOptions", limit);
  }

  /** resources.limits.memory of the chart, in MiB. */
  private static long memoryLimitMib(String chart) {
    Matcher m = Pattern.compile("(?s)resources:.*?limits:\\s*\\n\\s*memory:\\s*(\\d+)(Mi|Gi)")
        .matcher(chart);
    if (!m.find()) {
      throw new IllegalStateException("no resources.limits.memory in the chart's values");
    }
    long n = Long.parseLong(m.group(1));
    return m.group(2).equals("Gi") ? n * 1024 : n;
  }

  /** The flags a process here runs with: the shipped ones and the container's limit. */
  List<String> processFlags() {
    List<String> all = new ArrayList<>(argumentFile.map(f -> List.of("@" + f)).orElse(flags));
    all.add("-XX:MaxRAM=" + memoryLimitMib + "m");
    return all;
  }

  String describe() {
    return "`" + String.join(" ", flags) + "` (" + source + ") + `-XX:MaxRAM=" + memoryLimitMib
        + "m` for the chart's memory limit, which a container would impose";
  }
}
