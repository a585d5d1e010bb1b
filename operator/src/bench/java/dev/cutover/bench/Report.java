package dev.cutover.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows of one run, in sections, and docs/BENCHMARKS.md written from them: nothing in that
 * file is typed by hand.
 */
public final class Report {

  private final Map<String, List<Row>> sections = new LinkedHashMap<>();
  private final List<String> notes = new ArrayList<>();

  public void add(String section, Row row) {
    sections.computeIfAbsent(section, k -> new ArrayList<>()).add(row);
    System.out.printf("[bench] %s %s: %s [%s]%n", row.id(), row.what(), row.measured(),
        row.verdict());
  }

  /** A sentence under the table (a measured fact the rows refer to). */
  public void note(String note) {
    notes.add(note);
    System.out.println("[bench] note: " + note);
  }

  public List<Row> rows() {
    return new java.util.TreeMap<>(sections).values().stream().flatMap(List::stream).toList();
  }

  public String table() {
    StringBuilder t = new StringBuilder();
    // In the order of their numbers, whatever order they ran in.
    new java.util.TreeMap<>(sections).forEach((section, rows) -> {
      t.append("\n### ").append(section).append("\n\n")
          .append("| # | case | method | measured | target | |\n")
          .append("|---|---|---|---|---|---|\n");
      rows.forEach(r -> t.append("| ").append(String.join(" | ", cell(r.id()), cell(r.what()),
          cell(r.method()), cell(r.measured()), cell(r.target().isEmpty() ? "—" : r.target()),
          cell(r.verdict()))).append(" |\n"));
    });
    return t.toString();
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }

  public void write(Path file, Sizes sizes, String environment, Duration took)
      throws IOException {
    long missed = rows().stream().filter(r -> Boolean.FALSE.equals(r.met())).count();
    long judged = rows().stream().filter(r -> r.met() != null).count();
    StringBuilder doc = new StringBuilder("# Benchmarks\n\n")
        .append("Written by `").append(sizes.command()).append("` on ")
        .append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append("; the run took ")
        .append(minutesAndSeconds(took)).append(". ").append(sizes.describe()).append("\n\n")
        .append(environment).append("\n\n")
        .append("Targets: ").append(judged - missed).append(" of ").append(judged)
        .append(" met").append(missed == 0 ? "." : "; each missed one names its measured cause.")
        .append("\n")
        .append(table());
    if (!notes.isEmpty()) {
      doc.append("\n");
      notes.forEach(n -> doc.append("- ").append(n).append("\n"));
    }
    doc.append("\nReproduce: `make bench` (quick sizes, a few minutes) or `BENCH=full make bench`."
        + " The runner is `operator/src/bench/java/dev/cutover/bench/` (BenchmarkRunner and one"
        + " class per family of cases); nothing in this file is edited by hand.\n");
    Files.createDirectories(file.getParent());
    Files.writeString(file, doc.toString());
  }

  static String minutesAndSeconds(Duration d) {
    long s = d.toSeconds();
    return s < 60 ? s + " s" : s / 60 + " min " + s % 60 + " s";
  }
}
