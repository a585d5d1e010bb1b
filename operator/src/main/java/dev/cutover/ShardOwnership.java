package dev.cutover;

import dev.cutover.api.ReleaseStatus;
import dev.cutover.api.ShardRecord;
import dev.cutover.ec2.Ec2Gateway;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;

/**
 * Which operator shard acts on a Release, and when another may take it over. The answer is
 * recorded in the Release's {@code status.shard} by status writes conditional on the version the
 * writer read, so of two shards that read the same version only one can record itself.
 *
 * <ul>
 *   <li>A Release no operator has written status for yet: a named shard records itself first
 *       (before any EC2 call), then acts; an operator without a shard name just acts.
 *   <li>Recorded for this shard: it acts; after a takeover, only from {@code since + }
 *       {@link #GRACE}, on a poll started after that.
 *   <li>Recorded for another shard: this shard's selector selects the Release, so it moved here
 *       (relabelled, or the selectors changed), or the shards' selectors overlap. It takes the
 *       Release over, unless the other shard began acting on it less than {@link #HOLD} ago:
 *       then it waits, so that two overlapping shards hand a Release back and forth at most
 *       once per HOLD instead of in a loop, and never act on it at the same time.
 * </ul>
 *
 * <p>The shard that loses a Release stops acting on it: its informer drops it (nothing of a
 * deletion runs: the Release is not deleted), and before each EC2 call that changes something
 * it reads the Release again and stops when the Release is no longer its own. Its status writes
 * are conditional on the version it read, and the relabelling changed that version.
 */
public final class ShardOwnership {

  /**
   * How long a shard that took a Release over waits before it acts: the previous shard's last
   * EC2 call, started before it saw the Release leave, has ended ({@link #LAST_CALL}: the
   * gateway abandons a call that changes something after {@link Ec2Gateway#CALL_TIMEOUT}), and
   * EC2's Describe calls list its effect ({@link Ec2Gateway#LISTING_DELAY}). A launch the
   * previous shard made later than that is still found by its ClientToken on AWS, which this
   * shard's launch of the same slots repeats.
   */
  public static final Duration LAST_CALL = Ec2Gateway.CALL_TIMEOUT;
  public static final Duration GRACE = LAST_CALL.plus(Ec2Gateway.LISTING_DELAY);
  /** A shard does not take over a Release another shard took over less than this ago. */
  public static final Duration HOLD = Duration.ofMinutes(2);

  /** What a shard does with a Release now. */
  public sealed interface Verdict permits Act, Claim, TakeOver, Wait, Defer {}

  /**
   * Act on it; every status written carries {@code record} (null: none, an operator without a
   * shard name on a Release no shard has held). {@code settledAt}: act only on an EC2 poll
   * started at or after it.
   */
  public record Act(ShardRecord record, Optional<Instant> settledAt) implements Verdict {}

  /** Record this shard first (no operator wrote status yet), then act in the same pass. */
  public record Claim(ShardRecord record) implements Verdict {}

  /** Record this shard instead of {@code from}; act from {@code actsAt}. */
  public record TakeOver(ShardRecord record, String from, Instant actsAt) implements Verdict {}

  /** This shard took the Release over; it acts from {@code until}. */
  public record Wait(Instant until) implements Verdict {}

  /** {@code holder} began acting on it at {@code since}; look again at {@code until}. */
  public record Defer(String holder, Instant since, Instant until) implements Verdict {}

  private final String shard;

  private ShardOwnership(String shard) {
    this.shard = shard;
  }

  /** An operator without a shard name: it records nothing until it takes a Release over. */
  public static ShardOwnership unsharded() {
    return new ShardOwnership("");
  }

  public static ShardOwnership of(Optional<String> shard) {
    return new ShardOwnership(shard.orElse(""));
  }

  /** This shard's name; empty for an operator without one. */
  public String name() {
    return shard;
  }

  /** What to do with a Release whose status is {@code status}, now. */
  public Verdict judge(ReleaseStatus status, Instant now) {
    ShardRecord record = status == null ? null : status.shard;
    if (neverWritten(status)) {
      return shard.isEmpty() ? new Act(null, Optional.empty())
          : new Claim(new ShardRecord(shard, now.toString(), null));
    }
    Instant since = record == null ? null : instant(record.since);
    String holder = holder(record);
    if (holder.equals(shard)) {
      if (record == null || record.from == null || since == null) {
        return new Act(record, Optional.empty());
      }
      Instant actsAt = since.plus(GRACE);
      return now.isBefore(actsAt) ? new Wait(actsAt) : new Act(record, Optional.of(actsAt));
    }
    if (record != null && record.from != null && since != null
        && now.isBefore(since.plus(HOLD))) {
      return new Defer(holder, since, since.plus(HOLD));
    }
    return new TakeOver(new ShardRecord(shard.isEmpty() ? null : shard, now.toString(), holder),
        holder, now.plus(GRACE));
  }

  /**
   * Whether this shard may go on acting on a Release whose latest status is {@code status}: no
   * other shard has recorded itself. (A Release that left the shard's selector is checked by
   * the caller.)
   */
  public boolean holds(ReleaseStatus status) {
    return neverWritten(status) || holder(status.shard).equals(shard);
  }

  /** The shard a record names; empty for an operator without a name (or no record). */
  static String holder(ShardRecord record) {
    return record == null || record.name == null ? "" : record.name;
  }

  /** No operator has written this status: a new Release (a claim alone counts as written). */
  static boolean neverWritten(ReleaseStatus status) {
    return status == null || status.shard == null && status.observedGeneration == null
        && status.phase == null;
  }

  private static Instant instant(String value) {
    try {
      return value == null ? null : Instant.parse(value);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ShardOwnership o && Objects.equals(o.shard, shard);
  }

  @Override
  public int hashCode() {
    return shard.hashCode();
  }
}
