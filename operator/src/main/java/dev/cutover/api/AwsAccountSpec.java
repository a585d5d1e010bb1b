package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;

/** Where Releases launch (account, regions, credentials) and what they may launch there. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AwsAccountSpec {

  @Default("false")
  @JsonProperty("default")
  @JsonPropertyDescription("When true, Releases that name no account use this one. Mark at most "
      + "one account as the default; with none, such Releases use the operator's own "
      + "credentials and region.")
  /** "default" in YAML (a Java keyword). */
  public Boolean isDefault;

  @Required
  @Size(min = 1, max = 16)
  @JsonPropertyDescription("Regions Releases may use, e.g. [eu-west-1]. A Release picks one with "
      + "spec.region; the first is used when it does not.")
  @ValidationRule(value = "self.all(r, r.matches('^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$'))",
      message = "each region must be a region code such as eu-west-1")
  public List<@Size(max = 32) String> regions;

  @JsonPropertyDescription("How Cutover reaches the account. Without it, the operator's own "
      + "credentials (its default provider chain) are used.")
  public AwsCredentials credentials;

  @JsonPropertyDescription("Namespaces whose Releases may use this account (a label selector on "
      + "the namespace). Empty or absent: no namespace may, so an account is opened on purpose.")
  public LabelSelector namespaceSelector;

  @Default("{}")
  @JsonPropertyDescription("What Releases may launch. A list left out allows anything for that "
      + "field; an empty list allows nothing.")
  public AllowedLaunches allowed;

  @Min(0)
  @JsonPropertyDescription("Most live instances (all fleets of all Releases using this account) "
      + "one namespace may hold. Absent: no cap.")
  public Integer maxInstancesPerNamespace;

  public boolean defaultAccount() {
    return Boolean.TRUE.equals(isDefault);
  }

  public AllowedLaunches allowedOrAll() {
    return allowed == null ? new AllowedLaunches() : allowed;
  }
}
