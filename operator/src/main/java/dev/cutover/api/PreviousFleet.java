package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** The fleet that was live before the last switch. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PreviousFleet {

  @JsonPropertyDescription("Fleet id: a short hash of version and template.")
  public String id;

  @JsonPropertyDescription("Version the fleet runs.")
  public String version;

  @JsonPropertyDescription("Instances still running.")
  public List<String> instanceIds;

  @JsonPropertyDescription("When the fleet is terminated (RFC 3339).")
  public String expiresAt;
}
