package dev.cutover.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.awaitility.Awaitility.await;

import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.ec2.ElasticIp;
import dev.cutover.ec2.InstanceState;
import dev.cutover.ec2.LaunchRequest;
import dev.cutover.ec2.ManagedInstance;
import dev.cutover.ec2.Tags;
import dev.cutover.sim.SimClock;
import dev.cutover.sim.SimulatedEc2;
import dev.cutover.sim.SimulatedEc2.Fault;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;

/**
 * The shared EC2 view: Cutover's own changes written through until a poll shows them, when a
 * reconcile needs a refresh and that it never waits for one, single flight, and which resources
 * are a Release's at all. EC2 is the in-memory one, behind the real gateway, whose call counts
 * say how often EC2 was asked. Most tests refresh on the caller's own thread (a read that needs
 * a refresh gets it before it returns); those about waiting queue refreshes and run them by
 * hand, or run them on the inventory's own thread.
 */
class Ec2InventoryTest {

  static final Instant T0 = Instant.parse("2026-11-27T12:00:00Z");
  static final Duration MAX_AGE = Duration.ofSeconds(3);
  static final String UID = "5b1c7d2e-0000-4000-8000-000000000001";
  static final String OTHER_UID = "5b1c7d2e-0000-4000-8000-000000000002";
  static final String KEY = "shop/app";

  final SimClock clock = new SimClock(T0);
  final SimulatedEc2 ec2 = new SimulatedEc2(clock);
  final Ec2Gateway gateway = new Ec2Gateway(ec2);
  final Ec2Inventory inventory = new Ec2Inventory(gateway, clock, MAX_AGE, Runnable::run);
  /** Refreshes asked of {@link #deferred}, run only by {@link #runQueued()}. */
  final Deque<Runnable> queued = new ArrayDeque<>();
  final Ec2Inventory deferred = new Ec2Inventory(gateway, clock, MAX_AGE, queued::add);

  static Map<String, String> tags(String uid, String key, String version) {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(Tags.MANAGED_BY, Tags.MANAGED_BY_VALUE);
    tags.put(Tags.RELEASE_UID, uid);
    tags.put(Tags.RELEASE, key);
    tags.put(Tags.FLEET, "fleet-" + version);
    tags.put(Tags.VERSION, version);
    return tags;
  }

  /** RunInstances through the gateway, written through as the executor does. */
  List<ManagedInstance> launch(String token, int count) {
    List<ManagedInstance> launched = gateway.runInstances(new LaunchRequest(token,
        "ami-0123456789abcdef0", "t3.small", "subnet-a", List.of(), null, null, null,
        tags(UID, KEY, "1.0.0"), count));
    inventory.recordLaunched(launched);
    return launched;
  }

  ObservedWorld world() {
    return inventory.worldFor(UID, KEY, null, T0).orElseThrow();
  }

  ObservedWorld world(String uid, String key, String allocationId, Instant since) {
    return inventory.worldFor(uid, key, allocationId, since).orElseThrow();
  }

  void runQueued() {
    while (!queued.isEmpty()) {
      queued.poll().run();
    }
  }

  List<String> ids(ObservedWorld world) {
    return ids(world.instances());
  }

  List<String> ids(List<ManagedInstance> instances) {
    return instances.stream().map(ManagedInstance::id).toList();
  }

  long polls() {
    return gateway.callCounts().getOrDefault("DescribeInstances/ok", 0L);
  }

  long addressPolls() {
    return gateway.callCounts().getOrDefault("DescribeAddresses/ok", 0L);
  }

  // ------------------------------------------------------------------ write-through

  @Test
  void aLaunchIsInViewBeforeAnyPollShowsIt() {
    ec2.settings().describeLag = Duration.ofSeconds(30);
    inventory.refresh();
    List<ManagedInstance> launched = launch("t", 2);

    ObservedWorld now = world();
    assertThat(polls()).as("the last poll is fresh: no new poll").isEqualTo(1);
    assertThat(ids(now)).containsExactlyElementsOf(ids(launched));

    clock.advance(Duration.ofSeconds(10));
    ObservedWorld later = world();
    assertThat(polls()).as("a poll older than maxAge is refreshed first").isEqualTo(2);
    assertThat(gateway.describeManagedInstances()).as("EC2 does not list it yet").isEmpty();
    assertThat(ids(later)).containsExactlyElementsOf(ids(launched));
    assertThat(later.instances()).extracting(ManagedInstance::state)
        .containsOnly(InstanceState.PENDING);

    // Booted at 10 s; with the lag, polls show it running from 40 s on.
    clock.advance(Duration.ofSeconds(35));
    ObservedWorld listed = world();
    assertThat(ids(listed)).containsExactlyInAnyOrderElementsOf(ids(launched));
    assertThat(listed.instances()).as("the poll's view replaces the written one")
        .extracting(ManagedInstance::state).containsOnly(InstanceState.RUNNING);
  }

