package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The Elastic IP as last observed. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ElasticIpStatus {

  @JsonPropertyDescription("Allocation id.")
  public String allocationId;

  @JsonPropertyDescription("The public IPv4 address.")
  public String publicIp;

  @JsonPropertyDescription("The instance it points at.")
  public String instanceId;

  @JsonPropertyDescription("True when Cutover allocated it (elasticIp.allocate) and so releases "
      + "it on deletion.")
  public Boolean allocatedByCutover;
}
