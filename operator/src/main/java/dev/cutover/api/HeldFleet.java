package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/**
 * A fleet that is neither active, retained nor staging, kept instead of terminated: because
 * Cutover cannot prove it is superseded (its status was lost: it may be the fleet that served
 * before the last switch), or because it failed verification and verification.keepFailedFor
 * keeps it for debugging. It is terminated when {@code until} passes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HeldFleet {

  @JsonPropertyDescription("Fleet id: a short hash of version and template.")
  public String id;

  @JsonPropertyDescription("Version the fleet runs.")
  public String version;

  @JsonPropertyDescription("Instances not yet terminated.")
  public List<String> instanceIds;

  @JsonPropertyDescription("Why it is kept: RoleUnknown (status was lost), KeptForDebugging "
      + "(a failed fleet, verification.keepFailedFor), HoldsElasticIp or TerminationRefused.")
  public String reason;

  @JsonPropertyDescription("When it is terminated (RFC 3339).")
  public String until;
}
