package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.time.Duration;

/** The HTTP call that tells an instance to drain: one request to its private IP. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.port)",
    message = "drain.http.port is required: the port of the drain endpoint on each instance",
    fieldPath = ".port", reason = "FieldValueRequired")
@ValidationRule(value = "has(self.path)",
    message = "drain.http.path is required: the drain endpoint, e.g. /drain",
    fieldPath = ".path", reason = "FieldValueRequired")
public class DrainCall {

  /** The methods a drain call may use. */
  public enum Method { GET, POST, PUT, DELETE }

  public static final String DEFAULT_EXPECT_STATUS = "200";
  public static final String DEFAULT_REQUEST_TIMEOUT = "5s";

  @Default("POST")
  @JsonPropertyDescription("HTTP method: GET, POST (default), PUT or DELETE. No body is sent.")
  public Method method;

  @Size(max = 1024)
  @ValidationRule(value = "self.matches(\"" + HttpCheck.PATH_PATTERN + "\")",
      message = "drain.http." + HttpCheck.PATH_MESSAGE)
  @JsonPropertyDescription("Request path, starting with /, optionally with a query, e.g. "
      + "/drain or /admin/drain?grace=30. Required.")
  public String path;

  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("TCP port of the drain endpoint (1 to 65535). Required.")
  public Integer port;

  @Default(DEFAULT_EXPECT_STATUS)
  @Min(100)
  @Max(599)
  @JsonPropertyDescription("HTTP status that counts as an answer. Default 200. Any other "
      + "answer, or none, is reported; the instance still waits drain.timeout and is then "
      + "terminated.")
  public Integer expectStatus;

  @Default(DEFAULT_REQUEST_TIMEOUT)
  @Size(max = 32)
  @ValidationRule(value = Durations.RULE + " && duration(self) > duration('0s')"
      + " && duration(self) <= duration('60s')",
      message = "drain.http.requestTimeout must be a duration such as 500ms or 5s, more than 0s "
          + "and at most 60s")
  @JsonPropertyDescription("Time allowed for one call. Default 5s.")
  public String requestTimeout;

  public Method methodOrDefault() {
    return method == null ? Method.POST : method;
  }

  public int expectedStatus() {
    return expectStatus == null ? Integer.parseInt(DEFAULT_EXPECT_STATUS) : expectStatus;
  }

  public Duration requestTimeoutLength() {
    return Durations.parse(requestTimeout, Durations.parse(DEFAULT_REQUEST_TIMEOUT, null));
  }
}
