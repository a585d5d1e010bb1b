package dev.cutover.plugin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cutover.api.Failure;
import dev.cutover.api.PreviousFleet;
import dev.cutover.api.Promotion;
import dev.cutover.api.Release;
import dev.cutover.api.ReleaseStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What {@code kubectl cutover} (and its dashboard) can do to a Release: each action reads the
 * Release, says why it is not possible in this state or patches it in one merge patch that
 * carries the resourceVersion it read (so a change made meanwhile by the operator or a person
 * is never overwritten: the action reads again and decides again).
 *
 * <p>promote, undo, pause and resume change the spec, and warn when a GitOps controller owns it;
 * abort and retry are annotations the operator reads, which leave a GitOps-owned spec alone.
 */
public final class ReleaseActions {

  /** metadata.generation of the spec whose staged fleet is given up; read by the operator. */
  public static final String ABORT_ANNOTATION = Release.ABORT_ANNOTATION;
  /** A token (the time it was asked, RFC 3339) to stage the failed version again, once. */
  public static final String RETRY_ANNOTATION = Release.RETRY_ANNOTATION;

  /** How often an action reads again after its patch met a newer resourceVersion. */
  static final int ATTEMPTS = 5;

  private static final ObjectMapper JSON = new ObjectMapper();

  private ReleaseActions() {}

  /**
   * Approves the version for a Manual promotion: {@code spec.promotion.approvedVersion} becomes
   * {@code versionOrNull}, or spec.version when null. Not possible unless the Release is in
   * Manual mode, nor for another version than spec.version.
   */
  public static Outcome promote(KubernetesClient c, String namespace, String name,
      String versionOrNull) {
    return change(c, namespace, name, release -> {
      Promotion promotion = release.getSpec().promotion;
      if (promotion == null || promotion.mode != Promotion.Mode.Manual) {
        return refuse("Release " + name + " is not in Manual mode (spec.promotion.mode is "
            + (promotion == null || promotion.mode == null ? "Auto" : promotion.mode)
            + "): it is promoted as soon as it is verified, there is nothing to approve");
      }
      String version = release.getSpec().version;
      String approve = versionOrNull == null ? version : versionOrNull;
      if (!approve.equals(version)) {
        return refuse("cannot approve " + approve + ": Release " + name + " asks for " + version
            + " (spec.version); an approval counts only for that version");
      }
      if (approve.equals(promotion.approvedVersion)) {
        return done(approved(release, approve, "is already approved"));
      }
      return specPatch(release, Map.of("promotion", Map.of("approvedVersion", approve)),
          List.of("spec.promotion.approvedVersion: " + approve),
          approved(release, approve, "approved"));
    });
  }

  private static String approved(Release release, String version, String what) {
    String name = release.getMetadata().getName();
    ReleaseStatus status = release.getStatus();
    boolean serving = status != null && status.activeFleet != null
        && version.equals(status.activeFleet.version);
    boolean waiting = status != null && status.stagingFleet != null
        && version.equals(status.stagingFleet.version) && status.stagingFleet.verifiedAt != null;
    return version + " " + what + " for Release " + name + (serving ? ": it serves already"
        : waiting ? ": the verified fleet receives the Elastic IP now"
            : ": its fleet receives the Elastic IP once it is verified");
  }

  /**
   * Gives up the staged version: writes {@value #ABORT_ANNOTATION} = metadata.generation, upon
   * which the operator terminates the staged fleet, leaves production as it is and reports
   * Stalled (reason Aborted) until the spec changes or a retry. Not possible when the spec's
   * version already serves or is the retained fleet production returns to, nor when it already
   * failed.
   */
  public static Outcome abort(KubernetesClient c, String namespace, String name) {
    return change(c, namespace, name, release -> {
      String generation = String.valueOf(release.getMetadata().getGeneration());
      String version = release.getSpec().version;
      ReleaseStatus status = release.getStatus();
      if (ReleaseFacts.abortAsked(release)) {
        return done("Release " + name + " is already aborted at generation " + generation);
      }
      String desired = ReleaseFacts.desiredFleet(release);
      if (status != null && status.activeFleet != null
          && desired.equals(status.activeFleet.id)) {
        return refuse("nothing to abort: " + version + " (spec.version) already serves "
            + "Release " + name);
      }
      if (status != null && status.previousFleet != null
          && desired.equals(status.previousFleet.id)) {
        return refuse("nothing to abort: Release " + name + " is switching back to the "
            + "retained fleet of " + version + ", which production returns to; set "
            + "spec.version to stay on " + (status.activeFleet == null ? "the active fleet"
                : status.activeFleet.version));
      }
      Optional<Failure> failed = ReleaseFacts.blockingFailure(release);
      if (failed.isPresent()) {
        return refuse("nothing to abort: " + version + " already failed ("
            + failed.get().reason + "), nothing of it is staged; `kubectl cutover retry "
            + name + "` stages it again");
      }
      Map<String, Object> annotations = new LinkedHashMap<>();
      annotations.put(ABORT_ANNOTATION, generation);
      annotations.put(RETRY_ANNOTATION, null);
      String production = status == null || status.activeFleet == null ? "nothing"
          : status.activeFleet.version;
      List<String> warnings = Boolean.TRUE.equals(release.getSpec().paused)
          ? List.of("Release " + name + " is paused: Cutover gives " + version + " up once "
              + "it is resumed")
          : List.of();
      return new Patch(Map.of("metadata", Map.of("annotations", annotations)),
          "aborting " + version + " of Release " + name + ": its staged fleet is terminated, "
              + "production (" + production + ") stays as it is until the spec changes or "
              + "`kubectl cutover retry " + name + "`",
          warnings);
    });
  }

