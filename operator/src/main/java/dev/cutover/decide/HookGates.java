package dev.cutover.decide;

import dev.cutover.api.HistoryEntry;
import dev.cutover.api.HookRecord;
import dev.cutover.api.Hooks;
import dev.cutover.api.Webhook;
import dev.cutover.ec2.ElasticIp;
import dev.cutover.ec2.ManagedInstance;
import dev.cutover.observe.Fleet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Lifecycle webhooks (spec.hooks) as gates of the policy. Each event of a fleet has a stable
 * Idempotency-Key; status remembers the last call for it. A gate asks: no hook, or a success
 * recorded → go on; a failure that may be retried → call again at its time; a failure for good
 * → the hook's failurePolicy. A call is planned only while no success is recorded, so a hook is
 * called again for an event only after a failed call, or after the status that would have
 * recorded its answer was lost.
 */
final class HookGates {

  /** The first wait after a failed call; each later one doubles, up to {@link #MAX_BACKOFF}. */
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
  /** Records kept in status at most (the newest). */
  static final int RECORD_LIMIT = 20;

  private HookGates() {}

  /** Where a gate stands. */
  enum State { PASSED, PENDING, FAILED }

  /**
   * @param record the last call recorded for the event, if any
   * @param message for PENDING and FAILED: what is awaited or what went wrong, in a sentence
   */
  record Gate(State state, HookRecord record, String message) {
    boolean passed() {
      return state == State.PASSED;
    }

    boolean failed() {
      return state == State.FAILED;
    }

    static final Gate OPEN = new Gate(State.PASSED, null, null);
  }

  /**
   * preSwitch: before the promotion of {@code staged}. The key counts from the staging
   * attempt's start: a new attempt of the same fleet is a new event.
   */
  static Gate beforeSwitch(Draft d, Fleet active, Fleet staged, List<ManagedInstance> members) {
    Instant anchor = d.trial == null || d.trial.startedAt() == null ? d.now
        : d.trial.startedAt();
    return gate(d, Hooks.Event.preSwitch, staged.id(), staged.version(),
        active == null ? null : active.version(), members, anchor);
  }

  /**
   * postSwitch: once the status shows a switch to {@code active} (a promotion or a switch
   * back, as the history's last entry, made when the active fleet's time began). Returns the
   * gate (PASSED also when no switch awaits its hook).
   */
  static Gate afterSwitch(Draft d, Fleet active) {
    var recorded = d.last.activeFleet;
    if (active == null || recorded == null || !active.id().equals(recorded.id)
        || recorded.since == null || d.last.history == null || d.last.history.isEmpty()) {
      return Gate.OPEN;
    }
    HistoryEntry lastSwitch = d.last.history.get(d.last.history.size() - 1);
    boolean toThis = active.version().equals(lastSwitch.to)
        && recorded.since.equals(lastSwitch.at)
        && (SwitchReason.Promoted.name().equals(lastSwitch.reason)
            || SwitchReason.SwitchedBack.name().equals(lastSwitch.reason));
    if (!toThis) {
      return Gate.OPEN;
    }
    return gate(d, Hooks.Event.postSwitch, active.id(), active.version(), lastSwitch.from,
        active.alive(), Instant.parse(recorded.since));
  }

  /** preTerminate: before the retained fleet goes at the end of its retention. */
  static Gate beforeTermination(Draft d, Fleet retained, Instant expiresAt) {
    if (retained.notGone().isEmpty()) {
      return Gate.OPEN;
    }
    return gate(d, Hooks.Event.preTerminate, retained.id(), d.spec.version,
        retained.version(), retained.notGone(), expiresAt);
  }

