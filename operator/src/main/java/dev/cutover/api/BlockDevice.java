package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * An EBS volume of each instance. The root volume is the one named like the AMI's root device
 * (/dev/xvda for Amazon Linux, /dev/sda1 for Ubuntu); other names add volumes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BlockDevice {

  @Required
  @Size(min = 1, max = 32)
  @ValidationRule(value = "self.matches('^(/dev/)?[a-z][a-z0-9]*$')",
      message = "deviceName must be a device name such as /dev/xvda or /dev/sdf")
  @JsonPropertyDescription("Device name, e.g. /dev/xvda (the root of Amazon Linux AMIs) or "
      + "/dev/sdf.")
  public String deviceName;

  @Required
  @JsonPropertyDescription("The EBS volume.")
  public EbsVolume ebs;
}
