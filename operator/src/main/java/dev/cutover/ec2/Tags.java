package dev.cutover.ec2;

/**
 * The tags that prove an EC2 resource belongs to a Release. They are set at launch
 * (TagSpecifications), never later, so a resource is owned from its first moment.
 */
public final class Tags {

  public static final String MANAGED_BY = "cutover.dev/managed-by";
  public static final String MANAGED_BY_VALUE = "cutover";
  public static final String RELEASE_UID = "cutover.dev/release-uid";
  /** namespace/name of the Release. */
  public static final String RELEASE = "cutover.dev/release";
  public static final String FLEET = "cutover.dev/fleet";
  public static final String VERSION = "cutover.dev/version";
  /**
   * The slots launched by one RunInstances call, comma separated; an instance's slot is the
   * entry at its AMI launch index. One call can launch many slots with the same tags.
   */
  public static final String SLOT = "cutover.dev/slot";
  public static final String NAME = "Name";

  private Tags() {}
}
