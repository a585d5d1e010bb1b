package dev.cutover.observe;

import dev.cutover.api.AwsAccount;
import dev.cutover.api.AwsCredentials;
import dev.cutover.ec2.AwsClients;
import dev.cutover.ec2.Ec2Gateway;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import software.amazon.awssdk.regions.Region;

/**
 * Where Releases live in EC2: one {@link Target} (gateway and inventory) per account and region,
 * made when a Release first uses it. "own" is the operator's own credentials (also an AwsAccount
 * without {@code credentials}); an AwsAccount with a role is reached through STS, the role
 * assumed with the operator's own credentials. A poll ({@link #fetchViews}) asks each target that
 * serves a Release (and the operator's own, in its region, always): one DescribeInstances per
 * account and region, whatever the number of Releases.
 */
public final class Ec2Targets implements AutoCloseable {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(
      Ec2Targets.class);

  /** The account of the operator's own credentials. */
  public static final String OWN = "own";

  /**
   * An account and region. {@code account} is {@link #OWN} or an AwsAccount's name; the role
   * (and external id) are part of the key, so an account whose role changes gets a new target.
   */
  public record Key(String account, String roleArn, String externalId, Region region) {
    @Override
    public String toString() {
      return account + "/" + region.id();
    }
  }

  /** The gateway and the inventory of one account and region. */
  public record Target(Key key, Ec2Gateway gateway, Ec2Inventory inventory,
      AwsClients.RoleCredentials credentials) {}

  private final AwsClients clients;
  private final Region ownRegion;
  private final Clock clock;
  private final Duration maxAge;
  private final Target own;
  private final Map<Key, Target> targets = new ConcurrentHashMap<>();
  /** Release uid → the target it was last routed to. */
  private final Map<String, Key> routes = new ConcurrentHashMap<>();
  private volatile BiConsumer<String, String> listener = (operation, outcome) -> { };
  private volatile java.util.function.Consumer<String> wake = releaseKey -> { };

  /**
   * @param own the operator's own gateway, in its own region
   * @param maxAge see {@link Ec2Inventory}
   */
  public AwsClients clients() {
    return clients;
  }

  public Ec2Targets(AwsClients clients, Ec2Gateway own, Region ownRegion, Clock clock,
      Duration maxAge) {
    this.clients = clients;
    this.ownRegion = ownRegion;
    this.clock = clock;
    this.maxAge = maxAge;
    Key key = new Key(OWN, null, null, ownRegion);
    this.own = new Target(key, own, new Ec2Inventory(own, clock, maxAge), null);
    targets.put(key, this.own);
  }

  /** Told of every EC2 call of every gateway made from now on (metrics). */
  public void setListener(BiConsumer<String, String> listener) {
    this.listener = listener;
    targets.values().forEach(t -> t.gateway().setListener(listener::accept));
  }

  /**
   * Told the key of each Release that waited for a refresh of one of the inventories, when that
   * refresh lands (the reconciler wakes it).
   */
  public void onRefreshFor(java.util.function.Consumer<String> wake) {
    this.wake = wake;
    targets.values().forEach(t -> t.inventory().onRefreshFor(wake));
  }

  /** The operator's own account in its own region: every Release's, without AwsAccounts. */
  public Target own() {
    return own;
  }

  /**
   * The target of a Release that uses {@code account} (empty: the operator's own credentials)
   * in {@code region} (null: the account's first region, else the operator's), remembered as
   * the Release's until it is routed elsewhere or forgotten.
   */
  public Target route(String releaseUid, Optional<AwsAccount> account, String region) {
    Target target = target(account, region);
    routes.put(releaseUid, target.key());
    return target;
  }

  /** Where the Release was last routed; the operator's own when it never was. */
  public Target lastRouteOf(String releaseUid) {
    Key key = routes.get(releaseUid);
    Target target = key == null ? null : targets.get(key);
    return target == null ? own : target;
  }

