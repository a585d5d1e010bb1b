package dev.cutover.status;

import dev.cutover.api.Release;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.decide.Health;
import dev.cutover.decide.Plan;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The one place that writes status: the plan's fleets and phase, observedGeneration, and the
 * conditions kstatus, Flux, Argo CD and {@code kubectl wait} read (Ready, Reconciling, Stalled)
 * plus Available and Progressing. A condition keeps its lastTransitionTime while its status
 * stays the same.
 */
public final class StatusBuilder {

  public static final String READY = "Ready";
  public static final String RECONCILING = "Reconciling";
  public static final String STALLED = "Stalled";
  public static final String AVAILABLE = "Available";
  public static final String PROGRESSING = "Progressing";

  private StatusBuilder() {}

  public static ReleaseStatus build(Release release, Plan plan, Instant now) {
    ReleaseStatus previous = release.getStatus() == null ? new ReleaseStatus()
        : release.getStatus();
    ReleaseStatus status = plan.status();
    long generation = release.getMetadata().getGeneration() == null ? 0
        : release.getMetadata().getGeneration();
    status.observedGeneration = generation;
    Health h = plan.health();
    boolean paused = "Paused".equals(h.reason());
    List<Condition> conditions = new ArrayList<>();
    conditions.add(condition(previous, READY, h.ready(), h.ready() ? "Live" : h.reason(),
        h.message(), generation, now));
    conditions.add(condition(previous, RECONCILING, !h.ready() && !h.stalled() && !paused,
        h.reason(), h.message(), generation, now));
    conditions.add(condition(previous, STALLED, h.stalled(), h.reason(), h.message(),
        generation, now));
    conditions.add(condition(previous, AVAILABLE, h.available(),
        h.available() ? "ElasticIpOnActiveFleet" : "NotServing",
        h.available() ? "The Elastic IP points at a running instance of the active fleet."
            : "The Elastic IP does not point at a running instance of the active fleet.",
        generation, now));
    conditions.add(condition(previous, PROGRESSING, h.progressing(), h.reason(), h.message(),
        generation, now));
    status.conditions = conditions;
    return status;
  }

  /**
   * The status to write before the plan's first action: the Release's status as it is, plus the
   * intent and the failure the plan records (a revert blocks the fleet it leaves even if the
   * status after the call is lost).
   */
  public static ReleaseStatus withIntent(Release release, Plan plan) {
    ReleaseStatus status = release.getStatus() == null ? new ReleaseStatus()
        : Serialization.clone(release.getStatus());
    status.intent = plan.intent().orElse(null);
    if (plan.status().lastFailure != null) {
      status.lastFailure = plan.status().lastFailure;
    }
    return status;
  }

  /**
   * The status after an action failed: what was recorded before acting plus the failure, with
   * conditions that name the AWS code and the retry time. Nothing the plan meant to do is
   * claimed.
   */
  public static ReleaseStatus afterFailure(Release release, ReleaseStatus before,
      ReleaseStatus failed, Health planned, Instant now) {
    var e = failed.lastError;
    boolean blocksFleet = failed.lastFailure != null && (before == null
        || before.lastFailure == null || !Objects.equals(before.lastFailure.at,
            failed.lastFailure.at));
    if (blocksFleet) {
      failed.phase = dev.cutover.api.Phase.Failed;
    }
    String message = "EC2 " + e.operation + " failed (" + e.code + "): " + e.message
        + (blocksFleet ? " " + failed.lastFailure.version + " is not tried again until the "
            + "spec changes; production is untouched."
            : " Trying again at " + e.retryAt + ".");
    Health health = new Health(false, !blocksFleet && Boolean.TRUE.equals(e.retryable),
        blocksFleet || !Boolean.TRUE.equals(e.retryable), planned.available(),
        e.code.replaceAll("[^A-Za-z0-9]", ""), message);
    return build(release, new Plan(java.util.List.of(), failed, health,
        java.util.Optional.empty(), false, java.util.List.of(), java.util.Optional.empty()), now);
  }

  /** Whether writing {@code next} changes anything (so an unchanged status is never patched). */
  public static boolean differs(ReleaseStatus current, ReleaseStatus next) {
    return current == null || !Objects.equals(Serialization.asJson(current),
        Serialization.asJson(next));
  }

  public static Condition find(ReleaseStatus status, String type) {
    if (status == null || status.conditions == null) {
      return null;
    }
    return status.conditions.stream().filter(c -> type.equals(c.getType())).findFirst()
        .orElse(null);
  }

  private static Condition condition(ReleaseStatus previous, String type, boolean value,
      String reason, String message, long generation, Instant now) {
    String status = value ? "True" : "False";
    Condition before = find(previous, type);
    String since = before != null && status.equals(before.getStatus())
        && before.getLastTransitionTime() != null ? before.getLastTransitionTime()
        : now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    return new ConditionBuilder().withType(type).withStatus(status).withReason(reason)
        .withMessage(message).withObservedGeneration(generation)
        .withLastTransitionTime(since).build();
  }
}