  /**
   * Stages the failed or aborted version again from scratch: removes {@value #ABORT_ANNOTATION}
   * and writes {@value #RETRY_ANNOTATION} = now (a token the operator honours once). Not
   * possible when nothing failed or was aborted.
   */
  public static Outcome retry(KubernetesClient c, String namespace, String name) {
    return retry(c, namespace, name, Clock.systemUTC());
  }

  static Outcome retry(KubernetesClient c, String namespace, String name, Clock clock) {
    return change(c, namespace, name, release -> {
      boolean aborted = ReleaseFacts.abortAsked(release);
      Optional<Failure> failed = ReleaseFacts.blockingFailure(release);
      String version = release.getSpec().version;
      if (!aborted && failed.isEmpty()) {
        ReleaseStatus status = release.getStatus();
        return refuse("nothing to retry: " + version + " of Release " + name + " has neither "
            + "failed nor been aborted" + (status == null || status.phase == null ? ""
                : " (phase " + status.phase + ")"));
      }
      Map<String, Object> annotations = new LinkedHashMap<>();
      annotations.put(ABORT_ANNOTATION, null);
      // Milliseconds: a second retry within the same second must be a new token, or the
      // operator, which honours each token once, would take it for the first.
      annotations.put(RETRY_ANNOTATION,
          Instant.now(clock).truncatedTo(ChronoUnit.MILLIS).toString());
      List<String> warnings = Boolean.TRUE.equals(release.getSpec().paused)
          ? List.of("Release " + name + " is paused: Cutover stages " + version + " again once "
              + "it is resumed")
          : List.of();
      String message = failed.isPresent()
          ? "retrying " + version + " of Release " + name + " (" + failed.get().reason
              + "): a new fleet is staged from scratch"
          : "withdrew the abort of " + version + " of Release " + name + " before Cutover "
              + "carried it out";
      return new Patch(Map.of("metadata", Map.of("annotations", annotations)), message,
          warnings);
    });
  }

  /**
   * Switches back to the retained fleet: spec.version becomes status.previousFleet.version, which
   * the operator serves by moving the Elastic IPs (of every role) back in one step, launching
   * nothing. Not possible when no fleet is retained.
   */
  public static Outcome undo(KubernetesClient c, String namespace, String name) {
    return change(c, namespace, name, release -> {
      ReleaseStatus status = release.getStatus();
      PreviousFleet previous = status == null ? null : status.previousFleet;
      if (previous == null || previous.version == null || previous.instanceIds == null
          || previous.instanceIds.isEmpty()) {
        return refuse("nothing retained to undo to: Release " + name + " keeps no previous "
            + "fleet (it has not switched yet, or its retention.previousFleetTTL has passed)");
      }
      String version = release.getSpec().version;
      if (previous.version.equals(version)) {
        return done("Release " + name + " is already switching back to " + version);
      }
      String names = ReleaseFacts.fleetWithVersion(release, previous.version);
      if (previous.id != null && !previous.id.equals(names)) {
        return refuse("cannot undo to " + previous.version + " by setting spec.version alone: "
            + "the template changed since that fleet served, so spec.version: "
            + previous.version + " names a new fleet (" + names + ") that Cutover would launch "
            + "and verify, not the retained fleet " + previous.id + ". Restore the template "
            + previous.version + " ran with as well (from Git or the manifest you applied), "
            + "or set spec.version yourself to launch " + previous.version + " with today's "
            + "template");
      }
      List<String> warnings = new ArrayList<>();
      if (status.stagingFleet != null && !previous.version.equals(status.stagingFleet.version)) {
        warnings.add("the staging fleet of " + status.stagingFleet.version
            + " is given up: spec.version no longer asks for it");
      }
      String serving = status.activeFleet == null ? "nothing" : status.activeFleet.version;
      Patch patch = specPatch(release, Map.of("version", previous.version),
          List.of("spec.version: " + previous.version),
          "switching Release " + name + " back from " + serving + " to " + previous.version
              + " (the retained fleet " + previous.id + (previous.expiresAt == null ? ""
                  : ", which would expire " + Times.relative(previous.expiresAt,
                      Instant.now())) + ")");
      warnings.addAll(patch.warnings());
      return new Patch(patch.body(), patch.message(), warnings);
    });
  }

