package dev.cutover.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.ec2.Ec2Failure;
import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.ec2.InstanceState;
import dev.cutover.ec2.ManagedInstance;
import dev.cutover.ec2.ManagedInstance.StatusChecks;
import dev.cutover.ec2.Tags;
import dev.cutover.sim.SimulatedEc2.Fault;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/** The simulated EC2 behaves as AWS does where moto does not. */
class SimulatedEc2Test {

  static final Instant T0 = Instant.parse("2026-11-27T12:00:00Z");

  final SimClock clock = new SimClock(T0);
  final SimulatedEc2 ec2 = new SimulatedEc2(clock);
  final Ec2Gateway gateway = new Ec2Gateway(ec2);

  RunInstancesResponse run(String token, int count) {
    return ec2.runInstances(r -> r.clientToken(token).imageId("ami-0123456789abcdef0")
        .instanceType("t3.small").subnetId("subnet-a").minCount(count).maxCount(count)
        .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE)
            .tags(tag(Tags.MANAGED_BY, Tags.MANAGED_BY_VALUE), tag(Tags.RELEASE_UID, "uid-1"),
                tag(Tags.RELEASE, "shop/app"), tag(Tags.FLEET, "f1"), tag(Tags.SLOT, "0,1,2"))
            .build()));
  }

  static Tag tag(String key, String value) {
    return Tag.builder().key(key).value(value).build();
  }

  String state(String id) {
    return ec2.instance(id).orElseThrow().state().toString();
  }

  @Test
  void aRepeatedClientTokenReturnsTheOriginalInstancesAndLaunchesNothing() {
    List<String> first = run("token-1", 2).instances().stream().map(Instance::instanceId)
        .toList();
    List<String> again = run("token-1", 2).instances().stream().map(Instance::instanceId)
        .toList();
    assertThat(again).isEqualTo(first);
    assertThat(ec2.instances()).hasSize(2);

    ec2.terminateInstances(r -> r.instanceIds(first));
    clock.advance(Duration.ofMinutes(1));
    RunInstancesResponse afterDeath = run("token-1", 2);
    assertThat(afterDeath.instances()).extracting(i -> i.state().name())
        .containsOnly(InstanceStateName.TERMINATED);
    assertThat(ec2.instances()).hasSize(2);

    assertThatThrownBy(() -> run("token-1", 3)).isInstanceOf(Ec2Exception.class)
        .hasMessageContaining("client token");
    assertThat(code(() -> run("token-1", 3))).isEqualTo("IdempotentParameterMismatch");
  }

  @Test
  void instancesBootPendingThenRunningAndPassStatusChecksLater() {
    String id = run("t", 1).instances().get(0).instanceId();
    assertThat(state(id)).isEqualTo("pending");
    assertThat(gateway.describeInstanceStatuses(List.of(id)))
        .containsExactly(Map.entry(id, StatusChecks.PENDING));

    clock.advance(ec2.settings().bootDelay);
    assertThat(state(id)).isEqualTo("running");
    assertThat(gateway.describeInstanceStatuses(List.of(id)))
        .containsEntry(id, StatusChecks.PENDING);

    clock.advance(ec2.settings().statusOkDelay);
    assertThat(gateway.describeInstanceStatuses(List.of(id)))
        .containsEntry(id, StatusChecks.OK);
    ec2.setImpaired(id, true);
    assertThat(gateway.describeInstanceStatuses(List.of(id)))
        .containsEntry(id, StatusChecks.IMPAIRED);
  }

  @Test
  void describeInstancesLagsBehindAndPagesThroughEverything() {
    ec2.settings().describeLag = Duration.ofSeconds(3);
    ec2.settings().pageSize = 2;
    run("t", 5);
    assertThat(gateway.describeManagedInstances()).isEmpty();
    clock.advance(Duration.ofSeconds(3));
    List<ManagedInstance> seen = gateway.describeManagedInstances();
    assertThat(seen).hasSize(5);
    assertThat(seen).extracting(ManagedInstance::slot).containsExactly(0, 1, 2, 2, 2);
    assertThat(ec2.calls().stream().filter(c -> c.operation().equals("DescribeInstances")
        && c.at().equals(clock.instant()))).hasSize(3);

    String first = seen.get(0).id();
    clock.advance(Duration.ofSeconds(10));
    ec2.terminateOutOfBand(first);
    assertThat(gateway.describeManagedInstances().get(0).state()).isEqualTo(InstanceState.RUNNING);
    clock.advance(Duration.ofSeconds(3));
    assertThat(gateway.describeManagedInstances().get(0).state())
        .isEqualTo(InstanceState.SHUTTING_DOWN);
  }

  @Test
  void tagFiltersOnlyReturnTaggedInstances() {
    run("t", 1);
    ec2.launchOutOfBand(Map.of("team", "web"), 2, "subnet-a");
    assertThat(gateway.describeManagedInstances()).hasSize(1);
  }

  @Test
  void anElasticIpGoesOnlyToARunningInstanceAndMovesWithReassociation() {
    ec2.createAddressOutOfBand("eipalloc-0123456789abcdef0", "127.17.1.1", Map.of());
    List<String> ids = run("t", 2).instances().stream().map(Instance::instanceId).toList();
    assertThat(code(() -> gateway.associateAddress("eipalloc-0123456789abcdef0", ids.get(0))))
        .isEqualTo("IncorrectInstanceState");
    assertThat(code(() -> gateway.associateAddress("eipalloc-0123456789abcdef0", "i-999999")))
        .isEqualTo("InvalidInstanceID.NotFound");
    clock.advance(Duration.ofSeconds(10));
    gateway.associateAddress("eipalloc-0123456789abcdef0", ids.get(0));
    gateway.associateAddress("eipalloc-0123456789abcdef0", ids.get(1));
    assertThat(ec2.address("eipalloc-0123456789abcdef0").orElseThrow().instanceId())
        .isEqualTo(ids.get(1));
  }

  /**
   * AWS: "If you associate an Elastic IP address with an instance that has an existing Elastic
   * IP address, the existing address is disassociated from the instance" (AssociateAddress by
   * instance id, on its primary private address). The call names the address it took off.
   */
  @Test
  void anInstanceHoldsOneElasticIpAndAnotherTakesItsPlace() {
    ec2.createAddressOutOfBand("eipalloc-0123456789abcdef0", "127.17.1.1", Map.of());
    ec2.createAddressOutOfBand("eipalloc-0123456789abcdef1", "127.17.1.3", Map.of());
    List<String> ids = run("t", 2).instances().stream().map(Instance::instanceId).toList();
    clock.advance(Duration.ofSeconds(10));
    gateway.associateAddress("eipalloc-0123456789abcdef0", ids.get(0));
    gateway.associateAddress("eipalloc-0123456789abcdef1", ids.get(1));

    gateway.associateAddress("eipalloc-0123456789abcdef1", ids.get(0));

    assertThat(ec2.address("eipalloc-0123456789abcdef1").orElseThrow().instanceId())
        .isEqualTo(ids.get(0));
    assertThat(ec2.address("eipalloc-0123456789abcdef0").orElseThrow().instanceId()).isNull();
    assertThat(ec2.calls().get(ec2.calls().size() - 1).allocationIds())
        .containsExactly("eipalloc-0123456789abcdef1", "eipalloc-0123456789abcdef0");
  }

  /** A process that dies right after a call: the call is applied and logged, nothing after. */
  @Test
  void theCallerDiesRightAfterTheCallItWasToldOf() {
    ec2.createAddressOutOfBand("eipalloc-0123456789abcdef0", "127.17.1.1", Map.of());
    List<String> ids = run("t", 2).instances().stream().map(Instance::instanceId).toList();
    clock.advance(Duration.ofSeconds(10));
    ec2.dieAfter("AssociateAddress", 2);
    gateway.associateAddress("eipalloc-0123456789abcdef0", ids.get(0));

    assertThatThrownBy(() -> gateway.associateAddress("eipalloc-0123456789abcdef0",
        ids.get(1))).isInstanceOf(SimulatedEc2.ProcessDied.class);

    assertThat(ec2.address("eipalloc-0123456789abcdef0").orElseThrow().instanceId())
        .isEqualTo(ids.get(1));
    assertThat(ec2.calls().get(ec2.calls().size() - 1).outcome()).isEqualTo("ok");
    gateway.associateAddress("eipalloc-0123456789abcdef0", ids.get(0));
  }

  @Test
  void terminatingAnInstanceClearsItsElasticIp() {
    ec2.createAddressOutOfBand("eipalloc-0123456789abcdef0", "127.17.1.1", Map.of());
    String id = run("t", 1).instances().get(0).instanceId();
    clock.advance(Duration.ofSeconds(10));
    gateway.associateAddress("eipalloc-0123456789abcdef0", id);

    gateway.terminateInstances(List.of(id));
    assertThat(state(id)).isEqualTo("shutting-down");
    clock.advance(ec2.settings().terminateDelay);
    assertThat(state(id)).isEqualTo("terminated");
    assertThat(ec2.address("eipalloc-0123456789abcdef0").orElseThrow().instanceId()).isNull();
    assertThat(gateway.describeAddresses().get(0).instanceId()).isNull();
  }

  @Test
  void aStoppedInstanceKeepsItsElasticIp() {
    ec2.createAddressOutOfBand("eipalloc-0123456789abcdef0", "127.17.1.1", Map.of());
    String id = run("t", 1).instances().get(0).instanceId();
    clock.advance(Duration.ofSeconds(10));
    gateway.associateAddress("eipalloc-0123456789abcdef0", id);
    ec2.stopOutOfBand(id);
    clock.advance(Duration.ofMinutes(1));
    assertThat(state(id)).isEqualTo("stopped");
    assertThat(ec2.address("eipalloc-0123456789abcdef0").orElseThrow().instanceId())
        .isEqualTo(id);
  }

  @Test
  void terminationProtectionFailsTheWholeCallInItsZone() {
    List<String> ids = run("t", 3).instances().stream().map(Instance::instanceId).toList();
    ec2.setTerminationProtection(ids.get(1), true);
    assertThatThrownBy(() -> gateway.terminateInstances(ids)).isInstanceOf(Ec2Failure.class)
        .satisfies(e -> {
          assertThat(((Ec2Failure) e).code()).isEqualTo("OperationNotPermitted");
          assertThat(((Ec2Failure) e).retryable()).isFalse();
        });
    assertThat(ids).allSatisfy(id -> assertThat(state(id)).isEqualTo("pending"));
    // AWS: instances in other zones than the protected one are terminated all the same.
    ec2.settings().zoneOfSubnet.put("subnet-b", "us-east-1b");
    String elsewhere = ec2.runInstances(r -> r.imageId("ami-0123456789abcdef0")
        .subnetId("subnet-b").minCount(1).maxCount(1)).instances().get(0).instanceId();
    assertThat(code(() -> gateway.terminateInstances(List.of(ids.get(1), elsewhere))))
        .isEqualTo("OperationNotPermitted");
    assertThat(state(elsewhere)).isEqualTo("shutting-down");
    assertThat(state(ids.get(1))).isEqualTo("pending");
  }

  @Test
  void theAddressQuotaIsFiveAndAnAssociatedAddressCannotBeReleased() {
    for (int i = 0; i < 5; i++) {
      gateway.allocateAddress(Map.of(Tags.RELEASE_UID, "uid-1"));
    }
    assertThat(code(() -> gateway.allocateAddress(Map.of()))).isEqualTo("AddressLimitExceeded");
    String allocation = ec2.addresses().iterator().next().allocationId();
    assertThat(gateway.describeAddresses()).allSatisfy(a ->
        assertThat(a.ownerReleaseUid()).isEqualTo("uid-1"));

    String id = run("t", 1).instances().get(0).instanceId();
    clock.advance(Duration.ofSeconds(10));
    gateway.associateAddress(allocation, id);
    assertThat(code(() -> gateway.releaseAddress(allocation))).isEqualTo("InvalidIPAddress.InUse");
    gateway.disassociateAddress(ec2.address(allocation).orElseThrow().associationId());
    gateway.releaseAddress(allocation);
    assertThat(ec2.addresses()).hasSize(4);
  }

  @Test
  void aLostResponseAppliesTheCallAndTheClientSeesANetworkError() {
    ec2.failNext("RunInstances", Fault.lostResponse());
    assertThatThrownBy(() -> run("token-1", 2)).isInstanceOf(SdkClientException.class);
    assertThat(ec2.instances()).hasSize(2);
    assertThat(run("token-1", 2).instances()).hasSize(2);
    assertThat(ec2.instances()).hasSize(2);
    assertThat(ec2.calls()).extracting(SimulatedEc2.Call::outcome)
        .containsExactly("LostResponse", "ok");
    assertThat(ec2.calls().get(0).applied()).isTrue();
    assertThat(ec2.calls().get(0).changed()).hasSize(2);
  }

  @Test
  void injectedFaultsFailBeforeApplyingAndAreClassifiedByTheGateway() {
    ec2.failNext("RunInstances", Fault.throttle());
    ec2.failNext("RunInstances", Fault.internalError());
    assertThatThrownBy(() -> gateway.runInstances(new dev.cutover.ec2.LaunchRequest("t",
        "ami-0123456789abcdef0", "t3.small", "subnet-a", List.of(), null, null, null,
        Map.of(), 1))).isInstanceOf(Ec2Failure.class)
        .satisfies(e -> assertThat(((Ec2Failure) e).retryable()).isTrue())
        .hasMessageContaining("RequestLimitExceeded");
    assertThat(code(() -> run("t", 1))).isEqualTo("InternalError");
    assertThat(ec2.instances()).isEmpty();
    ec2.setCapacity("t3.small", false);
    assertThatThrownBy(() -> run("t", 1)).isInstanceOf(Ec2Exception.class)
        .satisfies(e -> assertThat(((Ec2Exception) e).statusCode()).isEqualTo(500));
    assertThat(ec2.calls()).extracting(SimulatedEc2.Call::outcome)
        .containsExactly("RequestLimitExceeded", "InternalError", "InsufficientInstanceCapacity");
  }

  static String code(Runnable call) {
    try {
      call.run();
    } catch (Ec2Exception e) {
      return e.awsErrorDetails().errorCode();
    } catch (Ec2Failure e) {
      return e.code();
    }
    throw new AssertionError("the call succeeded");
  }
}