  @Test
  void aLaunchIsDroppedOnceAPollListedIt() {
    ec2.settings().terminateDelay = Duration.ofSeconds(1);
    ec2.settings().terminatedVisibleFor = Duration.ofSeconds(1);
    String id = launch("t", 1).get(0).id();
    assertThat(ids(world())).containsExactly(id);

    ec2.terminateOutOfBand(id);
    clock.advance(Duration.ofSeconds(10));
    assertThat(ec2.instance(id).orElseThrow().state().toString()).isEqualTo("terminated");
    assertThat(ids(world())).as("listed once, then gone from EC2: not kept from the launch")
        .isEmpty();
  }

  @Test
  void aLaunchNoPollListsIsKeptForTheGraceOnly() {
    ec2.settings().describeLag = Duration.ofMinutes(10);
    String id = launch("t", 1).get(0).id();

    clock.advance(Ec2Inventory.LAUNCH_VISIBILITY_GRACE.minusSeconds(1));
    assertThat(ids(world())).containsExactly(id);

    clock.advance(MAX_AGE.plusSeconds(1));
    assertThat(ids(world())).as("past the grace, a launch no poll shows is forgotten")
        .isEmpty();
  }

  @Test
  void aRecordedTerminationIsInViewAsShuttingDown() {
    List<String> ids = ids(launch("t", 2));
    clock.advance(ec2.settings().bootDelay);
    assertThat(world().instances()).extracting(ManagedInstance::state)
        .containsOnly(InstanceState.RUNNING);
    long before = polls();

    gateway.terminateInstances(List.of(ids.get(0)));
    inventory.recordTerminating(List.of(ids.get(0)));
    ObservedWorld after = world();
    assertThat(polls()).as("no poll needed").isEqualTo(before);
    assertThat(after.instance(ids.get(0)).orElseThrow().state())
        .isEqualTo(InstanceState.SHUTTING_DOWN);
    assertThat(after.instance(ids.get(1)).orElseThrow().state())
        .isEqualTo(InstanceState.RUNNING);

    clock.advance(Duration.ofSeconds(10));
    assertThat(world().instance(ids.get(0)).orElseThrow().state())
        .as("a later poll shows what EC2 did").isEqualTo(InstanceState.TERMINATED);
  }

  @Test
  void aTerminationOfALaunchNotYetListedIsNotResurrected() {
    ec2.settings().describeLag = Duration.ofSeconds(30);
    inventory.refresh();
    String id = launch("t", 1).get(0).id();
    gateway.terminateInstances(List.of(id));
    inventory.recordTerminating(List.of(id));
    assertThat(ids(world())).as("the launch is no longer written through").isEmpty();
  }

  @Test
  void anAllocatedAddressStaysInViewUntilAPollListsIt() {
    ec2.settings().describeLag = Duration.ofSeconds(30);
    inventory.refresh();
    ElasticIp allocated = gateway.allocateAddress(Map.of(Tags.RELEASE_UID, UID));
    inventory.recordAllocated(allocated);

    ObservedWorld now = world();
    assertThat(now.elasticIp()).contains(allocated);
    assertThat(now.ownedAddresses()).containsExactly(allocated);

    clock.advance(Duration.ofSeconds(10));
    ObservedWorld lagging = world();
    assertThat(gateway.describeAddresses()).as("EC2 does not list it yet").isEmpty();
    assertThat(addressPolls()).as("polled again").isEqualTo(3);
    assertThat(lagging.elasticIp()).as("still in view").contains(allocated);

    clock.advance(Duration.ofSeconds(25));
    assertThat(world().elasticIp()).as("listed by the poll").contains(allocated);

    // Released by someone else: the next poll no longer lists it, and nothing keeps it.
    ec2.releaseAddress(r -> r.allocationId(allocated.allocationId()));
    clock.advance(Duration.ofSeconds(10));
    ObservedWorld released = world();
    assertThat(released.elasticIp()).isEmpty();
    assertThat(released.ownedAddresses()).isEmpty();
  }

