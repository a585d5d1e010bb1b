package dev.cutover.plugin;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Times as people read them in a terminal: "in 4m", "2m10s ago". */
final class Times {

  private Times() {}

  /** "in 4m" or "4m ago" (or "now"), from {@code now}; the RFC 3339 text as is if unreadable. */
  static String relative(String rfc3339, Instant now) {
    Instant at = parse(rfc3339);
    return at == null ? String.valueOf(rfc3339) : relative(at, now);
  }

  static String relative(Instant at, Instant now) {
    Duration d = Duration.between(now, at);
    if (d.abs().getSeconds() < 1) {
      return "now";
    }
    return d.isNegative() ? span(d.negated()) + " ago" : "in " + span(d);
  }

  /** "42s", "4m12s" (under 10 minutes), "34m", "1h58m", "3d4h". */
  static String span(Duration d) {
    long s = d.getSeconds();
    if (s < 60) {
      return s + "s";
    }
    if (s < 600) {
      return (s / 60) + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
    }
    if (s < 3600) {
      return (s / 60) + "m";
    }
    if (s < 86400) {
      return (s / 3600) + "h" + (s % 3600 / 60 == 0 ? "" : (s % 3600 / 60) + "m");
    }
    return (s / 86400) + "d" + (s % 86400 / 3600 == 0 ? "" : (s % 86400 / 3600) + "h");
  }

  static Instant parse(String rfc3339) {
    if (rfc3339 == null || rfc3339.isEmpty()) {
      return null;
    }
    try {
      return java.time.OffsetDateTime.parse(rfc3339).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
