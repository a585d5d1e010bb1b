package dev.cutover.observe;

import dev.cutover.ec2.Ec2Gateway;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * The two CloudWatch reads metric checks make (DescribeAlarms, GetMetricData), in CloudWatch's
 * query protocol (form-encoded POST, XML answer, SigV4), in the Release's account and region with
 * the credentials of its EC2 gateway. The query protocol rather than the AWS SDK's CloudWatch
 * client: that client speaks Smithy RPCv2 only, which emulators such as moto do not serve, and
 * CloudWatch answers both.
 */
public final class CloudWatchReader {

  /** The CloudWatch API version of the query protocol. */
  private static final String VERSION = "2010-08-01";
  /** Headers java.net.http sets itself and refuses from callers. */
  private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection",
      "expect", "upgrade");

  private final HttpClient http;
  private final Duration timeout;

  public CloudWatchReader(HttpClient http, Duration timeout) {
    this.http = http;
    this.timeout = timeout;
  }

  /** The state of an alarm (OK, ALARM, INSUFFICIENT_DATA), or null when there is none. */
  String alarmState(Ec2Gateway gateway, String alarmName) throws Exception {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("AlarmNames.member.1", alarmName);
    Document answer = call(gateway, "DescribeAlarms", form);
    NodeList states = answer.getElementsByTagName("StateValue");
    return states.getLength() == 0 ? null : states.item(0).getTextContent().trim();
  }

  /** The newest values of one statistic of one metric, newest first. */
  List<Double> latest(Ec2Gateway gateway, String namespace, String metricName,
      Map<String, String> dimensions, String statistic, Duration period, Instant now)
      throws Exception {
    Map<String, String> form = new LinkedHashMap<>();
    String q = "MetricDataQueries.member.1.";
    form.put(q + "Id", "m1");
    form.put(q + "MetricStat.Metric.Namespace", namespace);
    form.put(q + "MetricStat.Metric.MetricName", metricName);
    int n = 1;
    for (Map.Entry<String, String> d : dimensions.entrySet()) {
      form.put(q + "MetricStat.Metric.Dimensions.member." + n + ".Name", d.getKey());
      form.put(q + "MetricStat.Metric.Dimensions.member." + n + ".Value", d.getValue());
      n++;
    }
    form.put(q + "MetricStat.Period", String.valueOf(period.toSeconds()));
    form.put(q + "MetricStat.Stat", statistic);
    form.put("StartTime", now.minus(period.multipliedBy(5)).toString());
    form.put("EndTime", now.toString());
    form.put("ScanBy", "TimestampDescending");
    Document answer = call(gateway, "GetMetricData", form);
    List<Double> values = new ArrayList<>();
    NodeList lists = answer.getElementsByTagName("Values");
    if (lists.getLength() > 0) {
      NodeList members = ((Element) lists.item(0)).getElementsByTagName("member");
      for (int i = 0; i < members.getLength(); i++) {
        values.add(Double.parseDouble(members.item(i).getTextContent().trim()));
      }
    }
    return values;
  }

  /**
   * One call of the query protocol (the two reads above; the tests also set alarms up with it).
   */
  public Document call(Ec2Gateway gateway, String action, Map<String, String> params)
      throws Exception {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("Action", action);
    form.put("Version", VERSION);
    form.putAll(params);
    String body = form.entrySet().stream().map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
        .collect(Collectors.joining("&"));
    URI endpoint = gateway.endpoint().orElse(URI.create("https://monitoring."
        + gateway.region().id() + ".amazonaws.com"));
    SdkHttpFullRequest unsigned = SdkHttpFullRequest.builder().method(SdkHttpMethod.POST)
        .uri(endpoint.resolve("/"))
        .putHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8").build();
    AwsCredentialsIdentity credentials = gateway.credentials().resolveIdentity().join();
    SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r.identity(credentials)
        .request(unsigned).payload(ContentStreamProvider.fromUtf8String(body))
        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "monitoring")
        .putProperty(AwsV4HttpSigner.REGION_NAME, gateway.region().id()));
    HttpRequest.Builder request = HttpRequest.newBuilder(signed.request().getUri())
        .timeout(timeout).POST(HttpRequest.BodyPublishers.ofString(body));
    signed.request().forEachHeader((name, values) -> {
      if (!RESTRICTED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
        values.forEach(v -> request.header(name, v));
      }
    });
    HttpResponse<byte[]> response = http.send(request.build(),
        HttpResponse.BodyHandlers.ofByteArray());
    Document xml = parse(response.body());
    if (response.statusCode() / 100 != 2) {
      NodeList code = xml == null ? null : xml.getElementsByTagName("Code");
      throw new IllegalStateException("CloudWatch " + action + " answered "
          + response.statusCode() + (code != null && code.getLength() > 0
              ? " " + code.item(0).getTextContent() : ""));
    }
    return xml;
  }

  private static Document parse(byte[] body) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      return factory.newDocumentBuilder().parse(new ByteArrayInputStream(body));
    } catch (Exception e) {
      return null;
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