  @Test
  void anAssociationIsInViewUntilTheNextPoll() {
    ElasticIp address = gateway.allocateAddress(Map.of(Tags.RELEASE_UID, UID));
    String id = launch("t", 1).get(0).id();
    clock.advance(ec2.settings().bootDelay);
    assertThat(world().elasticIp()).contains(address);

    long before = polls();
    gateway.associateAddress(address.allocationId(), id);
    inventory.recordAssociated(address, id);
    assertThat(world().elasticIp().orElseThrow().instanceId()).isEqualTo(id);
    assertThat(polls()).as("shown without a poll").isEqualTo(before);
    clock.advance(Duration.ofSeconds(10));
    assertThat(world().elasticIp().orElseThrow().instanceId()).isEqualTo(id);
  }

  // ------------------------------------------------------------------ when to refresh

  @Test
  void aReadAsksForARefreshOnlyWhenTheLastOneLandedLongerThanMaxAgeAgo() {
    launch("t", 1);
    world();
    assertThat(gateway.callCounts()).as("the first read needs a refresh: three calls")
        .isEqualTo(Map.of("RunInstances/ok", 1L, "DescribeInstances/ok", 1L,
            "DescribeAddresses/ok", 1L, "DescribeInstanceStatus/ok", 1L));

    clock.advance(MAX_AGE);
    world();
    assertThat(polls()).as("exactly maxAge old: still fresh").isEqualTo(1);

    clock.advance(Duration.ofMillis(1));
    world();
    assertThat(polls()).isEqualTo(2);
    world();
    world();
    assertThat(gateway.callCounts()).isEqualTo(Map.of("RunInstances/ok", 1L,
        "DescribeInstances/ok", 2L, "DescribeAddresses/ok", 2L,
        "DescribeInstanceStatus/ok", 2L));
  }

  @Test
  void aNamedAddressThePollLacksIsLookedForOnceWhenThePollPredatesIt() {
    inventory.refresh();
    clock.advance(Duration.ofSeconds(1));
    Instant named = clock.instant();
    ec2.createAddressOutOfBand("eipalloc-0000000000000000a", "127.17.0.9", Map.of());

    ObservedWorld found = world(UID, KEY, "eipalloc-0000000000000000a", named);
    assertThat(addressPolls()).as("one refresh").isEqualTo(2);
    assertThat(found.elasticIp()).map(ElasticIp::allocationId)
        .contains("eipalloc-0000000000000000a");
  }

  @Test
  void aMissingAddressTriggersExactlyOneRefresh() {
    inventory.refresh();
    clock.advance(Duration.ofSeconds(1));
    Instant named = clock.instant();

    ObservedWorld missing = world(UID, KEY, "eipalloc-0000000000000000b", named);
    assertThat(missing.elasticIp()).isEmpty();
    assertThat(addressPolls()).isEqualTo(2);

    // The last poll started when the spec named it: it would have shown the address.
    world(UID, KEY, "eipalloc-0000000000000000b", named);
    clock.advance(Duration.ofSeconds(1));
    world(UID, KEY, "eipalloc-0000000000000000b", named);
    assertThat(addressPolls()).as("no second refresh for the same address").isEqualTo(2);
    assertThat(polls()).isEqualTo(2);
  }

  @Test
  void aMissingAddressNamedBeforeTheLastPollTriggersNoRefresh() {
    Instant named = clock.instant();
    clock.advance(Duration.ofSeconds(1));
    inventory.refresh();

    ObservedWorld missing = world(UID, KEY, "eipalloc-0000000000000000c", named);
    assertThat(missing.elasticIp()).isEmpty();
    assertThat(addressPolls()).isEqualTo(1);
  }

  @Test
  void anAddressCutoverJustAllocatedNeedsNoRefresh() {
    inventory.refresh();
    ec2.settings().describeLag = Duration.ofSeconds(30);
    clock.advance(Duration.ofSeconds(1));
    ElasticIp allocated = gateway.allocateAddress(Map.of(Tags.RELEASE_UID, UID));
    inventory.recordAllocated(allocated);

    ObservedWorld world = world(UID, KEY, allocated.allocationId(), clock.instant());
    assertThat(world.elasticIp()).contains(allocated);
    assertThat(addressPolls()).isEqualTo(1);
  }

