package dev.cutover.ec2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.cutover.ec2.ManagedInstance.StatusChecks;
import dev.cutover.sim.SimClock;
import dev.cutover.sim.SimulatedEc2;
import dev.cutover.sim.SimulatedEc2.Fault;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Address;
import software.amazon.awssdk.services.ec2.model.DescribeAddressesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeAddressesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceStatusRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceStatusResponse;
import software.amazon.awssdk.services.ec2.model.InstanceStatus;
import software.amazon.awssdk.services.ec2.model.InstanceStatusSummary;
import software.amazon.awssdk.services.ec2.model.SummaryStatus;

/**
 * The gateway's mapping of EC2's answers (slots, status checks, ownership) and its classification
 * and counting of failures, against the in-memory EC2.
 */
class Ec2GatewayTest {

  static final Instant T0 = Instant.parse("2026-11-27T12:00:00Z");
  static final String UID = "5b1c7d2e-0000-4000-8000-000000000001";
  static final String KEY = "shop/app";

  final SimClock clock = new SimClock(T0);
  final SimulatedEc2 ec2 = new SimulatedEc2(clock);
  final Ec2Gateway gateway = new Ec2Gateway(ec2);

  static Map<String, String> owned(String slots) {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(Tags.MANAGED_BY, Tags.MANAGED_BY_VALUE);
    tags.put(Tags.RELEASE_UID, UID);
    tags.put(Tags.RELEASE, KEY);
    tags.put(Tags.FLEET, "f1");
    tags.put(Tags.VERSION, "2.0.0");
    if (slots != null) {
      tags.put(Tags.SLOT, slots);
    }
    return tags;
  }

  static LaunchRequest launch(String token, String imageId, Map<String, String> tags,
      int count) {
    return new LaunchRequest(token, imageId, "t3.small", "subnet-a", List.of(), null, null,
        null, tags, count);
  }

  // ------------------------------------------------------------------ slots

  @Test
  void theSlotTagListsTheSlotsOfALaunchAndTheLaunchIndexPicksEachInstancesSlot() {
    List<ManagedInstance> launched = gateway.runInstances(
        launch("t-357", "ami-0123456789abcdef0", owned("3,5,7"), 3));
    assertThat(launched).extracting(ManagedInstance::slot).containsExactly(3, 5, 7);

    List<ManagedInstance> described = gateway.describeManagedInstances();
    Map<String, Integer> slotById = new HashMap<>();
    described.forEach(i -> slotById.put(i.id(), i.slot()));
    launched.forEach(i -> assertThat(slotById).containsEntry(i.id(), i.slot()));
    // The launch index is EC2's, not an order the gateway invents.
    ec2.instances().forEach(i -> assertThat(slotById.get(i.id()))
        .isEqualTo(List.of(3, 5, 7).get(i.amiLaunchIndex())));
  }

  @Test
  void withoutASlotTagTheLaunchIndexIsTheSlot() {
    List<ManagedInstance> launched = gateway.runInstances(
        launch("t-none", "ami-0123456789abcdef0", owned(null), 2));
    assertThat(launched).extracting(ManagedInstance::slot).containsExactly(0, 1);
    assertThat(gateway.describeManagedInstances()).extracting(ManagedInstance::slot)
        .containsExactlyInAnyOrder(0, 1);
  }

  @Test
  void slotOfReadsTheTagEntryAtTheLaunchIndex() {
    assertThat(Ec2Gateway.slotOf("3,5,7", 0)).isEqualTo(3);
    assertThat(Ec2Gateway.slotOf("3,5,7", 2)).isEqualTo(7);
    assertThat(Ec2Gateway.slotOf(" 4 , 9 ", 1)).isEqualTo(9);
    assertThat(Ec2Gateway.slotOf("6", null)).isEqualTo(6);
    assertThat(Ec2Gateway.slotOf(null, 2)).isEqualTo(2);
    assertThat(Ec2Gateway.slotOf("", 1)).isEqualTo(1);
    assertThat(Ec2Gateway.slotOf(null, null)).isZero();
  }

  // ------------------------------------------------------------------ EC2's limits