  /** spec.paused = true: the operator observes and reports, and changes nothing in EC2. */
  public static Outcome pause(KubernetesClient c, String namespace, String name) {
    return setPaused(c, namespace, name, true);
  }

  /** spec.paused = false. */
  public static Outcome resume(KubernetesClient c, String namespace, String name) {
    return setPaused(c, namespace, name, false);
  }

  private static Outcome setPaused(KubernetesClient c, String namespace, String name,
      boolean paused) {
    return change(c, namespace, name, release -> {
      if (Boolean.TRUE.equals(release.getSpec().paused) == paused) {
        return done("Release " + name + " is already " + (paused ? "paused" : "running"));
      }
      return specPatch(release, Map.of("paused", paused), List.of("spec.paused: " + paused),
          paused ? "paused Release " + name + ": Cutover observes it and changes nothing in EC2"
              : "resumed Release " + name);
    });
  }

  /** What an action decided from the Release it read. */
  sealed interface Decision permits Refusal, Done, Patch {}

  /** Not possible in this state. */
  record Refusal(Outcome outcome) implements Decision {}

  /** Already as asked: nothing to write. */
  record Done(String message) implements Decision {}

  /** A merge patch (without the resourceVersion, added when it is sent). */
  record Patch(Map<String, Object> body, String message, List<String> warnings)
      implements Decision {}

  private static Decision refuse(String message) {
    return new Refusal(Outcome.notPossible(message));
  }

  private static Decision done(String message) {
    return new Done(message);
  }

  /** A patch of spec fields, with the GitOps warning when a controller owns the Release. */
  private static Patch specPatch(Release release, Map<String, Object> spec, List<String> fields,
      String message) {
    List<String> warnings = GitOpsOwner.of(release)
        .map(owner -> List.of(owner.warning(release.getMetadata().getName(), fields)))
        .orElse(List.of());
    return new Patch(Map.of("spec", spec), message, warnings);
  }

  /** Reads, decides and patches, reading again when the Release changed in between. */
  static Outcome change(KubernetesClient c, String namespace, String name,
      Function<Release, Decision> decide) {
    Resource<Release> resource = c.resources(Release.class).inNamespace(namespace)
        .withName(name);
    String what = "releases.cutover.dev " + name + " in namespace " + namespace;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      Release release;
      try {
        release = resource.get();
      } catch (KubernetesClientException e) {
        return ApiFailures.of(e, "get", what);
      }
      if (release == null) {
        return Outcome.notFound(namespace, name);
      }
      Decision decision = decide.apply(release);
      if (decision instanceof Refusal refusal) {
        return refusal.outcome();
      }
      if (decision instanceof Done done) {
        return Outcome.ok(done.message());
      }
      Patch patch = (Patch) decision;
      try {
        resource.patch(PatchContext.of(PatchType.JSON_MERGE),
            json(withResourceVersion(patch.body(), release.getMetadata().getResourceVersion())));
        return Outcome.ok(patch.message(), patch.warnings());
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          return Outcome.notFound(namespace, name);
        }
        if (e.getCode() != ApiFailures.CONFLICT) {
          return ApiFailures.of(e, "patch", what);
        }
      }
    }
    return new Outcome(ExitCodes.API_ERROR, "Release " + name + " changed " + ATTEMPTS
        + " times while this command tried to change it; nothing was written", List.of());
  }

  /** A merge patch as JSON; a null value removes the field (an annotation, for one). */
  static String json(Map<String, Object> body) {
    try {
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The patch with metadata.resourceVersion, so that the API server refuses a stale one. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> withResourceVersion(Map<String, Object> body,
      String resourceVersion) {
    Map<String, Object> patched = new LinkedHashMap<>(body);
    Map<String, Object> metadata = new LinkedHashMap<>(
        (Map<String, Object>) body.getOrDefault("metadata", Map.of()));
    metadata.put("resourceVersion", resourceVersion);
    patched.put("metadata", metadata);
    return patched;
  }
}
