package dev.cutover.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A blue/green release of an EC2 fleet behind an Elastic IP. Changing the version or the
 * instance template launches a complete new fleet beside production, verifies it, moves the
 * Elastic IP to it in one call and keeps the previous fleet for a retention period.
 */
@Group(Release.GROUP)
@Version(Release.VERSION)
@ShortNames("rel")
// `kubectl get rel` shows these columns in this order (after NAME). The CRD generator sorts
// them by JSON path; the build puts them back in the order declared here
// (api/PrinterColumnOrder in the test sources, run before the CRD drift check).
@AdditionalPrinterColumn(name = "Version", jsonPath = ".spec.version",
    type = AdditionalPrinterColumn.Type.STRING,
    getDescription = "The version the spec asks for.")
@AdditionalPrinterColumn(name = "Active", jsonPath = ".status.activeFleet.version",
    type = AdditionalPrinterColumn.Type.STRING,
    getDescription = "The version production serves.")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Fleet", jsonPath = ".status.size",
    type = AdditionalPrinterColumn.Type.INTEGER,
    getDescription = "Instances in one whole fleet.")
@AdditionalPrinterColumn(name = "IP", jsonPath = ".status.elasticIp.publicIp",
    type = AdditionalPrinterColumn.Type.STRING,
    getDescription = "The Elastic IP that decides which fleet is production.")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Retained", jsonPath = ".status.previousFleet.version",
    type = AdditionalPrinterColumn.Type.STRING, priority = 1,
    getDescription = "The version kept for switching back.")
@AdditionalPrinterColumn(name = "Staging", jsonPath = ".status.stagingFleet.state",
    type = AdditionalPrinterColumn.Type.STRING, priority = 1,
    getDescription = "Where the staging fleet stands.")
public class Release extends CustomResource<ReleaseSpec, ReleaseStatus> implements Namespaced {

  public static final String GROUP = "cutover.dev";
  public static final String VERSION = "v1alpha1";

  /**
   * Gives up the version the spec names, recorded outside the spec (a GitOps-owned spec is not
   * edited): its value is the {@code metadata.generation} aborted, as a decimal number. It
   * applies while the generation is that one and the spec's fleet is not production's: the
   * staged fleet is terminated, production is untouched, the Release is Stalled (Aborted).
   * Any other spec change ends it (pausing and resuming do not); a value naming another
   * generation is stale and ignored.
   */
  public static final String ABORT_ANNOTATION = GROUP + "/abort";

  /**
   * Stages the spec's version again from scratch after it failed (any reason, an abort
   * included): an opaque token (an RFC 3339 time, say); each new token retries once, and the
   * one honoured last is kept in {@code status.lastRetry}. A token set while nothing failed
   * does nothing.
   */
  public static final String RETRY_ANNOTATION = GROUP + "/retry";

  @Override
  protected ReleaseStatus initStatus() {
    return new ReleaseStatus();
  }
}
