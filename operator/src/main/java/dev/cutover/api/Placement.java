package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Where EC2 places each instance beyond its subnet. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Placement {

  @Size(min = 1, max = 255)
  @JsonPropertyDescription("Placement group to launch into (cluster, partition or spread).")
  public String groupName;

  @ValidationRule(value = "self in ['default', 'dedicated', 'host']",
      message = "placement.tenancy must be default, dedicated or host")
  @JsonPropertyDescription("default (shared hardware), dedicated or host.")
  public String tenancy;
}
