package dev.cutover.ec2;

import java.util.List;
import java.util.Map;

/** One RunInstances call: {@code count} identical instances, tagged at launch. */
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
    int count) {}
