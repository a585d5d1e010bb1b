package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** What the user wants running: a version of a fleet, reached through one Elastic IP. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.retention) || !has(self.retention.previousFleetSize)"
        + " || self.retention.previousFleetSize <= self.fleetSize",
    message = "retention.previousFleetSize cannot be larger than fleetSize",
    fieldPath = ".retention.previousFleetSize",
    reason = "FieldValueInvalid")
@ValidationRule(
    value = "has(self.account) == has(oldSelf.account)"
        + " && (!has(self.account) || self.account == oldSelf.account)",
    message = "account cannot be changed once the Release exists (its fleets live in that "
        + "account): create a new Release instead",
    fieldPath = ".account",
    reason = "FieldValueForbidden")
@ValidationRule(
    value = "has(self.region) == has(oldSelf.region)"
        + " && (!has(self.region) || self.region == oldSelf.region)",
    message = "region cannot be changed once the Release exists (its fleets live in that "
        + "region): create a new Release instead",
    fieldPath = ".region",
    reason = "FieldValueForbidden")
public class ReleaseSpec {

  @Required
  @Size(min = 1, max = 128)
  @ValidationRule(value = "self.matches('^[A-Za-z0-9][A-Za-z0-9._+-]*$')",
      message = "version must start with a letter or digit and contain only letters, digits, "
          + "'.', '_', '+' and '-' (for example 2.4.1 or v2.4.1-rc.1)")
  @JsonPropertyDescription("Version of the application to run, e.g. \"2.4.1\". Changing it starts "
      + "a new blue/green release; setting it back to the retained previous version switches "
      + "back without launching anything. Substituted for ${VERSION} in userData and recorded in "
      + "the cutover.dev/version tag.")
  public String version;

  @Size(min = 1, max = 253)
  @JsonPropertyDescription("The AwsAccount (cluster-scoped) to launch in. Absent: the account "
      + "marked default, or the operator's own credentials and region when none is. Checked at "
      + "admission and before every launch against the account's namespaces and allowlists.")
  public String account;

  @Size(min = 1, max = 32)
  @JsonPropertyDescription("Region of the account to launch in; one of the account's regions "
      + "(its first when absent).")
  public String region;

  @Required
  @Min(1)
  @Max(100)
  @JsonPropertyDescription("Number of instances in each fleet (1 to 100). Changing only this "
      + "scales the active fleet in place.")
  public Integer fleetSize;

  @Required
  @JsonPropertyDescription("How each instance is launched. Changing it starts a new blue/green "
      + "release, like a version change.")
  public InstanceTemplate template;

  @Required
  @JsonPropertyDescription("The Elastic IP that serves production; it always points at a "
      + "running instance of the active fleet.")
  public ElasticIpSpec elasticIp;

  @Default("{}")
  @JsonPropertyDescription("How a new fleet is verified before it receives traffic.")
  public Verification verification;

  @Default("{}")
  @JsonPropertyDescription("When a verified fleet receives the Elastic IP.")
  public Promotion promotion;

  @Default("{}")
  @JsonPropertyDescription("How long the previous fleet is kept for an instant switch back.")
  public Retention retention;

  @Default("{}")
  @JsonPropertyDescription("Checks of the new active fleet after the switch, and what to do "
      + "when they fail.")
  public PostSwitch postSwitch;

  @Default("false")
  @JsonPropertyDescription("When true, Cutover observes and reports but changes nothing in EC2.")
  public Boolean paused;

  @Default("Delete")
  @JsonPropertyDescription("What happens to the instances when the Release is deleted: Delete "
      + "terminates every instance of the Release (and releases an Elastic IP that Cutover "
      + "allocated); Retain leaves everything running.")
  public DeletionPolicy deletionPolicy;
}
