package dev.cutover.observe;

import dev.cutover.ec2.InstanceState;
import dev.cutover.ec2.ElasticIp;
import dev.cutover.ec2.ManagedInstance;
import dev.cutover.ec2.Ec2Failure;
import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.ec2.Tags;
import dev.cutover.ec2.ManagedInstance.StatusChecks;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The shared view of EC2 for every Release: one paginated DescribeInstances (Cutover's tag), one
 * DescribeAddresses and one DescribeInstanceStatus per poll, whatever the number of Releases.
 *
 * <p>What Cutover itself just did (launch, terminate, associate, allocate) is written through
 * at once, so the next reconcile never acts on a poll older than its own last action; a later
 * poll replaces those entries. A launch stays written through until a poll shows it, because
 * DescribeInstances is eventually consistent on AWS right after RunInstances.
 */
public class Ec2Inventory {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(
      Ec2Inventory.class);

  /** How long a launched instance is kept in view while polls do not yet show it. */
  static final Duration LAUNCH_VISIBILITY_GRACE = Duration.ofMinutes(5);

  private record Snapshot(List<ManagedInstance> instances, List<ElasticIp> addresses,
      Instant startedAt) {}

  private record Written<T>(T value, Instant at) {}

  private final Ec2Gateway gateway;
  private final Clock clock;
  private final Duration maxAge;
  /** When this process began to observe: what it launched before is known only from EC2. */
  private final Instant createdAt;

  private volatile Snapshot latest;
  private final Map<String, Written<ManagedInstance>> launched = new LinkedHashMap<>();
  private final Map<String, Written<InstanceState>> stateChanges = new HashMap<>();
  private final Map<String, Written<Optional<ElasticIp>>> addressChanges = new HashMap<>();
  private final Set<String> allocated = new HashSet<>();

  /**
   * @param maxAge a reconcile that finds the last poll older than this polls itself first
   */
  public Ec2Inventory(Ec2Gateway gateway, Clock clock, Duration maxAge) {
    this.gateway = gateway;
    this.clock = clock;
    this.maxAge = maxAge;
    this.createdAt = clock.instant();
  }

  /** Polls EC2 once (three calls) and replaces the view. */
  public synchronized void refresh() {
    Instant startedAt = clock.instant();
    Map<String, StatusChecks> checks = gateway.describeInstanceStatuses();
    List<ManagedInstance> instances = gateway.describeManagedInstances().stream()
        .map(i -> i.withStatusChecks(checks.getOrDefault(i.id(), StatusChecks.PENDING)))
        .toList();
    List<ElasticIp> addresses = gateway.describeAddresses();
    latest = new Snapshot(instances, addresses, startedAt);

    Set<String> seen = instances.stream().map(ManagedInstance::id).collect(Collectors.toSet());
    launched.entrySet().removeIf(e -> seen.contains(e.getKey())
        || e.getValue().at().plus(LAUNCH_VISIBILITY_GRACE).isBefore(startedAt));
    // A poll that started after a change was made shows it (or something newer); an address
    // Cutover allocated stays in view until a poll lists it, since DescribeAddresses may lag.
    stateChanges.values().removeIf(w -> w.at().isBefore(startedAt));
    Set<String> listed = addresses.stream().map(ElasticIp::allocationId)
        .collect(Collectors.toSet());
    addressChanges.entrySet().removeIf(e -> e.getValue().at().isBefore(startedAt)
        && !(allocated.contains(e.getKey()) && !listed.contains(e.getKey())
            && e.getValue().at().plus(LAUNCH_VISIBILITY_GRACE).isAfter(startedAt)));
    allocated.removeIf(id -> listed.contains(id) || !addressChanges.containsKey(id));
  }

  /** The poll for JOSDK's polling event source: one view per Release that has instances. */
  public Map<ResourceID, Set<ReleaseView>> fetchViews() {
    try {
      refresh();
    } catch (Ec2Failure e) {
      // A failed poll keeps the last view (none yet: nothing to report) and is tried again at
      // the next interval; it must not stop the event source, nor the operator's start.
      log.warn("polling EC2 failed, keeping the last view: {}", e.getMessage());
      if (latest == null) {
        return Map.of();
      }
    }
    Snapshot snapshot = latest;
    Map<String, List<ManagedInstance>> byRelease = snapshot.instances().stream()
        .collect(Collectors.groupingBy(ManagedInstance::releaseKey));
    Map<ResourceID, Set<ReleaseView>> views = new HashMap<>();
    byRelease.forEach((key, instances) -> {
      Set<String> ids = instances.stream().map(ManagedInstance::id).collect(Collectors.toSet());
      Set<String> uids = instances.stream().map(ManagedInstance::releaseUid)
          .collect(Collectors.toSet());
      Set<ElasticIp> addresses = snapshot.addresses().stream()
          .filter(a -> ids.contains(a.instanceId()) || uids.contains(a.ownerReleaseUid()))
          .collect(Collectors.toSet());
      views.put(resourceId(key), Set.of(new ReleaseView(key, new HashSet<>(instances),
          addresses)));
    });
    return views;
  }

  /**
   * The world of one Release: its instances (tags carry both its uid and its name) and its
   * Elastic IP: the given allocation id, or the address Cutover allocated for it.
   *
   * @param addressSince a poll that started at or after this instant shows the given address if
   *     it exists (the Release's creation, or now when its spec just named another address); an
   *     older poll that lacks it is refreshed once instead of calling the address missing
   */
  public ObservedWorld worldFor(String releaseUid, String releaseKey, String allocationId,
      Instant addressSince) {
    return worldFor(releaseUid, releaseKey, allocationId, List.of(), addressSince);
  }

  /**
   * The same, with the other addresses the Release names (the other addresses of its roles,
   * its preview address) found by allocation id in the same poll.
   */
  public ObservedWorld worldFor(String releaseUid, String releaseKey, String allocationId,
      List<String> otherAllocationIds, Instant addressSince) {
    Instant asked = clock.instant();
    synchronized (this) {
      Instant settled = createdAt.plus(Ec2Gateway.LISTING_DELAY);
      if (latest == null || latest.startedAt().plus(maxAge).isBefore(asked)
          || latest.startedAt().isBefore(settled) && !asked.isBefore(settled)) {
        // Too old, or from before a process that just started can trust EC2's listing.
        refresh();
      }
      if (allocationId != null && latest.startedAt().isBefore(addressSince)
          && latest.addresses().stream().noneMatch(a -> a.allocationId().equals(allocationId))
          && !addressChanges.containsKey(allocationId)) {
        refresh();
      }
      return world(releaseUid, releaseKey, allocationId, otherAllocationIds);
    }
  }

  private ObservedWorld world(String releaseUid, String releaseKey, String allocationId,
      List<String> otherAllocationIds) {
    Map<String, ManagedInstance> instances = new LinkedHashMap<>();
    latest.instances().forEach(i -> instances.put(i.id(), i));
    launched.forEach((id, w) -> instances.putIfAbsent(id, w.value()));
    stateChanges.forEach((id, w) -> instances.computeIfPresent(id,
        (k, i) -> i.state().isGone() && !w.value().isGone() ? i : i.withState(w.value())));

    List<ManagedInstance> mine = instances.values().stream()
        .filter(i -> i.releaseUid().equals(releaseUid)
            && i.releaseKey().equals(Tags.fit(releaseKey)))
        .toList();

    Map<String, ElasticIp> addresses = new LinkedHashMap<>();
    latest.addresses().forEach(a -> addresses.put(a.allocationId(), a));
    addressChanges.forEach((id, w) -> {
      if (w.value().isPresent()) {
        addresses.put(id, w.value().get());
      } else {
        addresses.remove(id);
      }
    });
    List<ElasticIp> owned = addresses.values().stream()
        .filter(a -> releaseUid.equals(a.ownerReleaseUid()))
        .sorted(java.util.Comparator.comparing(ElasticIp::allocationId)).toList();
    Optional<ElasticIp> elasticIp = allocationId != null
        ? Optional.ofNullable(addresses.get(allocationId))
        : owned.stream().filter(a -> a.instanceId() != null).findFirst()
            .or(() -> owned.stream().findFirst());
    Map<String, ElasticIp> named = new LinkedHashMap<>();
    otherAllocationIds.forEach(id -> {
      if (addresses.containsKey(id)) {
        named.put(id, addresses.get(id));
      }
    });
    return new ObservedWorld(mine, elasticIp, java.util.Map.of(), owned, latest.startedAt(),
        createdAt).withAddresses(named);
  }

  // ---- write-through of Cutover's own changes ----

  public synchronized void recordLaunched(List<ManagedInstance> instances) {
    Instant now = clock.instant();
    instances.forEach(i -> launched.put(i.id(), new Written<>(i, now)));
  }

  public synchronized void recordTerminating(List<String> instanceIds) {
    Instant now = clock.instant();
    instanceIds.forEach(id -> stateChanges.put(id,
        new Written<>(InstanceState.SHUTTING_DOWN, now)));
    launched.keySet().removeAll(instanceIds);
  }

  public synchronized void recordAssociated(ElasticIp address, String instanceId) {
    // A claim written earlier in the same pass is newer than the address the plan carried.
    ElasticIp base = Optional.ofNullable(addressChanges.get(address.allocationId()))
        .flatMap(Written::value).orElse(address);
    addressChanges.put(address.allocationId(),
        new Written<>(Optional.of(base.associatedWith(instanceId)), clock.instant()));
  }

  public synchronized void recordAllocated(ElasticIp address) {
    allocated.add(address.allocationId());
    addressChanges.put(address.allocationId(),
        new Written<>(Optional.of(address), clock.instant()));
  }

  /** A claim written (or removed: nulls) by Cutover, seen before the next poll lists it. */
  public synchronized void recordClaim(ElasticIp address, String uid, String release) {
    addressChanges.put(address.allocationId(),
        new Written<>(Optional.of(address.claimedBy(uid, release)), clock.instant()));
  }

  public synchronized void recordReleased(String allocationId) {
    addressChanges.put(allocationId, new Written<>(Optional.empty(), clock.instant()));
  }

  /** Live instances of every Release in a namespace, as last seen (for a per-namespace cap). */
  public int liveInstancesIn(String namespace) {
    Snapshot snapshot = latest;
    if (snapshot == null) {
      return 0;
    }
    String prefix = namespace + "/";
    Map<String, ManagedInstance> seen = new LinkedHashMap<>();
    snapshot.instances().forEach(i -> seen.put(i.id(), i));
    synchronized (this) {
      launched.forEach((id, w) -> seen.putIfAbsent(id, w.value()));
    }
    return (int) seen.values().stream()
        .filter(i -> i.releaseKey().startsWith(prefix) && i.state().isAlive()).count();
  }

  public Ec2Gateway gateway() {
    return gateway;
  }

  public static ResourceID resourceId(String releaseKey) {
    int slash = releaseKey.indexOf('/');
    return new ResourceID(releaseKey.substring(slash + 1), releaseKey.substring(0, slash));
  }
}