  private static Gate gate(Draft d, Hooks.Event event, String fleetId, String version,
      String fromVersion, List<ManagedInstance> instances, Instant anchor) {
    Webhook hook = d.spec.hooks == null ? null : d.spec.hooks.of(event);
    if (hook == null) {
      return Gate.OPEN;
    }
    String key = key(d, event, fleetId, anchor);
    Optional<HookRecord> last = recorded(d, key);
    if (last.isPresent() && last.get().succeeded()) {
      return new Gate(State.PASSED, last.get(), null);
    }
    Webhook.FailurePolicy policy = policy(hook, event);
    // Pending: the pass that announced the call ended before recording its answer (a crash,
    // a lost write). The call is made again, as the same attempt, with the same key.
    boolean unanswered = last.isPresent() && last.get().pending();
    if (!unanswered && last.isPresent() && last.get().retryAt == null) {
      String why = describe(event, hook, last.get());
      if (policy == Webhook.FailurePolicy.Ignore) {
        d.hookReports.add(why + " (failurePolicy Ignore: going on).");
        return new Gate(State.PASSED, last.get(), why);
      }
      return new Gate(State.FAILED, last.get(), why);
    }
    if (!unanswered && last.isPresent()
        && d.now.isBefore(Instant.parse(last.get().retryAt))) {
      d.wakeAt(Instant.parse(last.get().retryAt));
      String why = describe(event, hook, last.get()) + "; calling again at "
          + last.get().retryAt;
      return new Gate(State.PENDING, last.get(), why);
    }
    int attempt = last.map(r -> r.attempts == null ? 1
        : unanswered ? r.attempts : r.attempts + 1).orElse(1);
    boolean keepsTrying = event == Hooks.Event.preTerminate
        && policy == Webhook.FailurePolicy.Abort;
    Instant retryAt = attempt <= hook.retriesOrDefault() ? d.now.plus(backoff(attempt))
        : keepsTrying ? d.now.plus(MAX_BACKOFF) : null;
    // Addresses go in switch order, the primary first.
    List<ElasticIp> addresses = new ArrayList<>();
    d.bindings.forEach(b -> b.address().ifPresent(addresses::add));
    d.actions.add(new Action.CallHook(event, hook, fleetId, version, fromVersion,
        List.copyOf(instances), List.copyOf(addresses), key, attempt, retryAt, keepsTrying));
    return new Gate(State.PENDING, last.orElse(null), "calling the " + event + " hook "
        + hook.url + (attempt == 1 ? "" : " (attempt " + attempt + ")"));
  }

  /** The wait after the {@code attempt}-th call failed: 1s, 2s, 4s … up to 5m. */
  static Duration backoff(int attempt) {
    Duration wait = FIRST_BACKOFF.multipliedBy(1L << Math.min(attempt - 1, 20));
    return wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
  }

  static Webhook.FailurePolicy policy(Webhook hook, Hooks.Event event) {
    return hook.failurePolicy == null ? event.defaultPolicy() : hook.failurePolicy;
  }

  /** release uid, event, fleet and the event's time: the same for every call of one event. */
  static String key(Draft d, Hooks.Event event, String fleetId, Instant anchor) {
    return d.release.getMetadata().getUid() + "/" + event + "/" + fleetId + "/"
        + anchor.toEpochMilli();
  }

  private static Optional<HookRecord> recorded(Draft d, String key) {
    return d.last.hooks == null ? Optional.empty()
        : d.last.hooks.stream().filter(r -> key.equals(r.idempotencyKey)).findFirst();
  }

  private static String describe(Hooks.Event event, Webhook hook, HookRecord r) {
    return "The " + event + " hook " + hook.url + " failed"
        + (r.attempts == null ? "" : " after " + r.attempts + " call"
            + (r.attempts == 1 ? "" : "s"))
        + (r.message == null ? "" : " (" + r.message + ")");
  }

  /**
   * The records status keeps: the newest {@link #RECORD_LIMIT} of those whose fleet EC2 still
   * lists or status still names. A fleet whose instances are all gone may still be production
   * (and be healed): its records stay, or its events would be called again.
   */
  static List<HookRecord> kept(Draft d) {
    if (d.last.hooks == null) {
      return List.of();
    }
    java.util.Set<String> named = new java.util.HashSet<>(d.world.fleets().keySet());
    if (d.last.activeFleet != null) {
      named.add(d.last.activeFleet.id);
    }
    if (d.last.previousFleet != null) {
      named.add(d.last.previousFleet.id);
    }
    if (d.last.stagingFleet != null) {
      named.add(d.last.stagingFleet.id);
    }
    List<HookRecord> kept = d.last.hooks.stream().filter(r -> named.contains(r.fleetId))
        .toList();
    return kept.subList(Math.max(0, kept.size() - RECORD_LIMIT), kept.size());
  }
}
