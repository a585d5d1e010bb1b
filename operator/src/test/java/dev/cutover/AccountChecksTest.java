package dev.cutover;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.api.AccountCheck;
import dev.cutover.api.AwsAccount;
import dev.cutover.api.AwsAccountStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

/**
 * An AwsAccount's status when several shards check it: each writes its own entry, and the same
 * entries give the same summary whichever shard writes it, so two shards never flap it.
 */
class AccountChecksTest {

  static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

  @Test
  void oneOperatorWithoutAShardNameWritesItsResultAsBefore() {
    AwsAccountStatus status = checks("").summary(account(null), ok("", "111122223333"), NOW);
    assertThat(status.shards).isNull();
    assertThat(status.accountId).isEqualTo("111122223333");
    assertThat(ready(status).getStatus()).isEqualTo("True");
    assertThat(ready(status).getReason()).isEqualTo("CredentialsValid");
  }

  @Test
  void eachShardWritesOnlyItsOwnEntryAndTheSummaryOfAll() {
    AwsAccountStatus afterA = checks("a").summary(account(null), ok("a", "111122223333"), NOW);
    assertThat(afterA.shards).extracting(c -> c.shard).containsExactly("a");

    AwsAccountStatus afterB = checks("b").summary(account(afterA),
        failed("b", "AccessDenied"), NOW.plusSeconds(1));
    assertThat(afterB.shards).extracting(c -> c.shard).containsExactly("a", "b");
    assertThat(afterB.shards.get(0).ready).as("a's entry as a wrote it").isTrue();
    assertThat(ready(afterB).getStatus()).isEqualTo("False");
    assertThat(ready(afterB).getReason()).isEqualTo("AccessDenied");
    assertThat(ready(afterB).getMessage()).contains("shard a: ", "shard b: ");
    assertThat(afterB.accountId).as("from the shard whose check passed")
        .isEqualTo("111122223333");

    // a checks again: its entry is replaced, b's kept, and the summary is the same.
    AwsAccountStatus againA = checks("a").summary(account(afterB), ok("a", "111122223333"),
        NOW.plusSeconds(2));
    assertThat(againA.shards).extracting(c -> c.shard).containsExactly("a", "b");
    assertThat(ready(againA).getStatus()).isEqualTo("False");
    assertThat(ready(againA).getLastTransitionTime())
        .isEqualTo(ready(afterB).getLastTransitionTime());
  }

  @Test
  void anEntryNotRenewedForFifteenMinutesIsDropped() {
    AwsAccountStatus afterB = checks("b").summary(account(null), failed("b", "AccessDenied"),
        NOW);
    AwsAccountStatus later = checks("a").summary(account(afterB), ok("a", "111122223333"),
        NOW.plus(AccountChecks.STALE));
    assertThat(later.shards).extracting(c -> c.shard).containsExactly("a");
    assertThat(ready(later).getStatus()).isEqualTo("True");
    assertThat(AccountChecks.STALE).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void anOperatorWithoutAShardNameJoinsTheEntriesOnceShardsWriteThem() {
    AwsAccountStatus afterA = checks("a").summary(account(null), ok("a", "111122223333"), NOW);
    AwsAccountStatus unnamed = checks("").summary(account(afterA), ok("", "111122223333"),
        NOW.plusSeconds(1));
    assertThat(unnamed.shards).extracting(c -> c.shard).containsExactly(null, "a");
  }

  private static AccountChecks checks(String shard) {
    return new AccountChecks(null, null, null, Clock.systemUTC(), shard);
  }

  private static AwsAccount account(AwsAccountStatus status) {
    AwsAccount account = new AwsAccount();
    account.setMetadata(new ObjectMetaBuilder().withName("team-a").withGeneration(1L).build());
    account.setStatus(status);
    return account;
  }

  private static AccountCheck ok(String shard, String accountId) {
    AccountCheck c = new AccountCheck();
    c.shard = shard.isEmpty() ? null : shard;
    c.ready = true;
    c.accountId = accountId;
    c.arn = "arn:aws:sts::" + accountId + ":assumed-role/cutover/cutover";
    c.reason = "CredentialsValid";
    c.message = "GetCallerIdentity answered " + c.arn;
    c.checkedAt = NOW.toString();
    return c;
  }

  private static AccountCheck failed(String shard, String code) {
    AccountCheck c = new AccountCheck();
    c.shard = shard;
    c.ready = false;
    c.reason = code;
    c.message = "not allowed";
    c.checkedAt = NOW.toString();
    return c;
  }

  private static Condition ready(AwsAccountStatus status) {
    return new ArrayList<>(status.conditions).stream()
        .filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow();
  }
}
