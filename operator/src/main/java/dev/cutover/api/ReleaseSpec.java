package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * What the user wants running: a version of a system, in one of two forms. One role:
 * {@code fleetSize} instances of {@code template} behind {@code elasticIp}. Several roles:
 * {@code roles}, each with its size, template and Elastic IPs, released as one unit.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.retention) || !has(self.retention.previousFleetSize) || has(self.roles)"
        + " || !has(self.fleetSize) || self.retention.previousFleetSize <= self.fleetSize",
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
@ValidationRule(
    value = "!has(self.roles) || !has(self.fleetSize) && !has(self.template)"
        + " && !has(self.elasticIp)",
    message = "roles cannot be combined with fleetSize, template or elasticIp: with roles, each "
        + "role has its own size, template and elasticIps",
    fieldPath = ".roles",
    reason = "FieldValueForbidden")
@ValidationRule(value = "has(self.roles) || has(self.fleetSize)",
    message = "fleetSize is required (or roles, for a system of several roles)",
    fieldPath = ".fleetSize", reason = "FieldValueRequired")
@ValidationRule(value = "has(self.roles) || has(self.template)",
    message = "template is required (or roles, for a system of several roles)",
    fieldPath = ".template", reason = "FieldValueRequired")
@ValidationRule(value = "has(self.roles) || has(self.elasticIp)",
    message = "elasticIp is required (or roles, for a system of several roles)",
    fieldPath = ".elasticIp", reason = "FieldValueRequired")
@ValidationRule(
    value = "!has(self.preview) || !has(self.preview.allocationId)"
        + " || !(has(self.elasticIp) && has(self.elasticIp.allocationId)"
        + " && self.elasticIp.allocationId == self.preview.allocationId)"
        + " && !(has(self.roles) && self.roles.exists(r, has(r.elasticIps)"
        + " && r.elasticIps.exists(a, has(a.allocationId)"
        + " && a.allocationId == self.preview.allocationId)))",
    message = "preview must be another Elastic IP than production's: it never serves production",
    fieldPath = ".preview",
    reason = "FieldValueInvalid")
@ValidationRule(
    value = "!has(self.verification) || !has(self.verification.http)"
        + " || !has(self.verification.http.address) || self.verification.http.address != 'Preview'"
        + " || has(self.preview)",
    message = "verification.http.address Preview needs spec.preview (the Elastic IP the check "
        + "goes through)",
    fieldPath = ".verification.http.address",
    reason = "FieldValueInvalid")
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

  @Min(1)
  @Max(100)
  @JsonPropertyDescription("Number of instances in each fleet (1 to 100). Changing only this "
      + "scales the active fleet in place. One role; not with roles.")
  public Integer fleetSize;

  @JsonPropertyDescription("How each instance is launched. Changing it starts a new blue/green "
      + "release, like a version change. One role; not with roles.")
  public InstanceTemplate template;

  @JsonPropertyDescription("The Elastic IP that serves production; it always points at a "
      + "running instance of the active fleet. One role; not with roles.")
  public ElasticIpSpec elasticIp;

  @Size(min = 1, max = RoleSpec.MAX_ROLES)
  @ValidationRule(value = "self.all(r, self.exists_one(o, o.name == r.name))",
      message = "role names must be unique")
  @ValidationRule(value = "self.exists(r, has(r.elasticIps) && size(r.elasticIps) > 0)",
      message = "at least one role needs elasticIps: production is the fleet its addresses "
          + "point at")
  @ValidationRule(
      value = "self.all(r, !has(r.elasticIps) || r.elasticIps.all(a, has(a.allocationId)))",
      message = "the elasticIps of a role name addresses you own (allocationId); "
          + "allocate: true is only for the single elasticIp")
  @ValidationRule(
      value = "self.all(r, !has(r.elasticIps) || r.elasticIps.all(a, !has(a.allocationId)"
          + " || self.map(o, has(o.elasticIps) ? o.elasticIps.filter(b, has(b.allocationId)"
          + " && b.allocationId == a.allocationId).size() : 0).sum() == 1))",
      message = "an Elastic IP can serve only one slot: every allocationId in roles must be "
          + "different")
  @JsonPropertyDescription("A system of several roles (e.g. web, api, worker), each with its "
      + "own size, template and Elastic IPs, released as one unit: a new version stages every "
      + "role beside production, verification covers every instance, and the switch moves "
      + "every address at once. Instead of fleetSize, template and elasticIp.")
  public java.util.List<RoleSpec> roles;

  @JsonPropertyDescription("An Elastic IP you own that Cutover points at the staging fleet's "
      + "entry instance (slot 0 of the role with the first production address) while it is "
      + "Verifying or AwaitingPromotion, so people and HTTP checks (address: Preview) can test "
      + "the new system through a public address before the switch. The switch takes it off "
      + "(EC2 gives an instance one Elastic IP and the primary address goes to that instance): "
      + "it points at nothing until the next staging fleet is verified. It never takes a "
      + "production address off and is never released.")
  public ElasticIpSpec preview;

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

  @JsonPropertyDescription("Drain before terminate: an optional HTTP call to each instance "
      + "Cutover no longer needs (the retained fleet at its expiry or scale-down, surplus after "
      + "a scale-in, a superseded staging fleet) and a wait of drain.timeout before it is "
      + "terminated. An instance a production address points at is never drained. Absent: "
      + "such instances are terminated at once.")
  public Drain drain;

  @JsonPropertyDescription("Lifecycle webhooks: HTTP calls before the switch (preSwitch, may "
      + "veto it), after it (postSwitch) and before the retained fleet is terminated "
      + "(preTerminate), with the Release, the fleet and its instances in a JSON body.")
  public Hooks hooks;

  @Default("false")
  @JsonPropertyDescription("When true, Cutover observes and reports but changes nothing in EC2.")
  public Boolean paused;

  @Default("Delete")
  @JsonPropertyDescription("What happens to the instances when the Release is deleted: Delete "
      + "terminates every instance of the Release (and releases an Elastic IP that Cutover "
      + "allocated); Retain leaves everything running.")
  public DeletionPolicy deletionPolicy;

  /** The roles of the system, whichever form the spec takes (see {@link RoleLayout}). */
  public java.util.List<RoleLayout> layout() {
    if (roles == null || roles.isEmpty()) {
      return java.util.List.of(new RoleLayout(RoleLayout.SINGLE, fleetSize == null ? 0 : fleetSize,
          template, elasticIp == null ? java.util.List.of() : java.util.List.of(elasticIp)));
    }
    return roles.stream().map(r -> new RoleLayout(r.name, r.size == null ? 0 : r.size,
        r.template, r.elasticIps == null ? java.util.List.of() : r.elasticIps)).toList();
  }

  /** The template of the role of this name ("" for the single form), if the spec has it. */
  public java.util.Optional<InstanceTemplate> templateOf(String role) {
    return layout().stream().filter(r -> r.name().equals(role)).findFirst()
        .map(RoleLayout::template);
  }

  /** Instances in one whole fleet: the sizes of every role. */
  public int systemSize() {
    return layout().stream().mapToInt(RoleLayout::size).sum();
  }

  /** The address that decides which fleet is production: the first role's first address. */
  public ElasticIpSpec primaryAddress() {
    return layout().stream().flatMap(r -> r.addresses().stream()).findFirst().orElse(null);
  }
}
