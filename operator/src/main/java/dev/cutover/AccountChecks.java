package dev.cutover;

import dev.cutover.api.AccountCheck;
import dev.cutover.api.AwsAccount;
import dev.cutover.api.AwsAccountStatus;
import dev.cutover.api.Release;
import dev.cutover.ec2.AwsClients;
import dev.cutover.ec2.Ec2Failure;
import dev.cutover.observe.Accounts;
import dev.cutover.observe.Ec2Targets;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks each AwsAccount's credentials with STS {@code GetCallerIdentity} (assuming its role
 * first, when it has one) and writes {@code status.accountId}, {@code status.arn},
 * {@code status.checkedAt} and the {@code Ready} condition: when the account is created or
 * changed, and again every {@link #EVERY} ({@link #AFTER_FAILURE} after a failure). It runs as an
 * event source of the Release controller, so only the operator that holds the lease checks; it
 * raises no events. AwsAccounts are cluster-scoped, so every shard checks each one: a shard
 * writes its own entry in {@code status.shards} and the summary of all entries, never another
 * shard's result as its own.
 */
final class AccountChecks extends AbstractEventSource<AwsAccount, Release> {

  private static final Logger log = LoggerFactory.getLogger(AccountChecks.class);

  static final Duration EVERY = Duration.ofMinutes(5);
  static final Duration AFTER_FAILURE = Duration.ofMinutes(1);
  /** How often the watched accounts are looked at (in memory) for one that is due. */
  static final Duration TICK = Duration.ofSeconds(1);
  static final String FIELD_MANAGER = "cutover-accounts";
  /** A shard's entry not renewed for this long is dropped: that shard no longer runs. */
  static final Duration STALE = EVERY.multipliedBy(3);

  private record Checked(String uid, Long generation, Instant nextAt) {}

  private final KubernetesClient client;
  private final Accounts accounts;
  private final Ec2Targets targets;
  private final Clock clock;
  /** This operator's shard; empty for an operator without a shard name. */
  private final String shard;
  private final Map<String, Checked> checked = new ConcurrentHashMap<>();
  private volatile ScheduledExecutorService scheduler;

  AccountChecks(KubernetesClient client, Accounts accounts, Ec2Targets targets, Clock clock,
      String shard) {
    super(AwsAccount.class, "aws-account-checks");
    this.client = client;
    this.accounts = accounts;
    this.targets = targets;
    this.clock = clock;
    this.shard = shard;
  }

  @Override
  public synchronized void start() {
    super.start();
    if (scheduler == null) {
      scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cutover-account-checks");
        t.setDaemon(true);
        return t;
      });
      scheduler.scheduleWithFixedDelay(this::checkDue, 0, TICK.toMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public synchronized void stop() {
    super.stop();
    if (scheduler != null) {
      scheduler.shutdownNow();
      scheduler = null;
    }
  }

  @Override
  public Set<AwsAccount> getSecondaryResources(Release primary) {
    return Set.of();
  }

  void checkDue() {
    try {
      List<AwsAccount> all = accounts.accounts();
      Instant now = clock.instant();
      checked.keySet().retainAll(all.stream().map(a -> a.getMetadata().getName()).toList());
      for (AwsAccount account : all) {
        Checked last = checked.get(account.getMetadata().getName());
        if (last == null || !last.uid().equals(account.getMetadata().getUid())
            || !java.util.Objects.equals(last.generation(),
                account.getMetadata().getGeneration())
            || !now.isBefore(last.nextAt())) {
          check(account);
        }
      }
    } catch (RuntimeException e) {
      log.warn("checking AwsAccounts failed: {}", e.getMessage(), e);
    }
  }

  /**
   * One check of one account, its status written: this operator's result, and with several
   * shards its entry among theirs and the summary of them all. The write is conditional on the
   * version read, so shards checking at the same moment never drop each other's entry; the
   * loser checks again at the next tick.
   */
  void check(AwsAccount account) {
    Instant now = clock.instant();
    String name = account.getMetadata().getName();
    AccountCheck mine = probe(account, now);
    if (!Boolean.TRUE.equals(mine.ready)) {
      log.warn("AwsAccount {}: credentials not usable: {}: {}", name, mine.reason, mine.message);
    }
    try {
      AwsAccount patch = new AwsAccount();
      patch.setMetadata(new ObjectMetaBuilder().withName(name)
          .withResourceVersion(account.getMetadata().getResourceVersion()).build());
      patch.setStatus(summary(account, mine, now));
      client.resource(patch).subresource("status").patch(new PatchContext.Builder()
          .withFieldManager(FIELD_MANAGER).withForce(true)
          .withPatchType(PatchType.SERVER_SIDE_APPLY).build());
      checked.put(name, new Checked(account.getMetadata().getUid(),
          account.getMetadata().getGeneration(),
          now.plus(Boolean.TRUE.equals(mine.ready) ? EVERY : AFTER_FAILURE)));
    } catch (KubernetesClientException e) {
      boolean conflict = e.getCode() == 409;
      if (!conflict) {
        log.warn("AwsAccount {}: cannot write status: {}", name, e.getMessage());
      }
      checked.put(name, new Checked(account.getMetadata().getUid(),
          account.getMetadata().getGeneration(), conflict ? now : now.plus(AFTER_FAILURE)));
    }
  }

  /** GetCallerIdentity with the account's credentials, as this operator reaches them. */
  private AccountCheck probe(AwsAccount account, Instant now) {
    AccountCheck check = new AccountCheck();
    check.shard = shard.isEmpty() ? null : shard;
    check.checkedAt = now.toString();
    try {
      Ec2Targets.Target target = targets.target(Optional.of(account), null);
      AwsClients.Identity who = targets.clients().callerIdentity(target.key().region(),
          target.credentials());
      check.accountId = who.accountId();
      check.arn = who.arn();
      check.ready = true;
      check.reason = "CredentialsValid";
      check.message = "GetCallerIdentity in " + target.key().region().id() + " answered "
          + who.arn();
    } catch (Ec2Failure e) {
      check.ready = false;
      check.reason = e.code();
      check.message = e.awsMessage() == null ? e.getMessage() : e.awsMessage();
    } catch (RuntimeException e) {
      check.ready = false;
      check.reason = "CredentialsInvalid";
      check.message = String.valueOf(e.getMessage());
    }
    check.reason = check.reason.replaceAll("[^A-Za-z0-9_,:]", "");
    return check;
  }

  /**
   * The account's status with this operator's check: alone (one operator without a shard name,
   * as long as no shard has written an entry), or among every shard's recent entries, which it
   * then summarises. Ready only when every entry is; the same entries give the same summary
   * whichever shard writes it.
   */
  AwsAccountStatus summary(AwsAccount account, AccountCheck mine, Instant now) {
    AwsAccountStatus before = account.getStatus();
    List<AccountCheck> entries = before == null || before.shards == null ? List.of()
        : before.shards;
    AwsAccountStatus status = new AwsAccountStatus();
    List<AccountCheck> checks;
    if (shard.isEmpty() && entries.isEmpty()) {
      checks = List.of(mine);
    } else {
      List<AccountCheck> kept = new ArrayList<>(entries.stream()
          .filter(e -> !shardOf(e).equals(shard) && recent(e, now)).toList());
      kept.add(mine);
      kept.sort(Comparator.comparing(AccountChecks::shardOf));
      checks = List.copyOf(kept);
      status.shards = checks;
    }
    boolean ok = checks.stream().allMatch(c -> Boolean.TRUE.equals(c.ready));
    Optional<AccountCheck> passed = checks.stream()
        .filter(c -> Boolean.TRUE.equals(c.ready)).findFirst();
    status.accountId = passed.map(c -> c.accountId).orElse(null);
    status.arn = passed.map(c -> c.arn).orElse(null);
    status.checkedAt = now.toString();
    AccountCheck failed = checks.stream().filter(c -> !Boolean.TRUE.equals(c.ready))
        .findFirst().orElse(null);
    String reason = ok ? "CredentialsValid" : failed.reason;
    String message = checks.size() == 1 ? mine.message : checks.stream()
        .map(c -> (c.shard == null ? "operator without a shard name" : "shard " + c.shard)
            + ": " + c.message).collect(Collectors.joining("; "));
    Optional<Condition> previous = before == null || before.conditions == null ? Optional.empty()
        : before.conditions.stream().filter(c -> "Ready".equals(c.getType())).findFirst();
    String state = ok ? "True" : "False";
    String since = previous.filter(c -> state.equals(c.getStatus()))
        .map(Condition::getLastTransitionTime).orElse(now.toString());
    status.conditions = List.of(new ConditionBuilder().withType("Ready").withStatus(state)
        .withReason(reason).withMessage(message)
        .withObservedGeneration(account.getMetadata().getGeneration())
        .withLastTransitionTime(since).build());
    return status;
  }

  private static String shardOf(AccountCheck check) {
    return check.shard == null ? "" : check.shard;
  }

  /** Checked within {@link #STALE}: its shard still runs. */
  private static boolean recent(AccountCheck check, Instant now) {
    try {
      return check.checkedAt != null
          && Instant.parse(check.checkedAt).plus(STALE).isAfter(now);
    } catch (java.time.format.DateTimeParseException e) {
      return false;
    }
  }
}
