package dev.cutover.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.ec2.ElasticIp;
import dev.cutover.ec2.InstanceState;
import dev.cutover.ec2.LaunchRequest;
import dev.cutover.ec2.ManagedInstance;
import dev.cutover.ec2.Tags;
import dev.cutover.sim.SimClock;
import dev.cutover.sim.SimulatedEc2;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The shared EC2 view: Cutover's own changes written through until a poll shows them, when a
 * reconcile polls first, and which resources are a Release's at all. EC2 is the in-memory one,
 * behind the real gateway, whose call counts say how often EC2 was asked.
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
  final Ec2Inventory inventory = new Ec2Inventory(gateway, clock, MAX_AGE);

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
    return inventory.worldFor(UID, KEY, null, T0);
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

  // ------------------------------------------------------------------ when to poll

  @Test
  void aReconcilePollsFirstOnlyWhenTheLastPollIsOlderThanMaxAge() {
    world();
    assertThat(gateway.callCounts()).as("the first reconcile polls: three calls")
        .isEqualTo(Map.of("DescribeInstances/ok", 1L, "DescribeAddresses/ok", 1L,
            "DescribeInstanceStatus/ok", 1L));

    clock.advance(MAX_AGE);
    world();
    assertThat(polls()).as("exactly maxAge old: still fresh").isEqualTo(1);

    clock.advance(Duration.ofMillis(1));
    world();
    assertThat(polls()).isEqualTo(2);
    world();
    world();
    assertThat(gateway.callCounts()).isEqualTo(Map.of("DescribeInstances/ok", 2L,
        "DescribeAddresses/ok", 2L, "DescribeInstanceStatus/ok", 2L));
  }

  @Test
  void aNamedAddressThePollLacksIsLookedForOnceWhenThePollPredatesIt() {
    inventory.refresh();
    clock.advance(Duration.ofSeconds(1));
    Instant named = clock.instant();
    ec2.createAddressOutOfBand("eipalloc-0000000000000000a", "127.17.0.9", Map.of());

    ObservedWorld found = inventory.worldFor(UID, KEY, "eipalloc-0000000000000000a", named);
    assertThat(addressPolls()).as("one refresh").isEqualTo(2);
    assertThat(found.elasticIp()).map(ElasticIp::allocationId)
        .contains("eipalloc-0000000000000000a");
  }

  @Test
  void aMissingAddressTriggersExactlyOneRefresh() {
    inventory.refresh();
    clock.advance(Duration.ofSeconds(1));
    Instant named = clock.instant();

    ObservedWorld missing = inventory.worldFor(UID, KEY, "eipalloc-0000000000000000b", named);
    assertThat(missing.elasticIp()).isEmpty();
    assertThat(addressPolls()).isEqualTo(2);

    // The last poll started when the spec named it: it would have shown the address.
    inventory.worldFor(UID, KEY, "eipalloc-0000000000000000b", named);
    clock.advance(Duration.ofSeconds(1));
    inventory.worldFor(UID, KEY, "eipalloc-0000000000000000b", named);
    assertThat(addressPolls()).as("no second refresh for the same address").isEqualTo(2);
    assertThat(polls()).isEqualTo(2);
  }

  @Test
  void aMissingAddressNamedBeforeTheLastPollTriggersNoRefresh() {
    Instant named = clock.instant();
    clock.advance(Duration.ofSeconds(1));
    inventory.refresh();

    ObservedWorld missing = inventory.worldFor(UID, KEY, "eipalloc-0000000000000000c", named);
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

    ObservedWorld world = inventory.worldFor(UID, KEY, allocated.allocationId(),
        clock.instant());
    assertThat(world.elasticIp()).contains(allocated);
    assertThat(addressPolls()).isEqualTo(1);
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

    ObservedWorld named = inventory.worldFor(UID, KEY, "eipalloc-000000000000000a3", T0);
    assertThat(named.elasticIp()).map(ElasticIp::allocationId).as("a named address need not "
        + "be owned").contains("eipalloc-000000000000000a3");
    assertThat(named.ownedAddresses()).extracting(ElasticIp::allocationId)
        .containsExactly("eipalloc-000000000000000a1", "eipalloc-000000000000000a4");

    ObservedWorld other = inventory.worldFor(OTHER_UID, KEY, null, T0);
    assertThat(other.instances()).extracting(ManagedInstance::releaseUid)
        .containsOnly(OTHER_UID).hasSize(1);
    assertThat(other.ownedAddresses()).extracting(ElasticIp::allocationId)
        .containsExactly("eipalloc-000000000000000a2");
  }

  @Test
  void aLaunchWrittenThroughIsOnlyInItsOwnReleasesWorld() {
    launch("t", 1);
    assertThat(inventory.worldFor(OTHER_UID, KEY, null, T0).instances()).isEmpty();
    assertThat(inventory.worldFor(UID, "shop/other", null, T0).instances()).isEmpty();
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