  /** The Release is gone: its target is polled no more unless another Release uses it. */
  public void forget(String releaseUid) {
    routes.remove(releaseUid);
    targets.values().forEach(t -> t.inventory().forget(releaseUid));
  }

  public Target target(Optional<AwsAccount> account, String region) {
    AwsCredentials credentials = account.map(a -> a.getSpec() == null ? null
        : a.getSpec().credentials).orElse(null);
    List<String> regions = account.map(a -> a.getSpec() == null ? null : a.getSpec().regions)
        .orElse(null);
    Region chosen = region != null && !region.isBlank() ? Region.of(region)
        : regions != null && !regions.isEmpty() ? Region.of(regions.get(0)) : ownRegion;
    Key key = credentials == null || credentials.roleArn == null
        ? new Key(OWN, null, null, chosen)
        : new Key(account.get().getMetadata().getName(), credentials.roleArn,
            credentials.externalId, chosen);
    return targets.computeIfAbsent(key, this::create);
  }

  private Target create(Key key) {
    AwsClients.RoleCredentials credentials = key.roleArn() == null ? null
        : clients.assume(key.region(), key.roleArn(), key.externalId());
    Ec2Gateway gateway = clients.gateway(key.region(), credentials);
    gateway.setListener(listener::accept);
    Ec2Inventory inventory = new Ec2Inventory(gateway, clock, maxAge);
    inventory.onRefreshFor(wake);
    log.info("EC2 target {} ({})", key, key.roleArn() == null ? "the operator's credentials"
        : "role " + key.roleArn());
    return new Target(key, gateway, inventory, credentials);
  }

  /** Every target made so far. */
  public List<Target> all() {
    return List.copyOf(targets.values());
  }

  /** The targets a poll asks: the operator's own, and each that some Release is routed to. */
  public List<Target> polled() {
    Set<Key> used = new HashSet<>(routes.values());
    used.add(own.key());
    return targets.values().stream().filter(t -> used.contains(t.key())).toList();
  }

  /**
   * The poll for JOSDK's polling event source: every polled target's views, merged (a Release
   * seen in two targets, e.g. moved to another region, gets one view with both).
   */
  public Map<ResourceID, Set<ReleaseView>> fetchViews() {
    Map<ResourceID, Set<ReleaseView>> merged = new HashMap<>();
    // Every target's refresh is started first: they run side by side, one per target.
    Map<Target, java.util.concurrent.CompletableFuture<?>> polls = new java.util.LinkedHashMap<>();
    polled().forEach(t -> polls.put(t, t.inventory().poll()));
    for (var poll : polls.entrySet()) {
      Target target = poll.getKey();
      Map<ResourceID, Set<ReleaseView>> views;
      try {
        views = target.inventory().viewsAfter(poll.getValue());
      } catch (RuntimeException e) {
        log.warn("polling EC2 target {} failed: {}", target.key(), e.getMessage());
        continue;
      }
      views.forEach((id, set) -> merged.merge(id, set, Ec2Targets::union));
    }
    return merged;
  }

  private static Set<ReleaseView> union(Set<ReleaseView> a, Set<ReleaseView> b) {
    ReleaseView x = a.iterator().next();
    ReleaseView y = b.iterator().next();
    Set<dev.cutover.ec2.ManagedInstance> instances = new HashSet<>(x.instances());
    instances.addAll(y.instances());
    Set<dev.cutover.ec2.ElasticIp> addresses = new HashSet<>(x.addresses());
    addresses.addAll(y.addresses());
    return Set.of(new ReleaseView(x.releaseKey(), instances, addresses));
  }

  /** Closes every target but the operator's own gateway (its creator closes it). */
  @Override
  public void close() {
    for (Target t : targets.values()) {
      t.inventory().close();
      if (t == own) {
        continue;
      }
      t.gateway().close();
      if (t.credentials() != null) {
        t.credentials().close();
      }
    }
  }
}
