package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * EC2 had no capacity for an instance type in a subnet: launches of that fleet's role there use
 * the next of template.instanceTypes for a while.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class InstanceTypeRefusal {

  @JsonPropertyDescription("The fleet whose launch was refused.")
  public String fleetId;

  @JsonPropertyDescription("Its role (absent for a single-role Release).")
  public String role;

  @JsonPropertyDescription("The subnet.")
  public String subnetId;

  @JsonPropertyDescription("The instance type EC2 had no capacity for.")
  public String instanceType;

  @JsonPropertyDescription("The AWS error code, e.g. InsufficientInstanceCapacity.")
  public String code;

  @JsonPropertyDescription("When (RFC 3339).")
  public String at;
}
