package dev.cutover.ec2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.ec2.ManagedInstance.StatusChecks;
import dev.cutover.testworld.Ec2Proxy;
import dev.cutover.testworld.Ec2World;
import dev.cutover.testworld.TestWorld;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The poll's three reads against moto, counted on the wire by the proxy in front of it: status
 * checks asked only for Cutover's instances, 100 ids a call; instances paged at the largest page
 * size with EC2's NextToken; addresses in one call. The instances are created in a few large
 * RunInstances calls made directly to moto (not counted).
 */
@ExtendWith(TestWorld.class)
class Ec2GatewayReadsIT {

  static final String UID = "5b1c7d2e-0000-4000-8000-000000000001";

  static final Ec2Proxy proxy = new Ec2Proxy(TestWorld.moto().endpoint());

  /** Every read of the gateway under test, with its parameters, as it reached the proxy. */
  final List<Map<String, String>> reads = new CopyOnWriteArrayList<>();
  final List<String> actions = new CopyOnWriteArrayList<>();

  @BeforeEach
  void watch() {
    proxy.reset();
    proxy.observe((action, params) -> {
      actions.add(action);
      reads.add(params);
    });
  }

  @AfterAll
  static void stopProxy() {
    proxy.close();
  }

  static Ec2Gateway gateway() {
    return new Ec2Gateway(TestWorld.newEc2Client(proxy.endpoint()));
  }

  /** {@code count} instances tagged as Cutover's, launched by one RunInstances per batch. */
  static List<String> launchCutovers(Ec2Client ec2, int count, int perCall) {
    List<String> ids = new ArrayList<>();
    for (int launched = 0; launched < count; launched += perCall) {
      ids.addAll(new Ec2World(ec2).launchAsCutover(UID, "shop/app",
          Math.min(perCall, count - launched)));
    }
    return ids;
  }

  List<Map<String, String>> readsOf(String action) {
    List<Map<String, String>> of = new ArrayList<>();
    for (int n = 0; n < actions.size(); n++) {
      if (actions.get(n).equals(action)) {
        of.add(reads.get(n));
      }
    }
    return of;
  }

  static List<String> listed(Map<String, String> params, String name) {
    List<String> values = new ArrayList<>();
    for (int n = 1; params.containsKey(name + "." + n); n++) {
      values.add(params.get(name + "." + n));
    }
    return values;
  }

  @Test
  void statusIsAskedForCutoversInstancesOnlyAHundredIdsACall(Ec2Client ec2) {
    List<String> mine = launchCutovers(ec2, 250, 125);
    Ec2World world = new Ec2World(ec2);
    List<String> foreign = new ArrayList<>();
    for (int n = 0; n < 5; n++) {
      foreign.add(world.launchUntagged());
    }
    Ec2Gateway gateway = gateway();

    List<ManagedInstance> listed = gateway.describeManagedInstances();
    Map<String, StatusChecks> checks = gateway.describeInstanceStatuses(
        listed.stream().map(ManagedInstance::id).toList());

    assertThat(listed).extracting(ManagedInstance::id).containsExactlyInAnyOrderElementsOf(mine);
    assertThat(checks).as("moto's instances run at once, checks ok").hasSize(250)
        .containsOnlyKeys(mine).allSatisfy((id, c) -> assertThat(c).isEqualTo(StatusChecks.OK));
    assertThat(proxy.calls()).isEqualTo(Map.of("DescribeInstances", 1L,
        "DescribeInstanceStatus", 3L));
    List<Map<String, String>> statusCalls = readsOf("DescribeInstanceStatus");
    assertThat(statusCalls).extracting(p -> listed(p, "InstanceId").size())
        .containsExactly(100, 100, 50);
    assertThat(statusCalls).allSatisfy(p -> {
      assertThat(p).containsEntry("IncludeAllInstances", "true").doesNotContainKey("MaxResults");
      assertThat(listed(p, "InstanceId")).doesNotContainAnyElementsOf(foreign);
    });
    assertThat(statusCalls.stream().flatMap(p -> listed(p, "InstanceId").stream()).toList())
        .containsExactlyInAnyOrderElementsOf(mine);
  }

  @Test
  void noInstancesNoStatusCall(Ec2Client ec2) {
    new Ec2World(ec2).launchUntagged();
    Ec2Gateway gateway = gateway();
    assertThat(gateway.describeInstanceStatuses(gateway.describeManagedInstances().stream()
        .map(ManagedInstance::id).toList())).isEmpty();
    assertThat(proxy.calls()).isEqualTo(Map.of("DescribeInstances", 1L));
  }

  @Test
  void instancesArePagedWithNextTokenAtTheLargestPage(Ec2Client ec2) {
    // moto pages by reservation: one RunInstances each, so that 12 instances make 3 pages of 5.
    List<String> mine = launchCutovers(ec2, 12, 1);

    assertThat(gateway().describeManagedInstances()).hasSize(12);
    assertThat(readsOf("DescribeInstances")).singleElement().satisfies(p -> {
      assertThat(p).as("the largest page EC2 allows").containsEntry("MaxResults", "1000")
          .containsEntry("Filter.1.Name", "tag:" + Tags.MANAGED_BY)
          .containsEntry("Filter.1.Value.1", Tags.MANAGED_BY_VALUE)
          .doesNotContainKey("NextToken");
    });

    reads.clear();
    actions.clear();
    List<ManagedInstance> paged = gateway().withPageSize(5).describeManagedInstances();
    assertThat(paged).extracting(ManagedInstance::id).containsExactlyInAnyOrderElementsOf(mine);
    List<Map<String, String>> pages = readsOf("DescribeInstances");
    assertThat(pages).hasSize(3).allSatisfy(p -> assertThat(p).containsEntry("MaxResults", "5"));
    assertThat(pages.get(0)).doesNotContainKey("NextToken");
    assertThat(pages.subList(1, 3)).allSatisfy(p -> assertThat(p).containsKey("NextToken"));
  }

  @Test
  void addressesAreOneCallWithoutPages(Ec2Client ec2) {
    Ec2World world = new Ec2World(ec2);
    for (int n = 0; n < 7; n++) {
      world.allocateAddress();
    }
    assertThat(gateway().describeAddresses()).hasSize(7);
    assertThat(readsOf("DescribeAddresses")).singleElement().satisfies(p -> assertThat(p)
        .doesNotContainKeys("MaxResults", "NextToken"));
  }
}
