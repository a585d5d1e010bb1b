package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** A role Cutover assumes through STS, starting from its own credentials. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AwsCredentials {

  @Required
  @Size(max = 2048)
  @ValidationRule(value = "self.matches('^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$')",
      message = "roleArn must be an IAM role ARN such as "
          + "arn:aws:iam::123456789012:role/cutover")
  @JsonPropertyDescription("The role to assume, e.g. arn:aws:iam::123456789012:role/cutover. "
      + "Credentials are cached and renewed before they expire.")
  public String roleArn;

  @Size(min = 2, max = 1224)
  @JsonPropertyDescription("External id the role's trust policy requires, if any.")
  public String externalId;
}