  @Test
  void anAddressNamedJustNowIsLookedForOnceNotAtEveryRead() {
    inventory.refresh();
    for (int read = 0; read < 3; read++) {
      clock.advance(Duration.ofMillis(500));
      // A spec that names another address than status saw: named "now", at every read.
      assertThat(world(UID, KEY, "eipalloc-0000000000000000d", clock.instant()).elasticIp())
          .isEmpty();
    }
    assertThat(addressPolls()).as("one refresh for the address, not one per read")
        .isEqualTo(2);
  }

  // ------------------------------------------------------------------ never waiting

  @Test
  void aReadBeforeAnyRefreshLandedGetsNoWorldAndAsksForOne() {
    assertThat(deferred.worldFor(UID, KEY, null, T0)).as("nothing to vouch for").isEmpty();
    assertThat(queued).as("one refresh asked for").hasSize(1);
    assertThat(polls()).as("and none run on the reader's thread").isZero();

    runQueued();
    assertThat(deferred.worldFor(UID, KEY, null, T0)).isPresent();
    assertThat(queued).isEmpty();
  }

  @Test
  void oneRefreshAtATimeWhoeverAsks() {
    deferred.worldFor(UID, KEY, null, T0);
    deferred.worldFor(OTHER_UID, "shop/other", null, T0);
    CompletableFuture<?> poll = deferred.poll();
    assertThat(queued).as("the readers and the poll share the refresh not yet started")
        .hasSize(1);

    runQueued();
    assertThat(poll).isDone();
    assertThat(polls()).isEqualTo(1);

    // Too old: the next read asks again; a read meanwhile joins that refresh.
    clock.advance(MAX_AGE.plusSeconds(1));
    assertThat(deferred.worldFor(UID, KEY, null, T0)).isEmpty();
    assertThat(deferred.worldFor(OTHER_UID, "shop/other", null, T0)).isEmpty();
    deferred.poll();
    assertThat(queued).hasSize(1);
    runQueued();
    assertThat(polls()).isEqualTo(2);
    assertThat(deferred.worldFor(UID, KEY, null, T0)).isPresent();
  }

  @Test
  void aReleaseThatGotNoWorldIsWokenWhenTheRefreshLands() {
    List<String> woken = new ArrayList<>();
    deferred.onRefreshFor(woken::add);
    deferred.worldFor(UID, KEY, null, T0);
    deferred.worldFor(OTHER_UID, "shop/other", null, T0);
    assertThat(woken).isEmpty();

    runQueued();
    assertThat(woken).containsExactlyInAnyOrder(KEY, "shop/other");

    assertThat(deferred.worldFor(UID, KEY, null, T0)).isPresent();
    deferred.poll();
    runQueued();
    assertThat(woken).as("a Release that got its world waits for nothing").hasSize(2);
  }

  @Test
  void aFailedRefreshGivesNoWorldAndThePollKeepsTheLastViews() {
    ec2.launchOutOfBand(tags(UID, KEY, "1.0.0"), 1, "subnet-a");
    var views = inventory.fetchViews();
    assertThat(views).containsOnlyKeys(Ec2Inventory.resourceId(KEY));

    clock.advance(MAX_AGE.plusSeconds(1));
    ec2.failNext("DescribeInstances", Fault.throttle());
    assertThat(inventory.worldFor(UID, KEY, null, T0)).as("too old, and no newer one")
        .isEmpty();
    ec2.failNext("DescribeInstances", Fault.throttle());
    assertThat(inventory.fetchViews()).isEqualTo(views);
    assertThat(inventory.worldFor(UID, KEY, null, T0)).isPresent();
  }

