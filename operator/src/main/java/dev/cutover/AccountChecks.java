package dev.cutover;

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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks each AwsAccount's credentials with STS {@code GetCallerIdentity} (assuming its role
 * first, when it has one) and writes {@code status.accountId}, {@code status.arn},
 * {@code status.checkedAt} and the {@code Ready} condition: when the account is created or
 * changed, and again every {@link #EVERY} ({@link #AFTER_FAILURE} after a failure). It runs as an
 * event source of the Release controller, so only the operator that holds the lease checks; it
 * raises no events.
 */
final class AccountChecks extends AbstractEventSource<AwsAccount, Release> {

  private static final Logger log = LoggerFactory.getLogger(AccountChecks.class);

  static final Duration EVERY = Duration.ofMinutes(5);
  static final Duration AFTER_FAILURE = Duration.ofMinutes(1);
  /** How often the watched accounts are looked at (in memory) for one that is due. */
  static final Duration TICK = Duration.ofSeconds(1);
  static final String FIELD_MANAGER = "cutover-accounts";

  private record Checked(String uid, Long generation, Instant nextAt) {}

  private final KubernetesClient client;
  private final Accounts accounts;
  private final Ec2Targets targets;
  private final Clock clock;
  private final Map<String, Checked> checked = new ConcurrentHashMap<>();
  private volatile ScheduledExecutorService scheduler;

  AccountChecks(KubernetesClient client, Accounts accounts, Ec2Targets targets, Clock clock) {
    super(AwsAccount.class, "aws-account-checks");
    this.client = client;
    this.accounts = accounts;
    this.targets = targets;
    this.clock = clock;
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

  /** One check of one account, its status written. */
  void check(AwsAccount account) {
    Instant now = clock.instant();
    String name = account.getMetadata().getName();
    AwsAccountStatus status = new AwsAccountStatus();
    status.checkedAt = now.toString();
    boolean ok;
    String reason;
    String message;
    try {
      Ec2Targets.Target target = targets.target(Optional.of(account), null);
      AwsClients.Identity who = targets.clients().callerIdentity(target.key().region(),
          target.credentials());
      status.accountId = who.accountId();
      status.arn = who.arn();
      ok = true;
      reason = "CredentialsValid";
      message = "GetCallerIdentity in " + target.key().region().id() + " answered "
          + who.arn();
    } catch (Ec2Failure e) {
      ok = false;
      reason = e.code();
      message = e.awsMessage() == null ? e.getMessage() : e.awsMessage();
    } catch (RuntimeException e) {
      ok = false;
      reason = "CredentialsInvalid";
      message = String.valueOf(e.getMessage());
    }
    AwsAccountStatus before = account.getStatus();
    Optional<Condition> previous = before == null || before.conditions == null ? Optional.empty()
        : before.conditions.stream().filter(c -> "Ready".equals(c.getType())).findFirst();
    String state = ok ? "True" : "False";
    String since = previous.filter(c -> state.equals(c.getStatus()))
        .map(Condition::getLastTransitionTime).orElse(now.toString());
    status.conditions = List.of(new ConditionBuilder().withType("Ready").withStatus(state)
        .withReason(reason.replaceAll("[^A-Za-z0-9_,:]", "")).withMessage(message)
        .withObservedGeneration(account.getMetadata().getGeneration())
        .withLastTransitionTime(since).build());
    if (!ok) {
      log.warn("AwsAccount {}: credentials not usable: {}: {}", name, reason, message);
    }
    try {
      AwsAccount patch = new AwsAccount();
      patch.setMetadata(new ObjectMetaBuilder().withName(name).build());
      patch.setStatus(status);
      client.resource(patch).subresource("status").patch(new PatchContext.Builder()
          .withFieldManager(FIELD_MANAGER).withForce(true)
          .withPatchType(PatchType.SERVER_SIDE_APPLY).build());
      checked.put(name, new Checked(account.getMetadata().getUid(),
          account.getMetadata().getGeneration(), now.plus(ok ? EVERY : AFTER_FAILURE)));
    } catch (KubernetesClientException e) {
      log.warn("AwsAccount {}: cannot write status: {}", name, e.getMessage());
      checked.put(name, new Checked(account.getMetadata().getUid(),
          account.getMetadata().getGeneration(), now.plus(AFTER_FAILURE)));
    }
  }
}
