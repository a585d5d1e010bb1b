package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * The instance metadata service (IMDS) of each instance. Cutover asks for IMDSv2 (session
 * tokens required) unless the Release, or its launch template, says otherwise: IMDSv1 lets any
 * request forgery on the instance read its role's credentials.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MetadataOptions {

  public static final String REQUIRED = "required";

  @ValidationRule(value = "self == 'required' || self == 'optional'",
      message = "metadataOptions.httpTokens must be required (IMDSv2 only) or optional "
          + "(IMDSv1 allowed too)")
  @JsonPropertyDescription("required (IMDSv2: every metadata request needs a session token) or "
      + "optional (IMDSv1 allowed). When neither the Release nor its launch template sets it, "
      + "Cutover sends required.")
  public String httpTokens;

  @Min(1)
  @Max(64)
  @JsonPropertyDescription("How many network hops a metadata response may travel (1 to 64); "
      + "2 lets containers on the instance reach IMDSv2.")
  public Integer httpPutResponseHopLimit;

  @ValidationRule(value = "self == 'enabled' || self == 'disabled'",
      message = "metadataOptions.httpEndpoint must be enabled or disabled")
  @JsonPropertyDescription("enabled or disabled: whether the instance metadata service answers "
      + "at all.")
  public String httpEndpoint;
}
