package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One move of the Elastic IP between fleets. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HistoryEntry {

  @JsonPropertyDescription("Version that served before (absent for the first release).")
  public String from;

  @JsonPropertyDescription("Version that serves after.")
  public String to;

  @JsonPropertyDescription("When (RFC 3339).")
  public String at;

  @JsonPropertyDescription("Why: Promoted, SwitchedBack, Reverted or Healed.")
  public String reason;

  public HistoryEntry() {}

  public HistoryEntry(String from, String to, String at, String reason) {
    this.from = from;
    this.to = to;
    this.at = at;
    this.reason = reason;
  }
}