  @Test
  void aReadReturnsAtOnceWhileARefreshIsHeldAndChangesMadeMeanwhileSurviveItsLanding()
      throws Exception {
    Pausing pausing = new Pausing(ec2);
    Ec2Gateway paused = new Ec2Gateway(pausing);
    try (Ec2Inventory threaded = new Ec2Inventory(paused, clock, MAX_AGE)) {
      List<ManagedInstance> first = paused.runInstances(new LaunchRequest("t1",
          "ami-0123456789abcdef0", "t3.small", "subnet-a", List.of(), null, null, null,
          tags(UID, KEY, "1.0.0"), 2));
      threaded.recordLaunched(first);
      clock.advance(ec2.settings().bootDelay);
      threaded.refresh();

      // The next refresh reads EC2 now, and is held before its answer is used.
      CountDownLatch release = pausing.holdNextAnswer();
      clock.advance(Duration.ofSeconds(1));
      CompletableFuture<?> refresh = threaded.poll();
      await().atMost(Duration.ofSeconds(10)).until(pausing::holding);

      // Meanwhile this Release acts: one instance terminated, another launched.
      clock.advance(Duration.ofSeconds(1));
      paused.terminateInstances(List.of(first.get(0).id()));
      threaded.recordTerminating(List.of(first.get(0).id()));
      List<ManagedInstance> second = paused.runInstances(new LaunchRequest("t2",
          "ami-0123456789abcdef0", "t3.small", "subnet-a", List.of(), null, null, null,
          tags(UID, KEY, "1.0.0"), 1));
      threaded.recordLaunched(second);

      ObservedWorld during = assertTimeoutPreemptively(Duration.ofSeconds(2),
          () -> threaded.worldFor(UID, KEY, null, T0).orElseThrow(),
          "a read waits for no refresh");
      assertThat(refresh).as("the refresh is still held").isNotDone();
      assertThat(during.instance(first.get(0).id()).orElseThrow().state())
          .isEqualTo(InstanceState.SHUTTING_DOWN);
      assertThat(ids(during)).contains(second.get(0).id());

      release.countDown();
      await().atMost(Duration.ofSeconds(10)).until(refresh::isDone);
      ObservedWorld after = threaded.worldFor(UID, KEY, null, T0).orElseThrow();
      assertThat(after.polledAt()).as("the held refresh's snapshot")
          .isEqualTo(T0.plus(ec2.settings().bootDelay).plusSeconds(1));
      assertThat(after.instance(first.get(0).id()).orElseThrow().state())
          .as("a refresh that started before the termination does not undo it")
          .isEqualTo(InstanceState.SHUTTING_DOWN);
      assertThat(ids(after)).as("nor forget a launch it could not list")
          .contains(second.get(0).id());
    }
  }

  /** The in-memory EC2, whose DescribeInstances answer can be held back once. */
  static final class Pausing implements Ec2Client {
    private final SimulatedEc2 ec2;
    private volatile CountDownLatch release;
    private volatile boolean holding;

    Pausing(SimulatedEc2 ec2) {
      this.ec2 = ec2;
    }

    CountDownLatch holdNextAnswer() {
      release = new CountDownLatch(1);
      return release;
    }

    boolean holding() {
      return holding;
    }

    @Override
    public DescribeInstancesResponse describeInstances(DescribeInstancesRequest request) {
      DescribeInstancesResponse answer = ec2.describeInstances(request);
      CountDownLatch latch = release;
      if (latch != null) {
        release = null;
        holding = true;
        try {
          latch.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        } finally {
          holding = false;
        }
      }
      return answer;
    }

    @Override
    public software.amazon.awssdk.services.ec2.model.DescribeInstanceStatusResponse
        describeInstanceStatus(
            software.amazon.awssdk.services.ec2.model.DescribeInstanceStatusRequest request) {
      return ec2.describeInstanceStatus(request);
    }

    @Override
    public software.amazon.awssdk.services.ec2.model.DescribeAddressesResponse describeAddresses(
        software.amazon.awssdk.services.ec2.model.DescribeAddressesRequest request) {
      return ec2.describeAddresses(request);
    }

    @Override
    public software.amazon.awssdk.services.ec2.model.RunInstancesResponse runInstances(
        software.amazon.awssdk.services.ec2.model.RunInstancesRequest request) {
      return ec2.runInstances(request);
    }

    @Override
    public software.amazon.awssdk.services.ec2.model.TerminateInstancesResponse
        terminateInstances(
            software.amazon.awssdk.services.ec2.model.TerminateInstancesRequest request) {
      return ec2.terminateInstances(request);
    }

    @Override
    public String serviceName() {
      return SERVICE_NAME;
    }

    @Override
    public void close() {}
  }

  // ------------------------------------------------------------------ the namespace's count