  @Test
  void aLaunchOverEc2sLimitsIsNeverSent() {
    String tooLarge = "#!/bin/sh\n" + "x".repeat(LaunchRequest.MAX_USER_DATA_BYTES);
    LaunchRequest launch = new LaunchRequest("t-big", "ami-0123456789abcdef0", "t3.small",
        "subnet-a", List.of(), null, null, tooLarge, owned("0"), 1);

    Ec2Failure refused = catchThrowableOfType(Ec2Failure.class,
        () -> gateway.runInstances(launch));

    assertThat(refused.code()).isEqualTo("UserDataTooLarge");
    assertThat(refused.retryable()).isFalse();
    assertThat(refused.operation()).isEqualTo("RunInstances");
    assertThat(refused.awsMessage()).startsWith("not sent: userData is 16394 bytes");
    Map<String, String> foreignTags = new LinkedHashMap<>(owned("0"));
    foreignTags.put("aws:team", "web");
    assertThat(catchThrowableOfType(Ec2Failure.class, () -> gateway.runInstances(
        launch("t-tags", "ami-0123456789abcdef0", foreignTags, 1))).code())
        .isEqualTo("InvalidTags");
    assertThat(ec2.calls()).as("nothing reached EC2").isEmpty();
    assertThat(ec2.instances()).isEmpty();
  }

  @Test
  void userDataOfExactly16KiBIsSent() {
    LaunchRequest launch = new LaunchRequest("t-16k", "ami-0123456789abcdef0", "t3.small",
        "subnet-a", List.of(), null, null, "x".repeat(LaunchRequest.MAX_USER_DATA_BYTES),
        owned("0"), 1);
    assertThat(gateway.runInstances(launch)).hasSize(1);
  }

  // ------------------------------------------------------------------ status checks

  @Test
  void statusChecksMapOkToOkInitializingToPendingAndImpairedToImpaired() {
    String id = gateway.runInstances(launch("t", "ami-0123456789abcdef0", owned("0"), 1))
        .get(0).id();
    List<String> ids = List.of(id);
    assertThat(gateway.describeInstanceStatuses(ids)).as("pending: not applicable yet")
        .containsExactly(Map.entry(id, StatusChecks.PENDING));

    clock.advance(ec2.settings().bootDelay);
    assertThat(gateway.describeInstanceStatuses(ids)).as("running, initializing")
        .containsExactly(Map.entry(id, StatusChecks.PENDING));

    clock.advance(ec2.settings().statusOkDelay);
    assertThat(gateway.describeInstanceStatuses(ids)).as("ok/ok")
        .containsExactly(Map.entry(id, StatusChecks.OK));

    ec2.setImpaired(id, true);
    assertThat(gateway.describeInstanceStatuses(ids)).as("impaired/impaired")
        .containsExactly(Map.entry(id, StatusChecks.IMPAIRED));
  }

  @Test
  void statusIsAskedOnlyForTheGivenInstancesInBatchesOfAHundredAndNeverForNone() {
    List<String> ids = ec2.launchOutOfBand(owned("0"), 250, "subnet-a").stream()
        .map(SimulatedEc2.SimInstance::id).toList();
    ec2.launchOutOfBand(Map.of("team", "web"), 30, "subnet-a");
    clock.advance(ec2.settings().bootDelay);

    assertThat(gateway.describeInstanceStatuses(List.of())).isEmpty();
    assertThat(ec2.calls()).as("no ids: no call, which would describe the whole account")
        .isEmpty();

    Map<String, StatusChecks> statuses = gateway.describeInstanceStatuses(ids);
    assertThat(statuses).containsOnlyKeys(ids);
    assertThat(ec2.calls()).extracting(SimulatedEc2.Call::operation)
        .containsExactly("DescribeInstanceStatus", "DescribeInstanceStatus",
            "DescribeInstanceStatus");
  }

