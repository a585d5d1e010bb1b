package dev.cutover.ec2;

import dev.cutover.api.BlockDevice;
import dev.cutover.api.MetadataOptions;
import dev.cutover.api.Placement;
import java.util.List;

/**
 * The parts of a RunInstances beyond image, type, network and tags: the launch template it
 * starts from (a resolved version number, never $Latest: every instance of a fleet gets the same
 * version), instance metadata options, EBS volumes, placement and monitoring. Null fields are
 * not sent, so EC2 (or the launch template) decides.
 *
 * @param launchTemplateId the template's id (resolved from its name)
 * @param launchTemplateVersion the version number
 */
public record LaunchOptions(String launchTemplateId, String launchTemplateVersion,
    MetadataOptions metadata, List<BlockDevice> blockDevices, Placement placement,
    Boolean detailedMonitoring) {

  /** Nothing beyond the basics. */
  public static final LaunchOptions NONE = new LaunchOptions(null, null, null, List.of(), null,
      null);

  public LaunchOptions {
    blockDevices = blockDevices == null ? List.of() : List.copyOf(blockDevices);
  }

  public boolean fromLaunchTemplate() {
    return launchTemplateId != null;
  }
}
