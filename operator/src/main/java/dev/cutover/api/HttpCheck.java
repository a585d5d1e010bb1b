package dev.cutover.api;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** An HTTP GET sent to each instance until it answers as expected often enough in a row. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HttpCheck {

  /** Which address of an instance the check is sent to. */
  public enum Address { Private, Public, Preview }

  public static final String DEFAULT_PORT = "80";
  public static final String DEFAULT_PATH = "/";
  public static final String DEFAULT_EXPECT_STATUS = "200";
  public static final String DEFAULT_TIMEOUT = "2s";
  public static final String DEFAULT_INTERVAL = "5s";
  public static final String DEFAULT_SUCCESS_THRESHOLD = "3";

  /**
   * The paths a check may request: an absolute URI path with an optional query (RFC 3986
   * characters and %XX escapes, ASCII only, no fragment). Every such path makes a URI that
   * java.net.URI and the HTTP client accept. The CRD and {@link #problem()} use the same pattern.
   */
  public static final String PATH_PATTERN = "^/([A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2})*"
      + "([?]([A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*)?$";
  static final String PATH_MESSAGE = "path must start with / and be a URI path such as /healthz "
      + "or /status?full=1: letters, digits, - . _ ~ ! $ & ' ( ) * + , ; = : @ / and %XX "
      + "escapes, no spaces or #";
  private static final java.util.regex.Pattern PATH = java.util.regex.Pattern.compile(
      PATH_PATTERN);

  @Default(DEFAULT_PORT)
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("TCP port. Default 80.")
  public Integer port;

  @Default(DEFAULT_PATH)
  @Size(max = 1024)
  @ValidationRule(value = "self.matches(\"" + PATH_PATTERN + "\")", message = PATH_MESSAGE)
  @JsonPropertyDescription("Request path, starting with /, optionally with a query, e.g. "
      + "/healthz or /status?full=1 (percent-encode spaces and other characters). Default /.")
  public String path;

  @Default(DEFAULT_EXPECT_STATUS)
  @Min(100)
  @Max(599)
  @JsonPropertyDescription("HTTP status an answer must have to count as a success. Default 200.")
  public Integer expectStatus;

  @Default(DEFAULT_TIMEOUT)
  @Size(max = 32)
  @ValidationRule(value = Durations.RULE + " && duration(self) > duration('0s')"
      + " && duration(self) <= duration('60s')",
      message = "timeout must be a duration such as 500ms or 2s, more than 0s and at most 60s")
  @JsonPropertyDescription("Time allowed for one request. Default 2s.")
  public String timeout;

  @Default(DEFAULT_INTERVAL)
  @Size(max = 32)
  @ValidationRule(value = Durations.RULE + " && duration(self) > duration('0s')"
      + " && duration(self) <= duration('10m')",
      message = "interval must be a duration such as 5s, more than 0s and at most 10m")
  @JsonPropertyDescription("Time between two checks of one instance. Default 5s.")
  public String interval;

  @Default(DEFAULT_SUCCESS_THRESHOLD)
  @Min(1)
  @Max(100)
  @JsonPropertyDescription("Consecutive successes an instance needs to pass. Default 3.")
  public Integer successThreshold;

  @Default("Private")
  @JsonPropertyDescription("Address the check is sent to: Private (default) or Public, each "
      + "instance's own; or Preview: one check of the whole staging system through the preview "
      + "Elastic IP (spec.preview), sent to the entry instance it points at; after the switch, "
      + "which takes the preview off that instance, through the primary production address.")
  public Address address;

  public int portOrDefault() {
    return port == null ? Integer.parseInt(DEFAULT_PORT) : port;
  }

  public String pathOrDefault() {
    return path == null ? DEFAULT_PATH : path;
  }

  public int expectedStatus() {
    return expectStatus == null ? Integer.parseInt(DEFAULT_EXPECT_STATUS) : expectStatus;
  }

  public Duration timeoutLength() {
    return Durations.parse(timeout, Durations.parse(DEFAULT_TIMEOUT, null));
  }

  public Duration intervalLength() {
    return Durations.parse(interval, Durations.parse(DEFAULT_INTERVAL, null));
  }

  public int threshold() {
    return successThreshold == null ? Integer.parseInt(DEFAULT_SUCCESS_THRESHOLD)
        : successThreshold;
  }

  /** The same probe: a running probe is kept (with its results) only while this holds. */
  public boolean sameAs(HttpCheck other) {
    return other != null && Objects.equals(port, other.port) && Objects.equals(path, other.path)
        && Objects.equals(timeout, other.timeout) && Objects.equals(interval, other.interval)
        && Objects.equals(expectStatus, other.expectStatus)
        && Objects.equals(successThreshold, other.successThreshold) && address == other.address;
  }

  /**
   * Why this check cannot be run, or empty. The CRD refuses such checks; this guards what was
   * stored before a rule existed, so that a bad value is reported instead of thrown.
   */
  public Optional<String> problem() {
    if (path != null && !PATH.matcher(path).matches()) {
      return Optional.of(PATH_MESSAGE + " (got \"" + path + "\")");
    }
    return positive("timeout", timeout).or(() -> positive("interval", interval));
  }

  private static Optional<String> positive(String field, String value) {
    try {
      Duration d = Durations.parse(value, Duration.ofSeconds(1));
      return d.isZero() || d.isNegative()
          ? Optional.of(field + " must be more than 0s (got \"" + value + "\")")
          : Optional.empty();
    } catch (IllegalArgumentException | ArithmeticException e) {
      return Optional.of(field + " must be a duration such as 2s (got \"" + value + "\")");
    }
  }
}
