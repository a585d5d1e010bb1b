package dev.cutover.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape of an operator's /metrics, and its samples read by name and labels. */
final class PrometheusText {

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  private final String text;

  private PrometheusText(String text) {
    this.text = text;
  }

  static PrometheusText scrape(int port) {
    try {
      return new PrometheusText(HTTP.send(HttpRequest.newBuilder(URI.create(
              "http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString()).body());
    } catch (IOException e) {
      throw new IllegalStateException("no /metrics on port " + port + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The sum of the samples of {@code name} whose labels contain every {@code label="value"}
   * given (in any order); empty when no sample matches.
   */
  OptionalDouble sum(String name, String... labels) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+|NaN)$")
        .matcher(text);
    double sum = 0;
    boolean found = false;
    while (m.find()) {
      String set = m.group(1) == null ? "" : m.group(1);
      boolean all = true;
      for (String label : labels) {
        all &= set.contains(label);
      }
      if (all && !m.group(2).equals("NaN")) {
        sum += Double.parseDouble(m.group(2));
        found = true;
      }
    }
    return found ? OptionalDouble.of(sum) : OptionalDouble.empty();
  }

  double require(String name, String... labels) {
    return sum(name, labels).orElseThrow(() -> new IllegalStateException("no sample "
        + name + " " + String.join(",", labels)));
  }

  /** A label's values that occur on {@code name}, e.g. the phases of a timer. */
  java.util.Set<String> labelValues(String name, String label) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*" + Pattern.quote(label)
        + "=\"([^\"]*)\"").matcher(text);
    java.util.Set<String> values = new java.util.TreeSet<>();
    while (m.find()) {
      values.add(m.group(1));
    }
    return values;
  }

  Optional<String> raw() {
    return Optional.of(text);
  }
}
