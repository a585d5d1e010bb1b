package dev.cutover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.ShardOwnership.Act;
import dev.cutover.ShardOwnership.Claim;
import dev.cutover.ShardOwnership.Defer;
import dev.cutover.ShardOwnership.TakeOver;
import dev.cutover.ShardOwnership.Wait;
import dev.cutover.api.Phase;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.api.ShardRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which shard acts on a Release, as recorded in its status, and when another takes it over. */
class ShardOwnershipTest {

  static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
  static final ShardOwnership A = ShardOwnership.of(Optional.of("a"));
  static final ShardOwnership B = ShardOwnership.of(Optional.of("b"));
  static final ShardOwnership UNNAMED = ShardOwnership.unsharded();

  @Test
  void aNamedShardRecordsItselfOnANewReleaseBeforeActing() {
    assertThat(A.judge(null, NOW)).isInstanceOfSatisfying(Claim.class, c -> {
      assertThat(c.record().name).isEqualTo("a");
      assertThat(c.record().since).isEqualTo(NOW.toString());
      assertThat(c.record().from).isNull();
    });
    assertThat(A.judge(new ReleaseStatus(), NOW)).isInstanceOf(Claim.class);
  }

  @Test
  void anOperatorWithoutAShardNameActsAsBeforeShardsExisted() {
    assertThat(UNNAMED.judge(new ReleaseStatus(), NOW)).isEqualTo(
        new Act(null, Optional.empty()));
    assertThat(UNNAMED.judge(written(null), NOW)).isEqualTo(new Act(null, Optional.empty()));
    assertThat(UNNAMED.holds(written(null))).isTrue();
  }

  @Test
  void theShardThatHoldsAReleaseActsOnIt() {
    ReleaseStatus status = written(new ShardRecord("a", NOW.minusSeconds(5).toString(), null));
    assertThat(A.judge(status, NOW)).isEqualTo(new Act(status.shard, Optional.empty()));
    assertThat(A.holds(status)).isTrue();
    assertThat(B.holds(status)).isFalse();
    assertThat(UNNAMED.holds(status)).isFalse();
  }

  @Test
  void aReleaseRecordedForAnotherShardLongAgoIsTakenOverAndActedOnAfterTheGrace() {
    ReleaseStatus status = written(new ShardRecord("a", NOW.minus(Duration.ofHours(3))
        .toString(), null));
    assertThat(B.judge(status, NOW)).isInstanceOfSatisfying(TakeOver.class, t -> {
      assertThat(t.from()).isEqualTo("a");
      assertThat(t.record().name).isEqualTo("b");
      assertThat(t.record().from).isEqualTo("a");
      assertThat(t.record().since).isEqualTo(NOW.toString());
      assertThat(t.actsAt()).isEqualTo(NOW.plus(ShardOwnership.GRACE));
    });

    ReleaseStatus taken = written(new ShardRecord("b", NOW.toString(), "a"));
    assertThat(B.judge(taken, NOW.plusSeconds(10)))
        .isEqualTo(new Wait(NOW.plus(ShardOwnership.GRACE)));
    assertThat(B.judge(taken, NOW.plus(ShardOwnership.GRACE))).isEqualTo(
        new Act(taken.shard, Optional.of(NOW.plus(ShardOwnership.GRACE))));
    assertThat(A.holds(taken)).as("the shard it was taken from stops").isFalse();
  }

  @Test
  void theGraceCoversTheLastCallOfThePreviousShardAndEc2sListingDelay() {
    assertThat(ShardOwnership.GRACE).isEqualTo(Duration.ofSeconds(30));
    assertThat(ShardOwnership.HOLD).isGreaterThan(ShardOwnership.GRACE.multipliedBy(2));
  }

  @Test
  void aReleaseAnotherShardTookOverRecentlyIsNotTakenBackBeforeTheHold() {
    Instant since = NOW.minusSeconds(40);
    ReleaseStatus status = written(new ShardRecord("b", since.toString(), "a"));
    assertThat(A.judge(status, NOW)).isEqualTo(
        new Defer("b", since, since.plus(ShardOwnership.HOLD)));
    assertThat(A.judge(status, since.plus(ShardOwnership.HOLD)))
        .isInstanceOfSatisfying(TakeOver.class, t -> assertThat(t.from()).isEqualTo("b"));
  }

  @Test
  void aReleaseRelabelledSoonAfterItsCreationIsTakenOverAtOnce() {
    ReleaseStatus claimed = written(new ShardRecord("a", NOW.minusSeconds(10).toString(),
        null));
    assertThat(B.judge(claimed, NOW)).isInstanceOf(TakeOver.class);
  }

  @Test
  void twoShardsThatBothSelectANewReleaseNeverBothActOnIt() {
    // Both claim it with a write conditional on the same version: one wins, here a.
    Claim claim = (Claim) A.judge(new ReleaseStatus(), NOW);
    ReleaseStatus claimed = new ReleaseStatus();
    claimed.shard = claim.record();
    assertThat(B.holds(claimed)).as("b's pass that lost stops acting").isFalse();
    // b takes it over (a stops before its next call, as it no longer holds it) and waits ...
    TakeOver takeOver = (TakeOver) B.judge(claimed, NOW.plusSeconds(1));
    ReleaseStatus taken = new ReleaseStatus();
    taken.shard = takeOver.record();
    assertThat(A.holds(taken)).isFalse();
    assertThat(B.judge(taken, NOW.plusSeconds(2))).isInstanceOf(Wait.class);
    // ... and a, which still selects it, leaves it to b for HOLD, not in a loop.
    assertThat(A.judge(taken, NOW.plusSeconds(2))).isInstanceOfSatisfying(Defer.class,
        d -> assertThat(d.until()).isEqualTo(NOW.plusSeconds(1).plus(ShardOwnership.HOLD)));
  }

  @Test
  void releasesOfAnOperatorWithoutAShardNameAreTakenOverAtOnceAndBack() {
    ReleaseStatus unrecorded = written(null);
    assertThat(A.judge(unrecorded, NOW)).isInstanceOfSatisfying(TakeOver.class, t -> {
      assertThat(t.from()).isEmpty();
      assertThat(t.record().from).isEmpty();
    });
    ReleaseStatus heldByA = written(new ShardRecord("a", NOW.minus(Duration.ofHours(1))
        .toString(), null));
    assertThat(UNNAMED.judge(heldByA, NOW)).isInstanceOfSatisfying(TakeOver.class, t -> {
      assertThat(t.record().name).isNull();
      assertThat(t.record().from).isEqualTo("a");
    });
    ReleaseStatus takenBack = written(new ShardRecord(null, NOW.toString(), "a"));
    assertThat(UNNAMED.judge(takenBack, NOW.plusSeconds(1))).isInstanceOf(Wait.class);
    assertThat(UNNAMED.holds(takenBack)).isTrue();
  }

  @Test
  void anUnreadableTimeInTheRecordDoesNotBlockForever() {
    ReleaseStatus status = written(new ShardRecord("a", "yesterday", null));
    assertThat(B.judge(status, NOW)).isInstanceOf(TakeOver.class);
  }

  private static ReleaseStatus written(ShardRecord shard) {
    ReleaseStatus status = new ReleaseStatus();
    status.observedGeneration = 3L;
    status.phase = Phase.Live;
    status.shard = shard;
    return status;
  }
}
