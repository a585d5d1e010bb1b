package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One Elastic IP of the system as last observed: what it serves and where it points. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AddressStatus {

  @JsonPropertyDescription("The role it serves (absent for a single-role Release), or preview.")
  public String role;

  @JsonPropertyDescription("Its position in the role's elasticIps: it points at slot index.")
  public Integer index;

  @JsonPropertyDescription("Allocation id.")
  public String allocationId;

  @JsonPropertyDescription("The public IPv4 address.")
  public String publicIp;

  @JsonPropertyDescription("The instance it points at (absent: nothing).")
  public String instanceId;

  @JsonPropertyDescription("The version of that instance's fleet, or 'another instance' when "
      + "Cutover does not own it.")
  public String version;
}