  @Test
  void anInstanceEc2NoLongerKnowsIsLeftOutAndTheRestOfItsBatchIsAnswered() {
    String known = ec2.launchOutOfBand(owned("0"), 1, "subnet-a").get(0).id();
    clock.advance(ec2.settings().bootDelay);

    assertThat(gateway.describeInstanceStatuses(List.of("i-0000000000000dead", known,
        "i-0000000000000beef"))).containsExactly(Map.entry(known, StatusChecks.PENDING));
    assertThat(gateway.callCounts()).isEqualTo(Map.of(
        "DescribeInstanceStatus/InvalidInstanceID.NotFound", 1L,
        "DescribeInstanceStatus/ok", 1L));

    ec2.failNext("DescribeInstanceStatus", Fault.error("InvalidInstanceID.Malformed", 400));
    assertThat(catchThrowableOfType(Ec2Failure.class,
        () -> gateway.describeInstanceStatuses(List.of(known))).code())
        .as("any other refusal is the caller's").isEqualTo("InvalidInstanceID.Malformed");
  }

  @Test
  void theUnknownIdsAreReadFromEc2sMessage() {
    Ec2Failure two = new Ec2Failure("DescribeInstanceStatus", "InvalidInstanceID.NotFound",
        "The instance IDs 'i-0123456789abcdef0, i-0fedcba987654321' do not exist", false,
        null);
    assertThat(Ec2Gateway.unknownInstances(two, List.of("i-0123456789abcdef0", "i-1",
        "i-0fedcba987654321"))).containsExactly("i-0123456789abcdef0", "i-0fedcba987654321");
    assertThat(Ec2Gateway.unknownInstances(two, List.of("i-1")))
        .as("only ids that were asked for").isEmpty();
    Ec2Failure other = new Ec2Failure("DescribeInstanceStatus", "InternalError",
        "i-0123456789abcdef0", true, null);
    assertThat(Ec2Gateway.unknownInstances(other, List.of("i-0123456789abcdef0"))).isEmpty();
  }

  @Test
  void aPageSizeOutsideEc2sRangeIsRefused() {
    assertThatThrownBy(() -> gateway.withPageSize(4)).hasMessageContaining("5 to 1000");
    assertThatThrownBy(() -> gateway.withPageSize(1001)).hasMessageContaining("5 to 1000");
  }

  @Test
  void instancesArePagedAtTheLargestPageEc2Allows() {
    ec2.settings().pageSize = 1000;
    ec2.launchOutOfBand(owned("0"), 1500, "subnet-a");
    assertThat(gateway.describeManagedInstances()).hasSize(1500);
    assertThat(ec2.calls()).extracting(SimulatedEc2.Call::operation)
        .as("1000 a page").containsExactly("DescribeInstances", "DescribeInstances");

    gateway.withPageSize(500);
    assertThat(gateway.describeManagedInstances()).hasSize(1500);
    assertThat(ec2.calls()).hasSize(5);
  }

  @Test
  void oneImpairedCheckIsImpairedAndAnythingButOkOkIsPending() {
    Map<String, InstanceStatus> statuses = new LinkedHashMap<>();
    statuses.put("i-ok", status("i-ok", SummaryStatus.OK, SummaryStatus.OK));
    statuses.put("i-sys", status("i-sys", SummaryStatus.IMPAIRED, SummaryStatus.OK));
    statuses.put("i-inst", status("i-inst", SummaryStatus.OK, SummaryStatus.IMPAIRED));
    statuses.put("i-init", status("i-init", SummaryStatus.OK, SummaryStatus.INITIALIZING));
    statuses.put("i-data", status("i-data", SummaryStatus.INSUFFICIENT_DATA,
        SummaryStatus.OK));
    statuses.put("i-none", InstanceStatus.builder().instanceId("i-none").build());
    Ec2Client mixed = new Ec2Client() {
      @Override
      public DescribeInstanceStatusResponse describeInstanceStatus(
          DescribeInstanceStatusRequest request) {
        return DescribeInstanceStatusResponse.builder()
            .instanceStatuses(new ArrayList<>(statuses.values())).build();
      }

      @Override
      public String serviceName() {
        return SERVICE_NAME;
      }

      @Override
      public void close() {}
    };
    assertThat(new Ec2Gateway(mixed).describeInstanceStatuses(List.copyOf(statuses.keySet())))
        .isEqualTo(Map.of(
        "i-ok", StatusChecks.OK,
        "i-sys", StatusChecks.IMPAIRED,
        "i-inst", StatusChecks.IMPAIRED,
        "i-init", StatusChecks.PENDING,
        "i-data", StatusChecks.PENDING,
        "i-none", StatusChecks.PENDING));
  }

