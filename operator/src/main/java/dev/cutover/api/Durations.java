package dev.cutover.api;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The duration format of the API: Kubernetes style, e.g. "500ms", "90s", "15m", "1h30m". */
public final class Durations {

  /** CEL that accepts the format; each field adds its own bounds with duration(self). */
  public static final String RULE = "self.matches('^([0-9]+(ms|s|m|h))+$')";

  private Durations() {}

  private static final Pattern PART = Pattern.compile("([0-9]+)(ms|s|m|h)");

  /** Parses a duration of the API, as the CRD validates it; null or blank gives the fallback. */
  public static Duration parse(String text, Duration fallback) {
    if (text == null || text.isBlank()) {
      return fallback;
    }
    Matcher m = PART.matcher(text);
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) {
        throw new IllegalArgumentException("not a duration: " + text);
      }
      long n = Long.parseLong(m.group(1));
      total = total.plus(switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      });
      end = m.end();
    }
    if (end != text.length()) {
      throw new IllegalArgumentException("not a duration: " + text);
    }
    return total;
  }

  /** "2h", "15m", "90s" as people write them. */
  public static String format(Duration d) {
    if (d.toMillis() % 3_600_000 == 0 && !d.isZero()) {
      return d.toHours() + "h";
    }
    if (d.toMillis() % 60_000 == 0 && !d.isZero()) {
      return d.toMinutes() + "m";
    }
    if (d.toMillis() % 1000 == 0) {
      return d.toSeconds() + "s";
    }
    return d.toMillis() + "ms";
  }
}

