package dev.cutover.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cutover.api.CloudWatchQuery;
import dev.cutover.api.MetricCheck;
import dev.cutover.ec2.Ec2Gateway;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One measurement of a metric check: an instant PromQL query (GET /api/v1/query), a CloudWatch
 * alarm's state (DescribeAlarms) or the latest period of a CloudWatch metric (GetMetricData),
 * see {@link CloudWatchReader}. A measurement never throws: what went wrong is its error.
 */
public class MetricProviders implements AutoCloseable {

  /** A value, or why there is none; {@code alarm} a CloudWatch alarm's verdict. */
  public record Measurement(Double value, String error, Boolean alarm) {
    static Measurement of(double value) {
      return new Measurement(value, null, null);
    }

    static Measurement none(String why) {
      return new Measurement(null, why, null);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final Clock clock;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
      .followRedirects(HttpClient.Redirect.NEVER).build();
  private final CloudWatchReader cloudWatch = new CloudWatchReader(http, TIMEOUT);

  public MetricProviders(Clock clock) {
    this.clock = clock;
  }

  public Measurement measure(MetricCheck check, MetricTarget target, Ec2Gateway gateway) {
    try {
      if (check.prometheus != null) {
        return prometheus(check.prometheus.url, target.substitute(check.prometheus.query));
      }
      return cloudWatch(check.cloudWatch, target, gateway);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Measurement.none("interrupted");
    } catch (Exception e) {
      return Measurement.none(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  private Measurement prometheus(String url, String query) throws Exception {
    URI uri = URI.create(url.replaceAll("/+$", "") + "/api/v1/query?query="
        + URLEncoder.encode(query, StandardCharsets.UTF_8));
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT)
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body = JSON.readTree(response.body());
    if (!"success".equals(body.path("status").asText())) {
      return Measurement.none("Prometheus " + response.statusCode() + ": "
          + body.path("errorType").asText("") + " " + body.path("error").asText(""));
    }
    JsonNode data = body.path("data");
    JsonNode result = data.path("result");
    JsonNode sample = switch (data.path("resultType").asText()) {
      case "vector" -> result.isEmpty() ? null : result.get(0).path("value");
      case "scalar" -> result;
      default -> null;
    };
    if (sample == null || sample.size() < 2) {
      return Measurement.none("no data");
    }
    double value = Double.parseDouble(sample.get(1).asText());
    return Double.isNaN(value) ? Measurement.none("NaN") : Measurement.of(value);
  }

  private Measurement cloudWatch(CloudWatchQuery q, MetricTarget target, Ec2Gateway gateway)
      throws Exception {
    if (q.alarmName != null) {
      String state = cloudWatch.alarmState(gateway, q.alarmName);
      if (state == null) {
        return Measurement.none("no alarm named " + q.alarmName);
      }
      return switch (state) {
        case "ALARM" -> new Measurement(1.0, null, false);
        case "OK" -> new Measurement(0.0, null, true);
        default -> Measurement.none("alarm " + q.alarmName + " is " + state);
      };
    }
    Duration period = q.period == null ? Duration.ofSeconds(60)
        : dev.cutover.api.Durations.parse(q.period, Duration.ofSeconds(60));
    Map<String, String> dimensions = new java.util.LinkedHashMap<>();
    if (q.dimensions != null) {
      q.dimensions.forEach((k, v) -> dimensions.put(k, target.substitute(v)));
    }
    List<Double> values = cloudWatch.latest(gateway, q.namespace, q.metricName, dimensions,
        q.statistic == null ? "Average" : q.statistic, period, clock.instant());
    return values.isEmpty() ? Measurement.none("no data") : Measurement.of(values.get(0));
  }

  @Override
  public void close() {
    // Nothing to release: the HTTP client closes with the JVM.
  }
}
