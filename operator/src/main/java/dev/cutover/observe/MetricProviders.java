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
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricAlarm;
import software.amazon.awssdk.services.cloudwatch.model.ScanBy;
import software.amazon.awssdk.services.cloudwatch.model.StateValue;

/**
 * One measurement of a metric check: an instant PromQL query (GET /api/v1/query), a CloudWatch
 * alarm's state (DescribeAlarms) or the latest period of a CloudWatch metric (GetMetricData).
 * CloudWatch is read in the Release's account and region, with the credentials of its EC2
 * gateway. A measurement never throws: what went wrong is its error.
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
  private final Map<Ec2Gateway, CloudWatchClient> cloudWatch = new ConcurrentHashMap<>();

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

  private Measurement cloudWatch(CloudWatchQuery q, MetricTarget target, Ec2Gateway gateway) {
    CloudWatchClient client = cloudWatch.computeIfAbsent(gateway, MetricProviders::clientLike);
    if (q.alarmName != null) {
      var alarms = client.describeAlarms(r -> r.alarmNames(q.alarmName)).metricAlarms();
      if (alarms.isEmpty()) {
        return Measurement.none("no alarm named " + q.alarmName);
      }
      MetricAlarm alarm = alarms.get(0);
      if (alarm.stateValue() == StateValue.ALARM) {
        return new Measurement(1.0, null, false);
      }
      if (alarm.stateValue() == StateValue.OK) {
        return new Measurement(0.0, null, true);
      }
      return Measurement.none("alarm " + q.alarmName + " is " + alarm.stateValueAsString());
    }
    Duration period = q.period == null ? Duration.ofSeconds(60)
        : dev.cutover.api.Durations.parse(q.period, Duration.ofSeconds(60));
    Instant now = clock.instant();
    var response = client.getMetricData(r -> r.startTime(now.minus(period.multipliedBy(5)))
        .endTime(now).scanBy(ScanBy.TIMESTAMP_DESCENDING).metricDataQueries(m -> m.id("m1")
            .metricStat(s -> s.period((int) period.toSeconds())
                .stat(q.statistic == null ? "Average" : q.statistic)
                .metric(metric -> metric.namespace(q.namespace).metricName(q.metricName)
                    .dimensions(q.dimensions == null ? java.util.List.of()
                        : q.dimensions.entrySet().stream().map(e -> Dimension.builder()
                            .name(e.getKey()).value(target.substitute(e.getValue())).build())
                        .toList())))));
    var values = response.metricDataResults().isEmpty() ? java.util.List.<Double>of()
        : response.metricDataResults().get(0).values();
    return values.isEmpty() ? Measurement.none("no data") : Measurement.of(values.get(0));
  }

  private static CloudWatchClient clientLike(Ec2Gateway gateway) {
    var builder = CloudWatchClient.builder().region(gateway.region())
        .credentialsProvider(gateway.credentials());
    gateway.endpoint().ifPresent(builder::endpointOverride);
    return builder.build();
  }

  @Override
  public void close() {
    cloudWatch.values().forEach(CloudWatchClient::close);
  }
}
