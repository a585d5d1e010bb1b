package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** The Elastic IP of production: one the user owns, or one Cutover allocates. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.allocationId) != (has(self.allocate) && self.allocate)",
    message = "set exactly one of elasticIp.allocationId (an Elastic IP you own) or "
        + "elasticIp.allocate: true (Cutover allocates one)",
    reason = "FieldValueInvalid")
public class ElasticIpSpec {

  @Size(max = 26)
  @ValidationRule(value = "self.matches('^eipalloc-([0-9a-f]{8}|[0-9a-f]{17})$')",
      message = "allocationId must be an Elastic IP allocation id such as "
          + "eipalloc-0123456789abcdef0")
  @JsonPropertyDescription("Allocation id of an Elastic IP you own. Cutover moves it between "
      + "fleets and never releases it.")
  public String allocationId;

  @JsonPropertyDescription("When true, Cutover allocates an Elastic IP (tagged as its own) and "
      + "releases it when the Release is deleted with deletionPolicy Delete.")
  public Boolean allocate;

  @JsonPropertyDescription("When true, Cutover takes the address even while it points at an "
      + "instance Cutover does not own (on first use, or after someone moved it by hand). "
      + "Otherwise such an address is reported (ElasticIpInUse, ElasticIpMovedOutOfBand) and "
      + "left where it is.")
  public Boolean takeOver;

  public boolean takesOver() {
    return Boolean.TRUE.equals(takeOver);
  }
}