  @Test
  void liveInstancesOfANamespaceCountWhatThePollSawAndWhatWasLaunchedSince() {
    ec2.launchOutOfBand(tags(UID, KEY, "1.0.0"), 2, "subnet-a");
    ec2.launchOutOfBand(tags(OTHER_UID, "other/app", "1.0.0"), 3, "subnet-a");
    inventory.refresh();
    launch("t", 4);
    assertThat(inventory.liveInstancesIn("shop")).isEqualTo(6);
    assertThat(inventory.liveInstancesIn("other")).isEqualTo(3);
    assertThat(inventory.liveInstancesIn("nobody")).isZero();
  }

  // ------------------------------------------------------------------ ownership

  @Test
  void onlyTheReleasesOwnInstancesAndAddressesAreInItsWorld() {
    String mine = ec2.launchOutOfBand(tags(UID, KEY, "1.0.0"), 1, "subnet-a").get(0).id();
    // Same namespace/name, another uid (a deleted and recreated Release): not this one's.
    ec2.launchOutOfBand(tags(OTHER_UID, KEY, "1.0.0"), 1, "subnet-a");
    // Same uid, another key: not this Release's either.
    ec2.launchOutOfBand(tags(UID, "shop/other", "1.0.0"), 1, "subnet-a");
    ec2.launchOutOfBand(Map.of(), 1, "subnet-a");
    ec2.launchOutOfBand(Map.of("Name", "app", Tags.RELEASE, KEY), 1, "subnet-a");

    ec2.createAddressOutOfBand("eipalloc-000000000000000a1", "127.17.0.11",
        Map.of(Tags.RELEASE_UID, UID));
    ec2.createAddressOutOfBand("eipalloc-000000000000000a2", "127.17.0.12",
        Map.of(Tags.RELEASE_UID, OTHER_UID));
    ec2.createAddressOutOfBand("eipalloc-000000000000000a3", "127.17.0.13", Map.of());
    ec2.createAddressOutOfBand("eipalloc-000000000000000a4", "127.17.0.14",
        Map.of(Tags.RELEASE_UID, UID));

    ObservedWorld world = world();
    assertThat(ids(world)).containsExactly(mine);
    assertThat(world.ownedAddresses()).extracting(ElasticIp::allocationId)
        .containsExactly("eipalloc-000000000000000a1", "eipalloc-000000000000000a4");
    assertThat(world.elasticIp()).map(ElasticIp::allocationId)
        .as("without a named address: an owned one").contains("eipalloc-000000000000000a1");

    ObservedWorld named = world(UID, KEY, "eipalloc-000000000000000a3", T0);
    assertThat(named.elasticIp()).map(ElasticIp::allocationId).as("a named address need not "
        + "be owned").contains("eipalloc-000000000000000a3");
    assertThat(named.ownedAddresses()).extracting(ElasticIp::allocationId)
        .containsExactly("eipalloc-000000000000000a1", "eipalloc-000000000000000a4");

    ObservedWorld other = world(OTHER_UID, KEY, null, T0);
    assertThat(other.instances()).extracting(ManagedInstance::releaseUid)
        .containsOnly(OTHER_UID).hasSize(1);
    assertThat(other.ownedAddresses()).extracting(ElasticIp::allocationId)
        .containsExactly("eipalloc-000000000000000a2");
  }

  @Test
  void aLaunchWrittenThroughIsOnlyInItsOwnReleasesWorld() {
    launch("t", 1);
    assertThat(world(OTHER_UID, KEY, null, T0).instances()).isEmpty();
    assertThat(world(UID, "shop/other", null, T0).instances()).isEmpty();
    assertThat(world().instances()).hasSize(1);
  }

  @Test
  void thePollHandsEachReleaseItsOwnView() {
    String mine = ec2.launchOutOfBand(tags(UID, KEY, "1.0.0"), 1, "subnet-a").get(0).id();
    String theirs = ec2.launchOutOfBand(tags(OTHER_UID, "shop/other", "1.0.0"), 1, "subnet-a")
        .get(0).id();
    ec2.launchOutOfBand(Map.of("team", "web"), 1, "subnet-a");

    var views = inventory.fetchViews();
    assertThat(views).containsOnlyKeys(Ec2Inventory.resourceId(KEY),
        Ec2Inventory.resourceId("shop/other"));
    assertThat(views.get(Ec2Inventory.resourceId(KEY)).iterator().next().instances())
        .extracting(ManagedInstance::id).containsExactly(mine);
    assertThat(views.get(Ec2Inventory.resourceId("shop/other")).iterator().next().instances())
        .extracting(ManagedInstance::id).containsExactly(theirs);
  }
}
