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
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The shared view of EC2 for every Release of one account and region: a refresh is one
 * paginated DescribeInstances (Cutover's tag), one DescribeInstanceStatus per 100 of the
 * instances it listed, and one DescribeAddresses, whatever the number of Releases.
 *
 * <p>Reconciles never wait for EC2. One refresh runs at a time, on its own thread (single
 * flight): whoever wants fresh data joins the refresh in flight, or, when that one started too
 * early for them, the one queued after it; a second refresh never runs beside the first. What a
 * refresh saw becomes an immutable {@link Snapshot}, indexed by Release uid, and the snapshot and
 * Cutover's write-through are swapped in together through one atomic reference (copy-on-write),
 * so a reconcile reads the newest complete snapshot plus its own changes without a lock, in time
 * proportional to its own instances. No lock is held while EC2 is called.
 *
 * <p>What Cutover itself just did (launch, terminate, associate, allocate) is written through
 * at once, so the next reconcile never acts on a poll older than its own last action; a later
 * poll replaces those entries. A launch stays written through until a poll shows it, because
 * DescribeInstances is eventually consistent on AWS right after RunInstances.
 *
 * <p>A reconcile that needs a newer snapshot than the newest (none yet; the last one landed
 * longer than {@code maxAge} ago; a process that just started, before EC2's listing can be
 * trusted; an address its Release names that a snapshot from before the naming lacks) gets no
 * world: it asks for the refresh it needs and returns, and its Release is woken (see
 * {@link #onRefreshFor}) when a refresh lands.
 */
public class Ec2Inventory implements AutoCloseable {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(
      Ec2Inventory.class);

  /** How long a launched instance is kept in view while polls do not yet show it. */
  static final Duration LAUNCH_VISIBILITY_GRACE = Duration.ofMinutes(5);

  /**
   * What one refresh saw, indexed for the reads that follow; never changed once made.
   *
   * @param startedAt when the refresh began, before its first call: it shows every change made
   *     before this instant (within EC2's listing delay), and maybe some made later
   * @param landedAt when it was complete
   * @param instancesByUid the instances of each Release uid, in the order EC2 listed them
   * @param addresses every address of the account and region, by allocation id
   * @param addressesByOwner the addresses tagged as allocated for each Release uid
   * @param liveByNamespace live (pending or running) instances per namespace
   * @param views what the poll hands to JOSDK, one view per Release key found in the tags
   */
  record Snapshot(Instant startedAt, Instant landedAt,
      Map<String, List<ManagedInstance>> instancesByUid, Set<String> instanceIds,
      Map<String, ElasticIp> addresses, Map<String, List<ElasticIp>> addressesByOwner,
      Map<String, Integer> liveByNamespace, Map<ResourceID, Set<ReleaseView>> views) {

    static Snapshot of(List<ManagedInstance> instances, List<ElasticIp> addresses,
        Instant startedAt, Instant landedAt) {
      Map<String, List<ManagedInstance>> byUid = new LinkedHashMap<>();
      Map<String, List<ManagedInstance>> byKey = new LinkedHashMap<>();
      Map<String, String> keyOfInstance = new HashMap<>();
      Map<String, Set<String>> keysOfUid = new HashMap<>();
      Map<String, Integer> live = new HashMap<>();
      for (ManagedInstance i : instances) {
        byUid.computeIfAbsent(i.releaseUid(), k -> new ArrayList<>()).add(i);
        byKey.computeIfAbsent(i.releaseKey(), k -> new ArrayList<>()).add(i);
        keyOfInstance.put(i.id(), i.releaseKey());
        keysOfUid.computeIfAbsent(i.releaseUid(), k -> new LinkedHashSet<>())
            .add(i.releaseKey());
        if (i.state().isAlive()) {
          live.merge(namespaceOf(i.releaseKey()), 1, Integer::sum);
        }
      }
      Map<String, ElasticIp> byId = new LinkedHashMap<>();
      Map<String, List<ElasticIp>> byOwner = new HashMap<>();
      Map<String, Set<ElasticIp>> addressesByKey = new HashMap<>();
      for (ElasticIp a : addresses) {
        byId.put(a.allocationId(), a);
        if (a.ownerReleaseUid() != null) {
          byOwner.computeIfAbsent(a.ownerReleaseUid(), k -> new ArrayList<>()).add(a);
        }
        // A Release's view: the addresses pointing at its instances or allocated for it.
        Set<String> keys = new HashSet<>();
        if (a.instanceId() != null && keyOfInstance.containsKey(a.instanceId())) {
          keys.add(keyOfInstance.get(a.instanceId()));
        }
        if (a.ownerReleaseUid() != null) {
          keys.addAll(keysOfUid.getOrDefault(a.ownerReleaseUid(), Set.of()));
        }
        keys.forEach(k -> addressesByKey.computeIfAbsent(k, x -> new HashSet<>()).add(a));
      }
      Map<ResourceID, Set<ReleaseView>> views = new HashMap<>();
      byKey.forEach((key, members) -> views.put(resourceId(key), Set.of(new ReleaseView(key,
          Set.copyOf(members), Set.copyOf(addressesByKey.getOrDefault(key, Set.of()))))));
      Map<String, List<ManagedInstance>> uids = new LinkedHashMap<>();
      byUid.forEach((uid, members) -> uids.put(uid, List.copyOf(members)));
      Map<String, List<ElasticIp>> owners = new HashMap<>();
      byOwner.forEach((uid, owned) -> owners.put(uid, List.copyOf(owned)));
      return new Snapshot(startedAt, landedAt, Collections.unmodifiableMap(uids),
          Set.copyOf(keyOfInstance.keySet()), Collections.unmodifiableMap(byId),
          Map.copyOf(owners), Map.copyOf(live), Map.copyOf(views));
    }

    List<ManagedInstance> instancesOf(String uid) {
      return instancesByUid.getOrDefault(uid, List.of());
    }
  }

  private record Written<T>(T value, Instant at) {}

  /**
   * Cutover's own changes that no snapshot showed yet; never changed once made (each change
   * makes a new one).
   *
   * @param launched launched instances by Release uid, then by instance id
   * @param stateChanges instances Cutover terminated, by id
   * @param addressChanges addresses Cutover associated, allocated, claimed or released (empty)
   * @param allocated allocation ids of addresses Cutover allocated that no poll listed yet
   */
  private record Writes(Map<String, Map<String, Written<ManagedInstance>>> launched,
      Map<String, Written<InstanceState>> stateChanges,
      Map<String, Written<Optional<ElasticIp>>> addressChanges, Set<String> allocated) {

    static final Writes NONE = new Writes(Map.of(), Map.of(), Map.of(), Set.of());

    Writes withLaunched(List<ManagedInstance> instances, Instant at) {
      Map<String, Map<String, Written<ManagedInstance>>> all = new LinkedHashMap<>(launched);
      for (ManagedInstance i : instances) {
        Map<String, Written<ManagedInstance>> own = new LinkedHashMap<>(
            all.getOrDefault(i.releaseUid(), Map.of()));
        own.put(i.id(), new Written<>(i, at));
        all.put(i.releaseUid(), Collections.unmodifiableMap(own));
      }
      return new Writes(Collections.unmodifiableMap(all), stateChanges, addressChanges,
          allocated);
    }

    Writes withTerminating(List<String> ids, Instant at) {
      Map<String, Written<InstanceState>> states = new HashMap<>(stateChanges);
      ids.forEach(id -> states.put(id, new Written<>(InstanceState.SHUTTING_DOWN, at)));
      // A terminated launch is no longer written through (the poll decides what it shows).
      Map<String, Map<String, Written<ManagedInstance>>> all = new LinkedHashMap<>();
      launched.forEach((uid, own) -> {
        if (ids.stream().noneMatch(own::containsKey)) {
          all.put(uid, own);
          return;
        }
        Map<String, Written<ManagedInstance>> rest = new LinkedHashMap<>(own);
        rest.keySet().removeAll(ids);
        if (!rest.isEmpty()) {
          all.put(uid, Collections.unmodifiableMap(rest));
        }
      });
      return new Writes(Collections.unmodifiableMap(all), Map.copyOf(states), addressChanges,
          allocated);
    }

    Writes withAddress(String allocationId, Optional<ElasticIp> address, Instant at) {
      Map<String, Written<Optional<ElasticIp>>> changes = new HashMap<>(addressChanges);
      changes.put(allocationId, new Written<>(address, at));
      return new Writes(launched, stateChanges, Map.copyOf(changes), allocated);
    }

    Writes withAllocated(ElasticIp address, Instant at) {
      Set<String> ids = new HashSet<>(allocated);
      ids.add(address.allocationId());
      return new Writes(launched, stateChanges, addressChanges, Set.copyOf(ids))
          .withAddress(address.allocationId(), Optional.of(address), at);
    }

    /** What is left once this snapshot landed. */
    Writes prunedBy(Snapshot snapshot) {
      Instant startedAt = snapshot.startedAt();
      Map<String, Map<String, Written<ManagedInstance>>> stillLaunched = new LinkedHashMap<>();
      launched.forEach((uid, own) -> {
        Map<String, Written<ManagedInstance>> rest = new LinkedHashMap<>(own);
        rest.entrySet().removeIf(e -> snapshot.instanceIds().contains(e.getKey())
            || e.getValue().at().plus(LAUNCH_VISIBILITY_GRACE).isBefore(startedAt));
        if (!rest.isEmpty()) {
          stillLaunched.put(uid, Collections.unmodifiableMap(rest));
        }
      });
      // A poll that started after a change was made shows it (or something newer); an address
      // Cutover allocated stays in view until a poll lists it, since DescribeAddresses may lag.
      Map<String, Written<InstanceState>> states = new HashMap<>(stateChanges);
      states.values().removeIf(w -> w.at().isBefore(startedAt));
      Map<String, Written<Optional<ElasticIp>>> changes = new HashMap<>(addressChanges);
      changes.entrySet().removeIf(e -> e.getValue().at().isBefore(startedAt)
          && !(allocated.contains(e.getKey())
              && !snapshot.addresses().containsKey(e.getKey())
              && e.getValue().at().plus(LAUNCH_VISIBILITY_GRACE).isAfter(startedAt)));
      Set<String> stillAllocated = new HashSet<>(allocated);
      stillAllocated.removeIf(id -> snapshot.addresses().containsKey(id)
          || !changes.containsKey(id));
      return new Writes(Collections.unmodifiableMap(stillLaunched), Map.copyOf(states),
          Map.copyOf(changes), Set.copyOf(stillAllocated));
    }

    Map<String, Written<ManagedInstance>> launchedFor(String uid) {
      return launched.getOrDefault(uid, Map.of());
    }
  }

  /** The newest complete snapshot (null before the first) and the write-through on top. */
  private record State(Snapshot snapshot, Writes writes) {}

  /** One refresh: queued ({@code startedAt} null) or running, and its outcome. */
  private static final class Flight {
    final CompletableFuture<Snapshot> landed = new CompletableFuture<>();
    Instant startedAt;
  }

  /** Why a reconcile cannot be given a world yet, and which refresh it needs. */
  private record Need(Instant startedBy, String why) {}

  /** An address a Release names that a snapshot lacked, and since when a refresh must show it. */
  private record Looked(String allocationId, Instant since) {}

  private final Ec2Gateway gateway;
  private final Clock clock;
  private final Duration maxAge;
  /** When this process began to observe: what it launched before is known only from EC2. */
  private final Instant createdAt;
  private final Executor refresher;
  private final ThreadPoolExecutor ownRefresher;

  private final AtomicReference<State> state = new AtomicReference<>(
      new State(null, Writes.NONE));
  /** Guards only the two flights below; never held while EC2 is called. */
  private final Object flights = new Object();
  private Flight running;
  private Flight queued;
  /** Releases (uid → key) that got no world and wait for the next refresh to land. */
  private final Map<String, String> waiting = new ConcurrentHashMap<>();
  /** Per Release uid: the named address a snapshot lacked, and since when it was looked for. */
  private final Map<String, Looked> lookedFor = new ConcurrentHashMap<>();
  private volatile Consumer<String> wake = releaseKey -> { };

  /**
   * Refreshes on a thread of its own.
   *
   * @param maxAge a reconcile that finds no refresh landed within this time gets no world and
   *     waits for the next one
   */
  public Ec2Inventory(Ec2Gateway gateway, Clock clock, Duration maxAge) {
    this(gateway, clock, maxAge, null);
  }

  /**
   * Refreshes on {@code refresher} (null: a thread of its own). A caller's own thread
   * ({@code Runnable::run}) makes every refresh happen inside the call that asks for it: a
   * deterministic simulation steps through it.
   */
  public Ec2Inventory(Ec2Gateway gateway, Clock clock, Duration maxAge, Executor refresher) {
    this.gateway = gateway;
    this.clock = clock;
    this.maxAge = maxAge;
    this.createdAt = clock.instant();
    if (refresher == null) {
      // One thread at most, gone when idle: an account and region nobody uses costs nothing.
      this.ownRefresher = new ThreadPoolExecutor(0, 1, 60, TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "cutover-ec2-refresh");
            t.setDaemon(true);
            return t;
          });
      this.refresher = ownRefresher;
    } else {
      this.ownRefresher = null;
      this.refresher = refresher;
    }
  }

  /** Told the key (namespace/name) of each Release that waited for a refresh, when it lands. */
  public void onRefreshFor(Consumer<String> wake) {
    this.wake = wake;
  }

  // ---- refreshing: single flight ----

  /**
   * A refresh that started at or after {@code startedBy}: the one in flight if it did, else the
   * one queued after it (queued now if none is). Never runs two at once, never blocks.
   */
  CompletableFuture<Snapshot> refreshStartedBy(Instant startedBy) {
    Flight start;
    synchronized (flights) {
      if (running != null && (running.startedAt == null
          || !running.startedAt.isBefore(startedBy))) {
        return running.landed;
      }
      if (queued != null) {
        return queued.landed;
      }
      start = new Flight();
      if (running == null) {
        running = start;
      } else {
        queued = start;
      }
    }
    Flight flight = start;
    try {
      refresher.execute(() -> run(flight));
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      synchronized (flights) {
        running = running == flight ? null : running;
        queued = queued == flight ? null : queued;
      }
      flight.landed.completeExceptionally(new IllegalStateException(
          "the EC2 inventory is closed", closed));
    }
    return flight.landed;
  }

  private void run(Flight flight) {
    Instant startedAt;
    synchronized (flights) {
      running = flight;
      if (queued == flight) {
        queued = null;
      }
      startedAt = clock.instant();
      flight.startedAt = startedAt;
    }
    Snapshot polled;
    try {
      polled = poll(startedAt);
      state.updateAndGet(s -> new State(polled, s.writes().prunedBy(polled)));
    } catch (RuntimeException e) {
      landed(flight);
      flight.landed.completeExceptionally(e);
      return;
    }
    landed(flight);
    flight.landed.complete(polled);
    wakeWaiting();
  }

  /** No longer in flight: whoever asks from now on gets a refresh of their own. */
  private void landed(Flight flight) {
    synchronized (flights) {
      if (running == flight) {
        running = null;
      }
    }
  }

  /** The three reads, on the refresh thread; nothing is locked. */
  private Snapshot poll(Instant startedAt) {
    List<ManagedInstance> listed = gateway.describeManagedInstances();
    // A terminated instance has no checks to show, and may be forgotten by EC2 any moment.
    Map<String, StatusChecks> checks = gateway.describeInstanceStatuses(listed.stream()
        .filter(i -> i.state() != InstanceState.TERMINATED).map(ManagedInstance::id).toList());
    List<ManagedInstance> instances = listed.stream()
        .map(i -> i.withStatusChecks(checks.getOrDefault(i.id(), StatusChecks.PENDING)))
        .toList();
    List<ElasticIp> addresses = gateway.describeAddresses();
    return Snapshot.of(instances, addresses, startedAt, clock.instant());
  }

  private void wakeWaiting() {
    Consumer<String> listener = wake;
    for (String uid : List.copyOf(waiting.keySet())) {
      String key = waiting.remove(uid);
      if (key != null) {
        listener.accept(key);
      }
    }
  }

  /** Polls EC2 and waits for the new snapshot (joins a refresh that started from now on). */
  public void refresh() {
    await(refreshStartedBy(clock.instant()));
  }

  private static void await(CompletableFuture<Snapshot> refresh) {
    try {
      refresh.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  /** Starts the periodic poll's refresh, joining one in flight; see {@link #viewsAfter}. */
  public CompletableFuture<?> poll() {
    return refreshStartedBy(Instant.MIN);
  }

  /** The poll for JOSDK's polling event source: one view per Release that has instances. */
  public Map<ResourceID, Set<ReleaseView>> fetchViews() {
    return viewsAfter(poll());
  }

  /**
   * The views once {@code refresh} (from {@link #poll}) is over. It runs on the poller's own
   * thread, never on a reconcile's.
   */
  public Map<ResourceID, Set<ReleaseView>> viewsAfter(CompletableFuture<?> refresh) {
    try {
      refresh.join();
    } catch (CompletionException e) {
      if (!(e.getCause() instanceof Ec2Failure failure)) {
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
      // A failed poll keeps the last view (none yet: nothing to report) and is tried again at
      // the next interval; it must not stop the event source, nor the operator's start.
      log.warn("polling EC2 failed, keeping the last view: {}", failure.getMessage());
    }
    Snapshot snapshot = state.get().snapshot();
    return snapshot == null ? Map.of() : snapshot.views();
  }

  // ---- reading ----

  /**
   * The world of one Release: its instances (tags carry both its uid and its name) and its
   * Elastic IP: the given allocation id, or the address Cutover allocated for it. Empty when the
   * newest snapshot cannot tell it yet: the refresh it needs is asked for, and the Release is
   * woken when a refresh lands.
   *
   * @param addressSince a poll that started at or after this instant shows the given address if
   *     it exists (the Release's creation, or now when its spec just named another address); an
   *     older poll that lacks it is refreshed once instead of calling the address missing
   */
  public Optional<ObservedWorld> worldFor(String releaseUid, String releaseKey,
      String allocationId, Instant addressSince) {
    return worldFor(releaseUid, releaseKey, allocationId, List.of(), addressSince);
  }

  /**
   * The same, with the other addresses the Release names (the other addresses of its roles,
   * its preview address) found by allocation id in the same poll.
   */
  public Optional<ObservedWorld> worldFor(String releaseUid, String releaseKey,
      String allocationId, List<String> otherAllocationIds, Instant addressSince) {
    Instant asked = clock.instant();
    State now = state.get();
    Optional<Need> need = need(now, releaseUid, allocationId, addressSince, asked);
    if (need.isPresent()) {
      waiting.put(releaseUid, releaseKey);
      refreshStartedBy(need.get().startedBy());
      // The refresh may have landed meanwhile (at once, on a caller's own thread).
      now = state.get();
      Optional<Need> still = need(now, releaseUid, allocationId, addressSince, asked);
      if (still.isPresent()) {
        log.debug("{}: waiting for a refresh of EC2: {}", releaseKey, still.get().why());
        return Optional.empty();
      }
      waiting.remove(releaseUid, releaseKey);
    }
    return Optional.of(world(now, releaseUid, releaseKey, allocationId, otherAllocationIds));
  }

  /** What keeps the newest snapshot from answering this Release now, if anything. */
  private Optional<Need> need(State now, String releaseUid, String allocationId,
      Instant addressSince, Instant asked) {
    Snapshot snapshot = now.snapshot();
    if (snapshot == null) {
      return Optional.of(new Need(Instant.MIN, "no refresh has landed yet"));
    }
    Instant startedBy = null;
    String why = null;
    if (snapshot.landedAt().plus(maxAge).isBefore(asked)) {
      // The poller is stuck or failing: no acting on what it saw long ago.
      startedBy = Instant.MIN;
      why = "the last refresh landed more than " + maxAge + " ago";
    }
    Instant settled = createdAt.plus(Ec2Gateway.LISTING_DELAY);
    if (snapshot.startedAt().isBefore(settled) && !asked.isBefore(settled)) {
      // From before a process that just started can trust EC2's listing.
      startedBy = settled;
      why = "this process started less than " + Ec2Gateway.LISTING_DELAY
          + " before the last refresh";
    }
    if (allocationId != null) {
      Looked looked = lookedFor.get(releaseUid);
      if (snapshot.addresses().containsKey(allocationId)
          || now.writes().addressChanges().containsKey(allocationId)) {
        if (looked != null) {
          lookedFor.remove(releaseUid, looked);
        }
      } else {
        // Looked for once since it was named: a later snapshot that lacks it calls it missing.
        if (looked == null || !looked.allocationId().equals(allocationId)) {
          looked = new Looked(allocationId, addressSince.isAfter(asked) ? asked : addressSince);
          lookedFor.put(releaseUid, looked);
        }
        if (snapshot.startedAt().isBefore(looked.since())) {
          startedBy = startedBy == null || looked.since().isAfter(startedBy) ? looked.since()
              : startedBy;
          why = "the last refresh started before " + allocationId + " was named";
        }
      }
    }
    return startedBy == null ? Optional.empty() : Optional.of(new Need(startedBy, why));
  }

  private ObservedWorld world(State now, String releaseUid, String releaseKey,
      String allocationId, List<String> otherAllocationIds) {
    Snapshot snapshot = now.snapshot();
    Writes writes = now.writes();
    String key = Tags.fit(releaseKey);
    Map<String, ManagedInstance> instances = new LinkedHashMap<>();
    snapshot.instancesOf(releaseUid).stream().filter(i -> i.releaseKey().equals(key))
        .forEach(i -> instances.put(i.id(), i));
    writes.launchedFor(releaseUid).forEach((id, w) -> {
      if (w.value().releaseKey().equals(key) && !snapshot.instanceIds().contains(id)) {
        instances.putIfAbsent(id, w.value());
      }
    });
    instances.replaceAll((id, i) -> {
      Written<InstanceState> w = writes.stateChanges().get(id);
      return w == null || i.state().isGone() && !w.value().isGone() ? i : i.withState(w.value());
    });
    List<ManagedInstance> mine = List.copyOf(instances.values());

    // Owned addresses: the snapshot's, with Cutover's own changes to any address on top (few:
    // only those made since the last refresh).
    Map<String, ElasticIp> owned = new HashMap<>();
    snapshot.addressesByOwner().getOrDefault(releaseUid, List.of())
        .forEach(a -> owned.put(a.allocationId(), a));
    writes.addressChanges().forEach((id, w) -> {
      if (w.value().isPresent() && releaseUid.equals(w.value().get().ownerReleaseUid())) {
        owned.put(id, w.value().get());
      } else {
        owned.remove(id);
      }
    });
    List<ElasticIp> ownedSorted = owned.values().stream()
        .sorted(Comparator.comparing(ElasticIp::allocationId)).toList();
    Optional<ElasticIp> elasticIp = allocationId != null
        ? address(now, allocationId)
        : ownedSorted.stream().filter(a -> a.instanceId() != null).findFirst()
            .or(() -> ownedSorted.stream().findFirst());
    Map<String, ElasticIp> named = new LinkedHashMap<>();
    otherAllocationIds.forEach(id -> address(now, id).ifPresent(a -> named.put(id, a)));
    return new ObservedWorld(mine, elasticIp, Map.of(), ownedSorted, snapshot.startedAt(),
        createdAt).withAddresses(named);
  }

  /** An address as the snapshot lists it, or as Cutover changed it since. */
  private static Optional<ElasticIp> address(State now, String allocationId) {
    Written<Optional<ElasticIp>> changed = now.writes().addressChanges().get(allocationId);
    return changed != null ? changed.value()
        : Optional.ofNullable(now.snapshot().addresses().get(allocationId));
  }

  /** Live instances of every Release in a namespace, as last seen (for a per-namespace cap). */
  public int liveInstancesIn(String namespace) {
    State now = state.get();
    Snapshot snapshot = now.snapshot();
    if (snapshot == null) {
      return 0;
    }
    int launched = 0;
    for (Map<String, Written<ManagedInstance>> own : now.writes().launched().values()) {
      for (Written<ManagedInstance> w : own.values()) {
        ManagedInstance i = w.value();
        if (!snapshot.instanceIds().contains(i.id()) && i.state().isAlive()
            && namespaceOf(i.releaseKey()).equals(namespace)) {
          launched++;
        }
      }
    }
    return snapshot.liveByNamespace().getOrDefault(namespace, 0) + launched;
  }

  // ---- write-through of Cutover's own changes ----

  public void recordLaunched(List<ManagedInstance> instances) {
    Instant now = clock.instant();
    write(w -> w.withLaunched(instances, now));
  }

  public void recordTerminating(List<String> instanceIds) {
    Instant now = clock.instant();
    write(w -> w.withTerminating(instanceIds, now));
  }

  public void recordAssociated(ElasticIp address, String instanceId) {
    Instant now = clock.instant();
    // A claim written earlier in the same pass is newer than the address the plan carried.
    write(w -> w.withAddress(address.allocationId(), Optional.of(Optional.ofNullable(
            w.addressChanges().get(address.allocationId())).flatMap(Written::value)
        .orElse(address).associatedWith(instanceId)), now));
  }

  public void recordAllocated(ElasticIp address) {
    Instant now = clock.instant();
    write(w -> w.withAllocated(address, now));
  }

  /** A claim written (or removed: nulls) by Cutover, seen before the next poll lists it. */
  public void recordClaim(ElasticIp address, String uid, String release) {
    Instant now = clock.instant();
    write(w -> w.withAddress(address.allocationId(),
        Optional.of(address.claimedBy(uid, release)), now));
  }

  public void recordReleased(String allocationId) {
    Instant now = clock.instant();
    write(w -> w.withAddress(allocationId, Optional.empty(), now));
  }

  private void write(java.util.function.UnaryOperator<Writes> change) {
    state.updateAndGet(s -> new State(s.snapshot(), change.apply(s.writes())));
  }

  /** The Release is gone: nothing is remembered for it. */
  public void forget(String releaseUid) {
    waiting.remove(releaseUid);
    lookedFor.remove(releaseUid);
  }

  public Ec2Gateway gateway() {
    return gateway;
  }

  /** Stops the refresh thread of its own, if it has one (a refresh in flight is abandoned). */
  @Override
  public void close() {
    if (ownRefresher != null) {
      ownRefresher.shutdownNow();
    }
  }

  public static ResourceID resourceId(String releaseKey) {
    int slash = releaseKey.indexOf('/');
    return new ResourceID(releaseKey.substring(slash + 1), releaseKey.substring(0, slash));
  }

  private static String namespaceOf(String releaseKey) {
    int slash = releaseKey.indexOf('/');
    return slash < 0 ? releaseKey : releaseKey.substring(0, slash);
  }
}