  @Test
  void anAddressWithEmptyInstanceAndAssociationIdsPointsAtNothing() {
    Ec2Client emptyElements = new Ec2Client() {
      @Override
      public DescribeAddressesResponse describeAddresses(DescribeAddressesRequest request) {
        return DescribeAddressesResponse.builder().addresses(Address.builder()
            .allocationId("eipalloc-0123456789abcdef0").publicIp("203.0.113.10")
            .instanceId("").associationId("").build()).build();
      }

      @Override
      public String serviceName() {
        return SERVICE_NAME;
      }

      @Override
      public void close() {}
    };
    assertThat(new Ec2Gateway(emptyElements).describeAddresses()).containsExactly(
        new ElasticIp("eipalloc-0123456789abcdef0", "203.0.113.10", null, null, null));
  }

  static InstanceStatus status(String id, SummaryStatus system, SummaryStatus instance) {
    return InstanceStatus.builder().instanceId(id)
        .systemStatus(InstanceStatusSummary.builder().status(system).build())
        .instanceStatus(InstanceStatusSummary.builder().status(instance).build()).build();
  }

  // ------------------------------------------------------------------ ownership

  @Test
  void onlyInstancesWithEveryOwnershipTagAreReturned() {
    String mine = ec2.launchOutOfBand(owned("0"), 1, "subnet-a").get(0).id();
    ec2.launchOutOfBand(Map.of("team", "web"), 1, "subnet-a");
    ec2.launchOutOfBand(Map.of(Tags.MANAGED_BY, Tags.MANAGED_BY_VALUE), 1, "subnet-a");
    for (String missing : List.of(Tags.RELEASE_UID, Tags.RELEASE, Tags.FLEET)) {
      Map<String, String> partial = new LinkedHashMap<>(owned("0"));
      partial.remove(missing);
      ec2.launchOutOfBand(partial, 1, "subnet-a");
    }
    Map<String, String> otherTool = new LinkedHashMap<>(owned("0"));
    otherTool.put(Tags.MANAGED_BY, "someone-else");
    ec2.launchOutOfBand(otherTool, 1, "subnet-a");

    List<ManagedInstance> found = gateway.describeManagedInstances();
    assertThat(found).extracting(ManagedInstance::id).containsExactly(mine);
    ManagedInstance i = found.get(0);
    assertThat(i.releaseUid()).isEqualTo(UID);
    assertThat(i.releaseKey()).isEqualTo(KEY);
    assertThat(i.fleetId()).isEqualTo("f1");
    assertThat(i.version()).isEqualTo("2.0.0");
    assertThat(i.state()).isEqualTo(InstanceState.PENDING);
    assertThat(i.privateIp()).startsWith("127.16.");
    assertThat(ec2.instances()).as("seven launched, one owned").hasSize(7);
  }

  @Test
  void aLaunchReturnsOnlyWhatItTaggedAsOwned() {
    Map<String, String> untagged = Map.of("team", "web");
    assertThat(gateway.runInstances(launch("t-u", "ami-0123456789abcdef0", untagged, 2)))
        .isEmpty();
    assertThat(ec2.instances()).hasSize(2);
  }

  // ------------------------------------------------------------------ failures

