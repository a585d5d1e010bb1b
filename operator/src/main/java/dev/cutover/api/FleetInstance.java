package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One instance of a staging fleet. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FleetInstance {

  @JsonPropertyDescription("EC2 instance id.")
  public String id;

  @JsonPropertyDescription("Slot in the fleet, from 0.")
  public Integer slot;

  @JsonPropertyDescription("The role it serves (absent for a single-role Release).")
  public String role;

  @JsonPropertyDescription("EC2 state: pending, running, shutting-down, terminated, stopping, "
      + "stopped.")
  public String state;

  @JsonPropertyDescription("EC2 instance type it runs as (with instanceTypes, the one EC2 had "
      + "capacity for).")
  public String instanceType;

  @JsonPropertyDescription("Private IPv4 address.")
  public String privateIp;

  @JsonPropertyDescription("Public IPv4 address, if any.")
  public String publicIp;

  @JsonPropertyDescription("Result of the checks, e.g. \"status ok\", \"http 2/3\".")
  public String checks;
}
