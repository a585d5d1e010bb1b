package dev.cutover.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A history in words, one line per step: what a failing invariant prints. Lines are written
 * only when printed (most histories pass), from values that do not change afterwards.
 */
final class Story {

  private record Line(Instant at, Supplier<String> text) {}

  private final Instant t0;
  private final List<Line> lines = new ArrayList<>();

  Story(Instant t0) {
    this.t0 = t0;
  }

  void add(Instant at, String text) {
    lines.add(new Line(at, () -> text));
  }

  void add(Instant at, Supplier<String> text) {
    lines.add(new Line(at, text));
  }

  /** A note under the last line (ground truth the harness derived). */
  void note(String text) {
    lines.add(new Line(null, () -> text));
  }

  String at(Instant instant) {
    Duration d = Duration.between(t0, instant);
    return (d.isNegative() ? "-" : "+") + duration(d.abs());
  }

  List<String> lines() {
    return lines.stream().map(l -> l.at() == null ? "        ↳ " + l.text().get()
        : "t=" + at(l.at()) + " " + l.text().get()).toList();
  }

  int size() {
    return lines.size();
  }

  String text() {
    return String.join("\n", lines());
  }

  static String duration(Duration d) {
    long ms = d.toMillis();
    long s = ms / 1000;
    long h = s / 3600;
    long m = s % 3600 / 60;
    String sec = String.format("%02d", s % 60);
    if (ms % 1000 != 0) {
      sec += String.format(".%03d", ms % 1000).replaceAll("0+$", "");
    }
    if (h > 0) {
      return h + "h" + String.format("%02dm", m) + sec + "s";
    }
    if (m > 0) {
      return m + "m" + sec + "s";
    }
    return (sec.startsWith("0") && sec.length() > 1 && sec.charAt(1) != '.' ? sec.substring(1)
        : sec) + "s";
  }

  /** The API's durations ("500ms", "90s", "15m", "1h30m"); the fallback when absent. */
  static Duration parse(String text, Duration fallback) {
    return dev.cutover.api.Durations.parse(text, fallback);
  }
}
