package dev.cutover.api;

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
  public enum Address { Private, Public }

  @Default("80")
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("TCP port. Default 80.")
  public Integer port;

  @Default("/")
  @Size(max = 1024)
  @ValidationRule(value = "self.startsWith('/')", message = "path must start with /")
  @JsonPropertyDescription("Request path, starting with /. Default /.")
  public String path;

  @Default("200")
  @Min(100)
  @Max(599)
  @JsonPropertyDescription("HTTP status an answer must have to count as a success. Default 200.")
  public Integer expectStatus;

  @Default("2s")
  @Size(max = 32)
  @ValidationRule(value = Durations.RULE + " && duration(self) <= duration('60s')",
      message = "timeout must be a duration such as 500ms or 2s, at most 60s")
  @JsonPropertyDescription("Time allowed for one request. Default 2s.")
  public String timeout;

  @Default("5s")
  @Size(max = 32)
  @ValidationRule(value = Durations.RULE + " && duration(self) <= duration('10m')",
      message = "interval must be a duration such as 5s, at most 10m")
  @JsonPropertyDescription("Time between two checks of one instance. Default 5s.")
  public String interval;

  @Default("3")
  @Min(1)
  @Max(100)
  @JsonPropertyDescription("Consecutive successes an instance needs to pass. Default 3.")
  public Integer successThreshold;

  @Default("Private")
  @JsonPropertyDescription("Address the check is sent to: Private (default) or Public.")
  public Address address;
}
