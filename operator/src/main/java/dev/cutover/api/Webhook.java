package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.time.Duration;

/**
 * One lifecycle webhook: a JSON POST to {@code url} at one point of a release. An answer 2xx is
 * a success; a 4xx other than 408 and 429 is a refusal, not retried; a 408, 429, 5xx, a timeout
 * or no connection is retried {@code retries} times with a backoff. What a call that still
 * failed means is {@code failurePolicy}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.url)",
    message = "url is required: where the hook is sent, e.g. https://hooks.example.com/pre-switch",
    fieldPath = ".url", reason = "FieldValueRequired")
public class Webhook {

  /** What a call that failed for good means. */
  public enum FailurePolicy { Abort, Ignore }

  public static final String DEFAULT_TIMEOUT = "10s";
  public static final int DEFAULT_RETRIES = 2;

  @Size(max = 2048)
  @ValidationRule(value = "self.matches('^https?://[^/?#\\\\s]+([/?#][^\\\\s]*)?$')",
      message = "url must be an http:// or https:// URL with a host, e.g. "
          + "https://hooks.example.com/pre-switch")
  @JsonPropertyDescription("Where the hook is POSTed (http or https). Required.")
  public String url;

  @Default(DEFAULT_TIMEOUT)
  @Size(max = 32)
  @ValidationRule(value = Durations.RULE + " && duration(self) > duration('0s')"
      + " && duration(self) <= duration('60s')",
      message = "timeout must be a duration such as 500ms or 10s, more than 0s and at most 60s")
  @JsonPropertyDescription("Time allowed for one call, connection included. Default 10s, at "
      + "most 60s.")
  public String timeout;

  @Default("2")
  @Min(0)
  @Max(10)
  @JsonPropertyDescription("Calls after the first when a call times out, cannot connect or is "
      + "answered 408, 429 or 5xx (0 to 10, default 2); the waits between them double from 1s. "
      + "Another 4xx is a refusal and is not retried.")
  public Integer retries;

  @JsonPropertyDescription("Abort or Ignore: what a call that failed after its retries means. "
      + "preSwitch: Abort (the default) fails the new version with PreSwitchHookVetoed, "
      + "production untouched; Ignore switches all the same. postSwitch: Abort reverts to the "
      + "retained fleet like a failed post-switch check; Ignore (the default) only reports. "
      + "preTerminate: Abort keeps the retained fleet and calls again every 5m until a call "
      + "succeeds; Ignore (the default) terminates all the same.")
  public FailurePolicy failurePolicy;

  public Duration timeoutLength() {
    return Durations.parse(timeout, Durations.parse(DEFAULT_TIMEOUT, null));
  }

  public int retriesOrDefault() {
    return retries == null ? DEFAULT_RETRIES : retries;
  }
}
