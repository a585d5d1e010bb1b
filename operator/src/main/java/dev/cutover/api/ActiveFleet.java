package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** The fleet that serves production. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ActiveFleet {

  @JsonPropertyDescription("Fleet id: a short hash of version and template.")
  public String id;

  @JsonPropertyDescription("Version the fleet runs.")
  public String version;

  @JsonPropertyDescription("Instances of the fleet, by slot.")
  public List<String> instanceIds;

  @JsonPropertyDescription("How many of its instances run as each instance type, e.g. "
      + "{t3.large: 2, m5.large: 1} after a capacity fallback.")
  public java.util.Map<String, Integer> instanceTypes;

  @JsonPropertyDescription("The instance the Elastic IP points at.")
  public String primaryInstanceId;

  @JsonPropertyDescription("When the fleet went live.")
  public String since;
}
