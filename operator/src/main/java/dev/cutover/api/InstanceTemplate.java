package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

/**
 * The launch parameters shared by every instance of a fleet: given here, or taken from an EC2
 * launch template and overridden here field by field.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.imageId) || has(self.launchTemplate)",
    message = "imageId is required (or a launchTemplate that provides it)",
    fieldPath = ".imageId", reason = "FieldValueRequired")
@ValidationRule(value = "has(self.instanceType) || has(self.instanceTypes) "
    + "|| has(self.launchTemplate)",
    message = "instanceType (or instanceTypes, or a launchTemplate that provides it) is required",
    fieldPath = ".instanceType", reason = "FieldValueRequired")
@ValidationRule(value = "!has(self.instanceType) || !has(self.instanceTypes)",
    message = "give instanceType or instanceTypes (an ordered list for capacity fallback), "
        + "not both",
    fieldPath = ".instanceTypes", reason = "FieldValueForbidden")
public class InstanceTemplate {

  @Size(max = 21)
  @ValidationRule(value = "self.matches('^ami-([0-9a-f]{8}|[0-9a-f]{17})$')",
      message = "imageId must be an AMI id such as ami-0123456789abcdef0")
  @JsonPropertyDescription("AMI to launch, e.g. ami-0123456789abcdef0. Optional with a "
      + "launchTemplate that names one.")
  public String imageId;

  @Size(max = 32)
  @ValidationRule(value = "self.matches('^[a-z][a-z0-9-]*[.][a-z0-9]+$')",
      message = "instanceType must be an EC2 instance type such as t3.small")
  @JsonPropertyDescription("EC2 instance type, e.g. t3.small. Optional with instanceTypes or "
      + "a launchTemplate that names one.")
  public String instanceType;

  @Size(min = 1, max = 10)
  @ValidationRule(value = "self.all(t, t.matches('^[a-z][a-z0-9-]*[.][a-z0-9]+$'))",
      message = "every instanceTypes entry must be an EC2 instance type such as t3.small")
  @ValidationRule(value = "self.all(t, self.exists_one(u, u == t))",
      message = "instanceTypes must not repeat a type")
  @JsonPropertyDescription("Instance types in order of preference, instead of instanceType. "
      + "When EC2 has no capacity for a type in a subnet (InsufficientInstanceCapacity), the "
      + "missing slots of that subnet are launched with the next type; status shows which "
      + "type each instance got. A new fleet whose subnet has run out of every type fails "
      + "(production untouched); a replacement in production tries again from the first type.")
  public List<@Size(max = 32) String> instanceTypes;

  @JsonPropertyDescription("EC2 launch template to launch from. Fields set here override the "
      + "template's; a new template version is a new blue/green release.")
  public LaunchTemplateRef launchTemplate;

  @JsonPropertyDescription("Instance metadata service options. Unless this or the launch "
      + "template says otherwise, Cutover requires IMDSv2 (httpTokens: required).")
  public MetadataOptions metadataOptions;

  @Size(max = 16)
  @ValidationRule(value = "self.all(b, self.exists_one(c, c.deviceName == b.deviceName))",
      message = "blockDevices must not name a device twice")
  @JsonPropertyDescription("EBS volumes of each instance: the root volume (named like the "
      + "AMI's root device) and extra ones. Volumes and network interfaces get the instance's "
      + "tags at launch.")
  public List<BlockDevice> blockDevices;

  @JsonPropertyDescription("Placement group and tenancy. Optional.")
  public Placement placement;

  @JsonPropertyDescription("true: CloudWatch detailed monitoring (1-minute metrics, charged); "
      + "unset or false: basic monitoring.")
  public Boolean detailedMonitoring;

  @Required
  @Size(min = 1, max = 16)
  @ValidationRule(
      value = "self.all(s, s.matches('^subnet-([0-9a-f]{8}|[0-9a-f]{17})$'))",
      message = "every subnetIds entry must be a subnet id such as subnet-0123456789abcdef0")
  @JsonPropertyDescription("Subnets to launch into; instances are spread across them in slot "
      + "order (slot i goes to subnetIds[i mod n]).")
  public List<@Size(max = 24) String> subnetIds;

  @Size(max = 16)
  @ValidationRule(
      value = "self.all(s, s.matches('^sg-([0-9a-f]{8}|[0-9a-f]{17})$'))",
      message = "every securityGroupIds entry must be a security group id such as "
          + "sg-0123456789abcdef0")
  @JsonPropertyDescription("Security groups of each instance's network interface.")
  public List<@Size(max = 20) String> securityGroupIds;

  @Size(min = 1, max = 255)
  @JsonPropertyDescription("Name of an EC2 key pair for SSH access. Optional.")
  public String keyName;

  @Size(min = 1, max = 2048)
  @JsonPropertyDescription("IAM instance profile: a name, or an ARN starting with arn:. Optional.")
  public String iamInstanceProfile;

  /** EC2's limit on user data: 16 KiB of raw bytes, before base64 encoding. */
  public static final int MAX_USER_DATA_BYTES = 16384;
  /** Tags a Release may add; Cutover sets 7 more (Name, cutover.dev/*) of EC2's 50. */
  public static final int MAX_TAGS = 40;

  @Size(max = MAX_USER_DATA_BYTES)
  @ValidationRule(value = "size(bytes(self)) <= " + MAX_USER_DATA_BYTES,
      message = "userData must be at most 16384 bytes in UTF-8 (EC2's limit before base64); "
          + "the variables substituted at launch count too")
  @JsonPropertyDescription("User data script (plain text, at most 16 KiB in UTF-8, EC2's limit, "
      + "after substitution). ${VERSION}, ${RELEASE} (namespace/name), ${FLEET} (fleet id) and "
      + "${SLOT} are substituted per instance before launch; a launch whose user data is then "
      + "over the limit is not sent, and the release fails with reason UserDataTooLarge.")
  public String userData;

  @Size(max = MAX_TAGS)
  @ValidationRule(value = "self.all(k, size(k) >= 1 && size(k) <= 128)",
      message = "tag keys must be 1 to 128 characters long (EC2's limit)")
  @ValidationRule(value = "self.all(k, !k.lowerAscii().startsWith('aws:'))",
      message = "tag keys starting with aws: (in any case) are reserved for AWS")
  @ValidationRule(value = "self.all(k, !k.startsWith('cutover.dev/') && k != 'Name')",
      message = "tag keys starting with cutover.dev/, and the key Name, are set by Cutover and "
          + "cannot be given in template.tags")
  @JsonPropertyDescription("Extra tags for every instance, its EBS volumes and its network "
      + "interfaces (all tagged at launch): at most 40, keys of 1 to 128 "
      + "characters not starting with aws:, values of at most 256 characters. Cutover adds Name "
      + "and the cutover.dev/* ownership tags itself (EC2 allows 50 tags per resource).")
  public Map<@Size(max = 128) String, @Size(max = 256) String> tags;
}
