package dev.cutover.status;

import dev.cutover.api.Release;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.decide.Action;
import dev.cutover.decide.SwitchReason;
import dev.cutover.ec2.Ec2Failure;
import dev.cutover.ec2.ManagedInstance;
import dev.cutover.observe.ObservedWorld;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/** The words of every Event about a Release: each action done, each refusal, each new phase. */
public final class Narrator {

  private final ReleaseEvents events;

  public Narrator(ReleaseEvents events) {
    this.events = events;
  }

  /** An action succeeded; a promotion says how long it waited after the last passing check. */
  public void done(Release release, Action action, ObservedWorld world, Instant now) {
    if (action instanceof Action.CallHook) {
      // Told with its answer: see hookCalls.
      return;
    }
    String message = action.describe();
    if (action instanceof Action.Associate associate
        && associate.reason() == SwitchReason.Promoted) {
      message += switchDelay(associate, world, now);
    }
    events.normal(release, action.eventReason(), message);
  }

  /** Drain calls that did not get the expected answer: one Warning naming each instance. */
  public void drainCalls(Release release, java.util.List<Action.Drain.Call> calls) {
    java.util.List<String> failed = calls.stream().filter(c -> !c.answered())
        .map(c -> c.instanceId() + " (" + c.problem() + ")").toList();
    if (!failed.isEmpty()) {
      events.warning(release, "DrainCallFailed", "The drain call failed for " + failed.size()
          + " of " + calls.size() + " instance" + (calls.size() == 1 ? "" : "s") + ": "
          + String.join(", ", failed) + "; they are terminated when their drain timeout ends.");
    }
  }

  /** Each webhook call with its answer: Normal HookCalled, or Warning HookFailed. */
  public void hookCalls(Release release, java.util.List<Action> actions,
      java.util.List<Action.CallHook.Call> calls) {
    for (Action a : actions) {
      if (!(a instanceof Action.CallHook hook)) {
        continue;
      }
      calls.stream().filter(c -> c.idempotencyKey().equals(hook.idempotencyKey())).findFirst()
          .ifPresent(call -> {
            String about = "The " + hook.event() + " hook " + hook.hook().url + " for fleet "
                + hook.fleetId() + " (attempt " + hook.attempt() + ")";
            if (call.succeeded()) {
              events.normal(release, "HookCalled", about + " answered " + call.httpStatus()
                  + ".");
            } else {
              events.warning(release, "HookFailed", about + " failed: " + call.problem()
                  + (hook.retryAt() != null && (call.retryable() || hook.retriesRefusal())
                      ? "; calling again at " + hook.retryAt() + "." : "."));
            }
          });
    }
  }

  /** An EC2 call was refused: the Event's reason is the AWS code. */
  public void refused(Release release, Ec2Failure failure) {
    events.warning(release, failure.code(), failure.getMessage());
  }

  /**
   * The phase changed: Normal, or Warning when the Release is stalled. An abort and a retry
   * are told once each, when status first records them: the abort as a Warning {@code Aborted}
   * (instead of the phase's {@code Failed}, which it is not), the retry as a Normal
   * {@code Retried}.
   */
  public void transition(Release release, ReleaseStatus before, ReleaseStatus next) {
    boolean aborted = newlyAborted(before, next);
    if (aborted) {
      var stalled = StatusBuilder.find(next, StatusBuilder.STALLED);
      var ready = StatusBuilder.find(next, StatusBuilder.READY);
      events.warning(release, "Aborted", stalled != null && "True".equals(stalled.getStatus())
          ? stalled.getMessage() : ready == null ? next.lastFailure.message
          : ready.getMessage());
    }
    newRetry(before, next).ifPresent(r -> events.normal(release, "Retried", "Staging "
        + r.version + " again from scratch (" + dev.cutover.api.Release.RETRY_ANNOTATION + " "
        + r.token + "): its last attempt failed (" + r.failure + (r.failedAt == null ? ""
            : " at " + r.failedAt) + ") and is forgotten."));
    if (before != null && before.phase == next.phase
        || aborted && next.phase == dev.cutover.api.Phase.Failed) {
      return;
    }
    var ready = StatusBuilder.find(next, StatusBuilder.READY);
    String message = "Phase " + (before == null || before.phase == null ? "(none)"
        : before.phase) + " -> " + next.phase + ": " + (ready == null ? "" : ready.getMessage());
    var stalled = StatusBuilder.find(next, StatusBuilder.STALLED);
    if (stalled != null && "True".equals(stalled.getStatus())) {
      events.warning(release, String.valueOf(next.phase), message);
    } else {
      events.normal(release, String.valueOf(next.phase), message);
    }
  }

  /** This shard recorded itself as the one acting on the Release, instead of {@code from}. */
  public void takenOver(Release release, String shard, String from, Instant actsAt) {
    events.normal(release, "TakenOver", capitalized(shardName(shard)) + " takes the Release over from "
        + shardName(from) + ", which no longer selects it (or selects it too); it acts on it "
        + "from " + actsAt.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ", once "
        + shardName(from) + "'s last EC2 call has ended and EC2 lists its effects.");
  }

  /**
   * Another shard began acting on a Release this shard also selects: this one waits. Either the
   * Release was moved back here at once, or the shards' selectors overlap.
   */
  public void shardConflict(Release release, String shard, String holder, Instant since,
      Instant until) {
    events.warning(release, "ShardConflict", capitalized(shardName(holder)) + " acts on this Release since "
        + since.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ", and " + shardName(shard)
        + " selects it too; " + shardName(shard) + " takes it over at "
        + until.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + " if it still selects it "
        + "then. If both keep selecting it, their selectors overlap: fix CUTOVER_NAMESPACES or "
        + "CUTOVER_RELEASE_SELECTOR of one of them.");
  }

  private static String capitalized(String words) {
    return Character.toUpperCase(words.charAt(0)) + words.substring(1);
  }

  private static String shardName(String shard) {
    return shard == null || shard.isEmpty() ? "the operator without a shard name"
        : "shard " + shard;
  }

  /** Status records an abort it did not record before. */
  private static boolean newlyAborted(ReleaseStatus before, ReleaseStatus next) {
    var f = next.lastFailure;
    if (f == null || !dev.cutover.decide.FailureReason.Aborted.is(f.reason)) {
      return false;
    }
    var was = before == null ? null : before.lastFailure;
    return was == null || !dev.cutover.decide.FailureReason.Aborted.is(was.reason)
        || !Objects.equals(was.at, f.at) || !Objects.equals(was.fleetId, f.fleetId);
  }

  /** The retry status records that it did not record before. */
  private static java.util.Optional<dev.cutover.api.RetryRecord> newRetry(ReleaseStatus before,
      ReleaseStatus next) {
    var r = next.lastRetry;
    var was = before == null ? null : before.lastRetry;
    return r != null && r.token != null && (was == null || !r.token.equals(was.token))
        ? java.util.Optional.of(r) : java.util.Optional.empty();
  }

  public void deleted(Release release) {
    events.normal(release, "Deleted", "Every instance of the Release is terminated.");
  }

  private static String switchDelay(Action.Associate associate, ObservedWorld world,
      Instant now) {
    String fleetId = world.instance(associate.instanceId()).map(ManagedInstance::fleetId)
        .orElse(null);
    return world.instances().stream().filter(i -> i.fleetId().equals(fleetId))
        .map(i -> world.http(i.id()).passedAt()).filter(Objects::nonNull)
        .max(Comparator.naturalOrder())
        .map(last -> " " + Duration.between(last, now).toMillis()
            + " ms after the last check passed")
        .orElse("");
  }
}
