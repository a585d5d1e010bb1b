package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * One role of a system released as a unit (web, api, worker): its own size, launch template and
 * Elastic IPs. Every role of a version is staged, verified and switched together.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.elasticIps) || size(self.elasticIps) <= self.size",
    message = "a role cannot have more elasticIps than instances: address i points at the "
        + "instance in slot i",
    fieldPath = ".elasticIps",
    reason = "FieldValueInvalid")
public class RoleSpec {

  /** Roles a Release may list; bounds the cost of the CEL rules over them. */
  public static final int MAX_ROLES = 10;
  /** Addresses one role may hold (EC2's default quota is 5 per region). */
  public static final int MAX_ADDRESSES = 10;

  @Required
  @Size(min = 1, max = 32)
  @ValidationRule(value = "self.matches('^[a-z]([a-z0-9-]*[a-z0-9])?$')",
      message = "a role name must be lowercase letters, digits and '-', starting with a letter "
          + "(for example web or api-gateway)")
  @JsonPropertyDescription("Name of the role, e.g. web, api or worker; recorded in the "
      + "cutover.dev/role tag of its instances and substituted for ${ROLE} in userData.")
  public String name;

  @Required
  @Min(1)
  @Max(100)
  @JsonPropertyDescription("Number of instances of this role in each fleet (1 to 100). "
      + "Changing only sizes scales the active fleet in place.")
  public Integer size;

  @Required
  @JsonPropertyDescription("How each instance of this role is launched. Changing it starts a "
      + "new blue/green release of the whole system.")
  public InstanceTemplate template;

  @Size(max = MAX_ADDRESSES)
  @JsonPropertyDescription("Elastic IPs you own that serve this role: address i points at the "
      + "instance in slot i (while that one does not run, at another running instance of the "
      + "role that holds no other address, as EC2 gives an instance one Elastic IP). A switch "
      + "moves every address of every role to the new fleet, the first address of the first "
      + "role first. Roles without addresses (workers) are ordinary members of the system.")
  public List<ElasticIpSpec> elasticIps;
}
