package dev.cutover.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** The new fleet on its way to production. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StagingFleet {

  @JsonPropertyDescription("Fleet id: a short hash of version and template.")
  public String id;

  @JsonPropertyDescription("Version the fleet runs.")
  public String version;

  @JsonPropertyDescription("Where the fleet stands, in one CamelCase word (the reason of the "
      + "Release's conditions): Launching, Booting, StatusChecks, HttpChecks, MetricChecks, "
      + "Soaking, AwaitingPromotion, LaunchRefused, Paused, ... (`kubectl get rel -o wide`, "
      + "column STAGING).")
  public String state;

  @JsonPropertyDescription("The fleet's instances and their checks.")
  public List<FleetInstance> instances;

  @JsonPropertyDescription("When the fleet was launched (RFC 3339).")
  public String startedAt;

  @JsonPropertyDescription("When verification must be complete (RFC 3339).")
  public String deadline;

  @JsonPropertyDescription("When every instance passed its checks (RFC 3339); soak counts from "
      + "here.")
  public String verifiedAt;
}
