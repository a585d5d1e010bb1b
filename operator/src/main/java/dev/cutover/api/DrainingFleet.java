package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/**
 * Instances Cutover no longer needs, draining before they are terminated (spec.drain). The
 * start is remembered so that a restarted operator waits only for the rest of the timeout.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DrainingFleet {

  @JsonPropertyDescription("Version the instances run.")
  public String version;

  @JsonPropertyDescription("Why they go: RetentionExpired, RetainedScaledDown, ScaledIn or "
      + "Superseded.")
  public String reason;

  @JsonPropertyDescription("Instances draining.")
  public List<String> instanceIds;

  @JsonPropertyDescription("When the drain started: the drain call was sent (RFC 3339).")
  public String startedAt;

  @JsonPropertyDescription("When they are terminated: startedAt plus drain.timeout (RFC 3339).")
  public String terminateAt;

  @JsonPropertyDescription("How many instances answered the drain call with the expected "
      + "status.")
  public Integer answered;

  @JsonPropertyDescription("Instances whose drain call failed, each as \"i-...: why\". They are "
      + "terminated at terminateAt all the same.")
  public List<String> failed;
}
