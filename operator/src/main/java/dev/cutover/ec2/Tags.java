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
   * The slots launched by one RunInstances call, in order, runs written as ranges ("0-99",
   * "1,3,5-9"); an instance's slot is the entry at its AMI launch index. One call can launch many
   * slots with the same tags, and EC2 limits a tag value to 256 characters: 100 slots listed one
   * by one would not fit.
   */
  public static final String SLOT = "cutover.dev/slot";
  /**
   * The role of the system an instance serves (web, api, worker); absent on the instances of a
   * single-role Release. Slots count within a role.
   */
  public static final String ROLE = "cutover.dev/role";
  /** EC2's limit on a tag value, in characters. */
  public static final int MAX_VALUE_LENGTH = 256;
  /** EC2's limit on a tag key, in characters. */
  public static final int MAX_KEY_LENGTH = 128;
  /** EC2's limit on the tags of one resource. */
  public static final int MAX_TAGS = 50;
  /** Tag keys with this prefix, in any case, are AWS's own: EC2 refuses them. */
  public static final String RESERVED_PREFIX = "aws:";
  public static final String NAME = "Name";
  /**
   * On an Elastic IP the user owns: Cutover claimed it for the Release named by the release-uid
   * and release tags (set with CreateTags on first use, removed when the Release is deleted).
   * Without it, an address carrying a release-uid tag was allocated by Cutover for that Release.
   */
  public static final String CLAIMED = "cutover.dev/claimed";
  /** The tags that make a claim, removed together when the Release is deleted. */
  public static final java.util.List<String> CLAIM_KEYS = java.util.List.of(CLAIMED, RELEASE_UID,
      RELEASE, MANAGED_BY);

  private Tags() {}

  /** The slot tag of one launch: its slots in order, runs of consecutive slots as ranges. */
  public static String slots(java.util.List<Integer> slots) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < slots.size(); i++) {
      int start = slots.get(i);
      int end = start;
      while (i + 1 < slots.size() && slots.get(i + 1) == end + 1) {
        end = slots.get(++i);
      }
      out.append(out.length() == 0 ? "" : ",").append(start)
          .append(end > start + 1 ? "-" + end : end == start + 1 ? "," + end : "");
    }
    return out.toString();
  }

  /** The slot at a launch index, read back from a slot tag (lists and ranges). */
  public static int slotAt(String slotTag, int launchIndex) {
    java.util.List<Integer> slots = new java.util.ArrayList<>();
    for (String part : slotTag.split(",")) {
      String p = part.trim();
      int dash = p.indexOf('-');
      if (dash > 0) {
        for (int s = Integer.parseInt(p.substring(0, dash));
            s <= Integer.parseInt(p.substring(dash + 1)); s++) {
          slots.add(s);
        }
      } else {
        slots.add(Integer.parseInt(p));
      }
    }
    return slots.get(Math.min(launchIndex, slots.size() - 1));
  }

  /** What EC2 would refuse in these tags (count, lengths, reserved keys); empty when none. */
  public static java.util.Optional<String> beyondLimits(java.util.Map<String, String> tags) {
    if (tags.size() > MAX_TAGS) {
      return java.util.Optional.of(tags.size() + " tags, more than EC2's " + MAX_TAGS
          + " per resource");
    }
    for (var tag : tags.entrySet()) {
      String key = tag.getKey();
      if (key.isEmpty() || key.codePointCount(0, key.length()) > MAX_KEY_LENGTH) {
        return java.util.Optional.of("tag key \"" + abbreviate(key) + "\" is not 1 to "
            + MAX_KEY_LENGTH + " characters long");
      }
      if (key.regionMatches(true, 0, RESERVED_PREFIX, 0, RESERVED_PREFIX.length())) {
        return java.util.Optional.of("tag key \"" + abbreviate(key) + "\" starts with "
            + RESERVED_PREFIX + ", which is reserved for AWS");
      }
      String value = tag.getValue() == null ? "" : tag.getValue();
      if (value.codePointCount(0, value.length()) > MAX_VALUE_LENGTH) {
        return java.util.Optional.of("the value of tag " + abbreviate(key) + " is longer than "
            + MAX_VALUE_LENGTH + " characters");
      }
    }
    return java.util.Optional.empty();
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }

  /** A value cut to EC2's limit (Name and other descriptive tags only, never ownership). */
  public static String fit(String value) {
    return value.length() <= MAX_VALUE_LENGTH ? value : value.substring(0, MAX_VALUE_LENGTH);
  }
}
