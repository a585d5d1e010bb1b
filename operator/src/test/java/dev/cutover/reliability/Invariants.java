package dev.cutover.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.api.Release;
import dev.cutover.ec2.Tags;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Tag;

/** What must hold once reconciles settle, whatever happened during the run. */
final class Invariants {

  private Invariants() {}

  static void check(Ec2Client ec2, KubernetesClient client, String namespace,
      List<String> foreign, String allocationId) {
    List<Instance> all = ec2.describeInstancesPaginator().reservations().stream()
        .flatMap(r -> r.instances().stream()).toList();
    List<Release> releases = client.resources(Release.class).inNamespace(namespace).list()
        .getItems();
    Map<String, Release> byKey = releases.stream().collect(Collectors.toMap(
        r -> namespace + "/" + r.getMetadata().getName(), Function.identity()));

    for (Instance i : all) {
      String key = tag(i, Tags.RELEASE);
      if (!"cutover".equals(tag(i, Tags.MANAGED_BY)) || key == null
          || !key.startsWith(namespace + "/") || foreign.contains(i.instanceId())) {
        continue;
      }
      Release owner = byKey.get(key);
      if (alive(i)) {
        assertThat(owner).as("no leak: %s belongs to an existing Release", i.instanceId())
            .isNotNull();
        assertThat(tag(i, Tags.RELEASE_UID)).isEqualTo(owner.getMetadata().getUid());
      }
    }
    Map<String, Long> launchedPerFleet = all.stream()
        .filter(i -> "cutover".equals(tag(i, Tags.MANAGED_BY)) && tag(i, Tags.FLEET) != null
            && tag(i, Tags.RELEASE) != null && tag(i, Tags.RELEASE).startsWith(namespace + "/"))
        .collect(Collectors.groupingBy(i -> tag(i, Tags.FLEET), Collectors.counting()));

    for (Release r : releases) {
      if (r.getStatus() == null || r.getStatus().activeFleet == null) {
        continue;
      }
      String active = r.getStatus().activeFleet.id;
      List<String> aliveActive = all.stream()
          .filter(i -> active.equals(tag(i, Tags.FLEET)) && alive(i))
          .map(Instance::instanceId).sorted().toList();
      assertThat(aliveActive).as("exactly fleetSize running instances in the active fleet")
          .hasSize(r.getSpec().fleetSize);
      assertThat(r.getStatus().activeFleet.instanceIds).as("status matches EC2")
          .containsExactlyInAnyOrderElementsOf(aliveActive);
      launchedPerFleet.forEach((fleet, count) -> assertThat(count)
          .as("never two launches of fleet %s", fleet).isLessThanOrEqualTo(r.getSpec().fleetSize));
      var address = ec2.describeAddresses(a -> a.allocationIds(allocationId)).addresses().get(0);
      assertThat(address.instanceId()).as("the Elastic IP is on the active fleet")
          .isIn(aliveActive);
      assertThat(r.getStatus().elasticIp.instanceId).as("status shows the Elastic IP")
          .isEqualTo(address.instanceId());
    }
    for (String id : foreign) {
      Instance i = all.stream().filter(x -> x.instanceId().equals(id)).findFirst().orElseThrow();
      assertThat(i.state().nameAsString()).as("foreign %s untouched", id).isEqualTo("running");
    }
  }

  static boolean alive(Instance i) {
    String s = i.state().nameAsString();
    return s.equals("running") || s.equals("pending");
  }

  static String tag(Instance i, String key) {
    return i.tags().stream().filter(t -> t.key().equals(key)).map(Tag::value).findFirst()
        .orElse(null);
  }
}
