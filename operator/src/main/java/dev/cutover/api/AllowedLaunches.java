package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/**
 * Allowlists for what a Release may launch. A list left out allows anything; an empty list
 * allows nothing. The admission policy and the operator (before every launch) apply the same
 * rules.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AllowedLaunches {

  @JsonPropertyDescription("Subnet ids instances may be launched into.")
  public List<String> subnets;

  @JsonPropertyDescription("Security group ids instances may use.")
  public List<String> securityGroups;

  @JsonPropertyDescription("Instance profiles (names or ARNs) instances may be given. A Release "
      + "with no profile is always allowed.")
  public List<String> instanceProfiles;

  @JsonPropertyDescription("AMI ids that may be launched. With imageOwners, an AMI is allowed "
      + "when either list allows it.")
  public List<String> images;

  @JsonPropertyDescription("Account ids whose AMIs may be launched (the AMI's owner, checked by "
      + "the operator with DescribeImages before launch).")
  public List<String> imageOwners;

  @JsonPropertyDescription("Instance types, each exact or a pattern with * (e.g. t3.*, m6i.large).")
  public List<String> instanceTypes;

  @JsonPropertyDescription("Key pair names. A Release with no key pair is always allowed.")
  public List<String> keyPairs;
}
