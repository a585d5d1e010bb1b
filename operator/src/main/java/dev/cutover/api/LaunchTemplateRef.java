package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * An EC2 launch template a fleet is launched from. {@code $Latest} and {@code $Default} are
 * resolved to a version number when Cutover looks at the Release, and that number is part of the
 * fleet id: a new template version is a new blue/green, never a change under a running fleet.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.id) != has(self.name)",
    message = "launchTemplate needs exactly one of id (lt-...) or name",
    reason = "FieldValueInvalid")
public class LaunchTemplateRef {

  /** The version EC2 uses when a launch names none. */
  public static final String DEFAULT = "$Default";
  public static final String LATEST = "$Latest";

  @Size(max = 20)
  @ValidationRule(value = "self.matches('^lt-[0-9a-f]{17}$')",
      message = "launchTemplate.id must be a launch template id such as lt-0123456789abcdef0")
  @JsonPropertyDescription("Id of the launch template, e.g. lt-0123456789abcdef0 (or give name).")
  public String id;

  @Size(min = 3, max = 128)
  @ValidationRule(value = "self.matches('^[a-zA-Z0-9()./_-]+$')",
      message = "launchTemplate.name must be 3 to 128 letters, digits and ( ) . - / _ "
          + "(EC2's rule for launch template names)")
  @JsonPropertyDescription("Name of the launch template (or give id).")
  public String name;

  @Size(max = 20)
  @ValidationRule(value = "self == '$Latest' || self == '$Default' || "
      + "self.matches('^[1-9][0-9]{0,17}$')",
      message = "launchTemplate.version must be a version number such as 3, or $Latest, or "
          + "$Default")
  @JsonPropertyDescription("Version: a number, $Latest or $Default (the default, as in EC2). "
      + "$Latest and $Default are resolved to a number whenever Cutover looks at the Release; "
      + "the number is part of the fleet id, so a new template version (or a new default) "
      + "starts a new blue/green release. status.launchTemplates shows the resolved numbers.")
  public String version;

  /** The version asked for: as given, or {@code $Default}. */
  public String versionOrDefault() {
    return version == null ? DEFAULT : version;
  }

  /** How people and status name the template: its id or its name. */
  public String label() {
    return id != null ? id : name;
  }

  /** One key per template and version asked for, e.g. "name:web@$Latest". */
  public String key() {
    return (id != null ? "id:" + id : "name:" + name) + "@" + versionOrDefault();
  }
}
