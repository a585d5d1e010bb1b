package dev.cutover.decide;

import dev.cutover.api.ActionError;
import dev.cutover.api.Failure;
import dev.cutover.api.InstanceTemplate;
import dev.cutover.api.InstanceTypeRefusal;
import dev.cutover.api.Release;
import dev.cutover.decide.Action.Launch;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a failed EC2 call means. The failure belongs to the action that failed: it is recorded
 * with a retry time (exponential backoff, bounded) and only that action waits. A launch of a new
 * fleet refused for a reason that only a spec change can fix (an unknown AMI, a missing subnet,
 * no permission) fails that fleet; capacity and quota refusals are retried until the staging
 * deadline; production is never blamed.
 */
public final class Failures {

  /** The first retry after a refusal; each further one doubles, up to {@link #MAX_BACKOFF}. */
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(10);
  /** Throttling and 5xx: retried sooner. */
  static final Duration FIRST_RETRYABLE_BACKOFF = Duration.ofSeconds(2);
  static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

  /** EC2 has no room now: another try (or the deadline) decides. */
  static final Set<String> CAPACITY = Set.of("InsufficientInstanceCapacity",
      "InsufficientCapacity", "InsufficientHostCapacity", "InsufficientReservedInstanceCapacity",
      "InstanceLimitExceeded", "VcpuLimitExceeded", "MaxSpotInstanceCountExceeded",
      "Unsupported");

  private Failures() {}

  /**
   * A refused call: the error with its retry time, and the staging fleet it fails when only a
   * spec change can fix it.
   */
  public record Refusal(ActionError error, Failure fleetFailure,
      InstanceTypeRefusal unavailableType) {

    public Refusal(ActionError error, Failure fleetFailure) {
      this(error, fleetFailure, null);
    }
  }

  /** What a failure of {@code action} means; the previous error comes from status. */
  public static Refusal onFailure(Release release, Action action, String code, String message,
      boolean retryable, Instant now) {
    ActionError previous = release.getStatus() == null || release.getStatus().errors == null
        ? null : release.getStatus().errors.stream()
            .filter(e -> action.key().equals(e.action)).findFirst().orElse(null);
    int attempts = previous != null && action.key().equals(previous.action)
        && code.equals(previous.code) && previous.attempts != null ? previous.attempts + 1 : 1;
    ActionError e = new ActionError();
    e.action = action.key();
    e.operation = action.operation();
    e.code = code;
    e.message = message;
    e.retryable = retryable ? Boolean.TRUE : null;
    e.attempts = attempts;
    e.at = now.toString();
    e.retryAt = now.plus(backoff(attempts, retryable)).toString();
    Failure f = null;
    InstanceTypeRefusal unavailable = null;
    if (action instanceof Launch launch && launch.instanceType() != null
        && InstanceTypes.FALLBACK_CODES.contains(code)) {
      unavailable = InstanceTypes.refusal(launch, code, now);
      List<InstanceTypeRefusal> refused = new ArrayList<>(
          InstanceTypes.recent(release.getStatus(), now));
      refused.add(unavailable);
      InstanceTemplate t = release.getSpec().templateOf(launch.role()).orElse(null);
      Optional<String> next = InstanceTypes.next(t, refused, launch);
      if (next.isPresent()) {
        // The next type is tried soon: a capacity refusal launched nothing. Not at once: the
        // next pass must read this refusal back from status to choose the next type.
        e.retryAt = now.plus(InstanceTypes.FALLBACK_PAUSE).toString();
        e.message = message + " Trying " + next.get() + " for " + launch.subnetId() + ".";
      } else if ("Staging".equals(launch.purpose())) {
        f = failure(release, launch, "InsufficientInstanceCapacity", "EC2 has no capacity for "
            + "any of " + String.join(", ", t.instanceTypes) + " in " + launch.subnetId()
            + (launch.role().isEmpty() ? "" : " (role " + launch.role() + ")") + ": "
            + code + ": " + message, now);
      }
    } else if (action instanceof Launch launch && "Staging".equals(launch.purpose())
        && !retryable && !CAPACITY.contains(code)) {
      f = failure(release, launch, code.replaceAll("[^A-Za-z0-9]", ""),
          "EC2 RunInstances refused (" + code + "): " + message, now);
    }
    return new Refusal(e, f, unavailable);
  }

  private static Failure failure(Release release, Launch launch, String reason, String message,
      Instant now) {
    Failure f = new Failure();
    f.fleetId = launch.fleetId();
    f.version = launch.version();
    f.generation = release.getMetadata().getGeneration();
    f.reason = reason;
    f.message = message;
    f.at = now.toString();
    f.retryTokenAtFailure = Retries.pendingToken(release);
    return f;
  }


  /**
   * Whether the refused action is tried again by itself: throttling and server errors, and
   * capacity refusals (EC2 may have room at the next try, or another instance type has).
   */
  public static boolean triedAgain(ActionError e) {
    return Boolean.TRUE.equals(e.retryable) || CAPACITY.contains(e.code)
        || InstanceTypes.FALLBACK_CODES.contains(e.code);
  }

  static Duration backoff(int attempts, boolean retryable) {
    Duration first = retryable ? FIRST_RETRYABLE_BACKOFF : FIRST_BACKOFF;
    Duration d = first.multipliedBy(1L << Math.min(attempts - 1, 10));
    return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
  }
}
