package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Where one metric check of the fleet being judged stands. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MetricStatus {

  @JsonPropertyDescription("The check's name.")
  public String name;

  @JsonPropertyDescription("Verification (before the switch) or PostSwitch.")
  public String stage;

  @JsonPropertyDescription("The fleet it measures.")
  public String fleetId;

  @JsonPropertyDescription("Passing (a success and fewer failures than the limit), Failed, or "
      + "Pending (no success yet).")
  public String state;

  @JsonPropertyDescription("Successful measurements.")
  public Integer successes;

  @JsonPropertyDescription("Failed measurements (in a row, or in total, as failureMode says).")
  public Integer failures;

  @JsonPropertyDescription("The last measured value.")
  public Double lastValue;

  @JsonPropertyDescription("Why the last measurement had no value, if it had none.")
  public String lastError;

  @JsonPropertyDescription("When it was last measured (RFC 3339).")
  public String measuredAt;
}
