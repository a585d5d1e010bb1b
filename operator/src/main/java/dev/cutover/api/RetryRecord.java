package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * A retry honoured: the failure of the spec's version was forgotten and the version staged
 * again from scratch. Kept after the retry so that one token retries once, also across
 * operator restarts.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RetryRecord {

  @JsonPropertyDescription("The cutover.dev/retry token honoured; the same token never "
      + "retries again.")
  public String token;

  @JsonPropertyDescription("When it was honoured (RFC 3339).")
  public String at;

  @JsonPropertyDescription("The version staged again.")
  public String version;

  @JsonPropertyDescription("Fleet id of the version staged again.")
  public String fleetId;

  @JsonPropertyDescription("metadata.generation when it was honoured.")
  public Long generation;

  @JsonPropertyDescription("The reason of the failure forgotten, e.g. Aborted or "
      + "DeadlineExceeded.")
  public String failure;

  @JsonPropertyDescription("When that attempt failed (RFC 3339): instances of the fleet "
      + "launched no later belong to it and are terminated, never reused; the new attempt's "
      + "launches carry new ClientTokens.")
  public String failedAt;

  @JsonPropertyDescription("True while the cutover.dev/abort annotation still names this "
      + "generation: that abort was retried and is ignored; remove the annotation (and set it "
      + "again) to abort again.")
  public Boolean abortIgnored;
}
