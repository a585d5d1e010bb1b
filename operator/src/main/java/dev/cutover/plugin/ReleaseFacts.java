package dev.cutover.plugin;

import dev.cutover.api.Failure;
import dev.cutover.api.FleetId;
import dev.cutover.api.Release;
import dev.cutover.api.ReleaseSpec;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.api.RetryRecord;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a Release's spec, annotations and status say about it, read the way Cutover reads them:
 * the fleet the spec names, the failure that holds it back, an abort asked for. The plugin
 * judges what is possible from these, so that it refuses what Cutover would ignore.
 */
final class ReleaseFacts {

  private ReleaseFacts() {}

  /** The fleet the spec names, with the launch template versions status last resolved. */
  static String desiredFleet(Release release) {
    return FleetId.of(release.getSpec(), FleetId.pinsOf(release.getStatus()));
  }

  /** The fleet the spec would name with {@code version} instead of its own. */
  static String fleetWithVersion(Release release, String version) {
    ReleaseSpec spec = KubectlCutover.JSON.convertValue(release.getSpec(), ReleaseSpec.class);
    spec.version = version;
    return FleetId.of(spec, FleetId.pinsOf(release.getStatus()));
  }

  /**
   * The failure that holds the spec's fleet back: of that fleet, at this generation, or an
   * abort of the same spec (pausing and resuming do not end an abort). Cutover stages the fleet
   * again only after a spec change or a retry.
   */
  static Optional<Failure> blockingFailure(Release release) {
    ReleaseStatus status = release.getStatus();
    Failure f = status == null ? null : status.lastFailure;
    if (f == null) {
      return Optional.empty();
    }
    if (f.fleetId != null && !f.fleetId.equals(desiredFleet(release))
        || f.fleetId == null && !Objects.equals(f.version, release.getSpec().version)) {
      return Optional.empty();
    }
    boolean sameGeneration = Objects.equals(f.generation,
        release.getMetadata().getGeneration());
    boolean sameAbortedSpec = "Aborted".equals(f.reason) && f.specDigest != null
        && f.specDigest.equals(FleetId.specDigest(release.getSpec()));
    return sameGeneration || sameAbortedSpec ? Optional.of(f) : Optional.empty();
  }

  /**
   * The abort annotation names this generation and no retry at this generation set it aside:
   * Cutover gives the staged version up (or has).
   */
  static boolean abortAsked(Release release) {
    Long generation = release.getMetadata().getGeneration();
    String abort = annotation(release, Release.ABORT_ANNOTATION);
    // Read as the operator reads it (observe/Requests): a whole number, "007" naming 7.
    if (abort == null || generation == null || !abort.trim().matches("[0-9]{1,18}")
        || Long.parseLong(abort.trim()) != generation) {
      return false;
    }
    RetryRecord retry = release.getStatus() == null ? null : release.getStatus().lastRetry;
    return retry == null || !Boolean.TRUE.equals(retry.abortIgnored)
        || !generation.equals(retry.generation);
  }

  static String annotation(Release release, String key) {
    Map<String, String> annotations = release.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }
}
