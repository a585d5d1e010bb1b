package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The launch template version the spec resolves to, for one role. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LaunchTemplateStatus {

  @JsonPropertyDescription("The role whose template it is (absent for a single-role Release).")
  public String role;

  @JsonPropertyDescription("Launch template id.")
  public String id;

  @JsonPropertyDescription("Launch template name.")
  public String name;

  @JsonPropertyDescription("The version the spec asks for: a number, $Latest or $Default.")
  public String requested;

  @JsonPropertyDescription("The version number it resolved to; part of the fleet id.")
  public Long version;

  public LaunchTemplateStatus() {}

  public LaunchTemplateStatus(String role, String id, String name, String requested,
      Long version) {
    this.role = role;
    this.id = id;
    this.name = name;
    this.requested = requested;
    this.version = version;
  }
}
