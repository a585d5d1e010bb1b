package dev.cutover.ec2;

import dev.cutover.api.InstanceTemplate;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One RunInstances call: {@code count} identical instances, tagged at launch (the instances,
 * their volumes and their network interfaces). Image and type may be null when the launch
 * template provides them.
 */
public record LaunchRequest(
    String clientToken,
    String imageId,
    String instanceType,
    String subnetId,
    List<String> securityGroupIds,
    String keyName,
    String iamInstanceProfile,
    String userData,
    Map<String, String> tags,
    int count,
    LaunchOptions options) {

  /** A launch with only the basic fields. */
  public LaunchRequest(String clientToken, String imageId, String instanceType, String subnetId,
      List<String> securityGroupIds, String keyName, String iamInstanceProfile, String userData,
      Map<String, String> tags, int count) {
    this(clientToken, imageId, instanceType, subnetId, securityGroupIds, keyName,
        iamInstanceProfile, userData, tags, count, LaunchOptions.NONE);
  }

  /** EC2's limit on user data: raw bytes, before base64 encoding. */
  public static final int MAX_USER_DATA_BYTES = InstanceTemplate.MAX_USER_DATA_BYTES;
  /** Error code of a launch whose user data is over {@link #MAX_USER_DATA_BYTES}. */
  public static final String USER_DATA_TOO_LARGE = "UserDataTooLarge";
  /** Error code of a launch whose tags EC2 would refuse. */
  public static final String INVALID_TAGS = "InvalidTags";

  /** A limit of EC2 this request breaks: the code it is reported with, and what is wrong. */
  public record OverLimit(String code, String message) {}

  /** The user data in bytes as EC2 counts them (UTF-8, before base64); 0 without. */
  public int userDataBytes() {
    return userData == null ? 0 : userData.getBytes(StandardCharsets.UTF_8).length;
  }

  /** What EC2 would refuse in this request, found before it is sent; empty when it fits. */
  public Optional<OverLimit> overLimit() {
    int bytes = userDataBytes();
    if (bytes > MAX_USER_DATA_BYTES) {
      return Optional.of(new OverLimit(USER_DATA_TOO_LARGE, "userData is " + bytes
          + " bytes after ${VERSION}, ${RELEASE}, ${FLEET} and ${SLOT} are substituted; EC2 "
          + "accepts at most " + MAX_USER_DATA_BYTES + " bytes (before base64)."));
    }
    return Tags.beyondLimits(tags).map(problem -> new OverLimit(INVALID_TAGS, problem));
  }
}