  @Test
  void throttlingIsRetryableAnUnknownImageIsNotAndEveryCallIsCounted() {
    List<String> heard = new ArrayList<>();
    gateway.setListener((operation, outcome) -> heard.add(operation + "/" + outcome));

    ec2.failNext("DescribeInstances", Fault.throttle());
    Ec2Failure throttled = catchThrowableOfType(Ec2Failure.class,
        gateway::describeManagedInstances);
    assertThat(throttled.operation()).isEqualTo("DescribeInstances");
    assertThat(throttled.code()).isEqualTo("RequestLimitExceeded");
    assertThat(throttled.retryable()).isTrue();

    // Throttling is retryable by its code alone, whatever the HTTP status.
    ec2.failNext("DescribeAddresses", Fault.error("Throttling", 400));
    assertThat(catchThrowableOfType(Ec2Failure.class, gateway::describeAddresses).retryable())
        .isTrue();

    ec2.failNext("DescribeInstanceStatus", Fault.internalError());
    Ec2Failure internal = catchThrowableOfType(Ec2Failure.class,
        () -> gateway.describeInstanceStatuses(List.of("i-0123456789abcdef0")));
    assertThat(internal.code()).isEqualTo("InternalError");
    assertThat(internal.retryable()).isTrue();

    ec2.setImageMissing("ami-0deadbeef0000000", true);
    Ec2Failure missing = catchThrowableOfType(Ec2Failure.class, () -> gateway.runInstances(
        launch("t-gone", "ami-0deadbeef0000000", owned("0"), 1)));
    assertThat(missing.operation()).isEqualTo("RunInstances");
    assertThat(missing.code()).isEqualTo("InvalidAMIID.NotFound");
    assertThat(missing.retryable()).isFalse();
    assertThat(missing.awsMessage()).contains("ami-0deadbeef0000000").doesNotContain(
        "RunInstances failed");

    // The response was lost after the call was applied: a client error, retryable.
    ec2.failNext("RunInstances", Fault.lostResponse());
    Ec2Failure lost = catchThrowableOfType(Ec2Failure.class, () -> gateway.runInstances(
        launch("t-lost", "ami-0123456789abcdef0", owned("0"), 1)));
    assertThat(lost.code()).isEqualTo("ClientError");
    assertThat(lost.retryable()).isTrue();

    gateway.describeManagedInstances();
    gateway.describeManagedInstances();
    gateway.runInstances(launch("t-ok", "ami-0123456789abcdef0", owned("0"), 1));

    assertThat(gateway.callCounts()).isEqualTo(Map.of(
        "DescribeInstances/RequestLimitExceeded", 1L,
        "DescribeInstances/ok", 2L,
        "DescribeAddresses/Throttling", 1L,
        "DescribeInstanceStatus/InternalError", 1L,
        "RunInstances/InvalidAMIID.NotFound", 1L,
        "RunInstances/ClientError", 1L,
        "RunInstances/ok", 1L));
    assertThat(heard).containsExactly("DescribeInstances/RequestLimitExceeded",
        "DescribeAddresses/Throttling", "DescribeInstanceStatus/InternalError",
        "RunInstances/InvalidAMIID.NotFound", "RunInstances/ClientError",
        "DescribeInstances/ok", "DescribeInstances/ok", "RunInstances/ok");
  }

  @Test
  void retryableCodesAndServerErrors() {
    for (String code : List.of("RequestLimitExceeded", "Throttling", "ThrottlingException",
        "RequestThrottled", "InternalError", "ServiceUnavailable", "Unavailable")) {
      assertThat(Ec2Failure.isRetryable(code, 400)).as(code).isTrue();
    }
    assertThat(Ec2Failure.isRetryable("Anything", 503)).isTrue();
    for (String code : List.of("InvalidAMIID.NotFound", "InvalidSubnetID.NotFound",
        "UnauthorizedOperation", "InvalidAllocationID.NotFound")) {
      assertThat(Ec2Failure.isRetryable(code, 400)).as(code).isFalse();
    }
  }

  @Test
  void aFailureOfOneCallCountsOnceAndWritesNothing() {
    ec2.failNext("AssociateAddress", Fault.throttle());
    ElasticIp address = gateway.allocateAddress(Map.of(Tags.RELEASE_UID, UID));
    assertThat(address.ownerReleaseUid()).isEqualTo(UID);
    String id = gateway.runInstances(launch("t", "ami-0123456789abcdef0", owned("0"), 1))
        .get(0).id();
    clock.advance(ec2.settings().bootDelay);
    catchThrowableOfType(Ec2Failure.class,
        () -> gateway.associateAddress(address.allocationId(), id));
    assertThat(ec2.address(address.allocationId()).orElseThrow().instanceId()).isNull();

    gateway.associateAddress(address.allocationId(), id);
    assertThat(gateway.describeAddresses()).containsExactly(new ElasticIp(
        address.allocationId(), address.publicIp(), id,
        ec2.address(address.allocationId()).orElseThrow().associationId(), UID));
    assertThat(gateway.callCounts()).containsEntry("AssociateAddress/RequestLimitExceeded", 1L)
        .containsEntry("AssociateAddress/ok", 1L).containsEntry("AllocateAddress/ok", 1L);
  }
}
