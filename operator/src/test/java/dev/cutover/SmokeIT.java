package dev.cutover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.api.Phase;
import dev.cutover.api.Release;
import dev.cutover.testworld.Crds;
import dev.cutover.testworld.Ec2World;
import dev.cutover.testworld.Namespaces;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.TestWorld;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/** The test world itself works: real API server with our CRD, real AWS SDK against moto. */
@ExtendWith(TestWorld.class)
class SmokeIT {

  private String namespace;

  @BeforeEach
  void namespace(KubernetesClient client) {
    Crds.installReleaseCrd(client);
    namespace = Namespaces.fresh("smoke");
  }

  @Test
  void releaseRoundTripsIncludingItsStatusSubresource(KubernetesClient client) {
    var releases = client.resources(Release.class).inNamespace(namespace);
    Release created = releases.resource(ReleaseBuilder.named("storefront").build()).create();
    assertThat(created.getSpec().promotion.mode).as("defaulted by the API server").isNotNull();

    created.getStatus().phase = Phase.Provisioning;
    created.getStatus().observedGeneration = created.getMetadata().getGeneration();
    releases.resource(created).updateStatus();

    Release read = releases.withName("storefront").get();
    assertThat(read.getSpec().version).isEqualTo("2.4.1");
    assertThat(read.getStatus().phase).isEqualTo(Phase.Provisioning);
    assertThat(read.getStatus().observedGeneration).isEqualTo(1L);
  }

  @Test
  void apiServerRefusesAnInvalidRelease(KubernetesClient client) {
    Release invalid = ReleaseBuilder.named("bad").build();
    invalid.getSpec().fleetSize = 0;
    assertThatThrownBy(() -> client.resource(invalid).inNamespace(namespace).create())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("spec.fleetSize");
  }

  @Test
  void launchesTaggedInstancesAndFindsThemByTag(Ec2Client ec2) {
    var launched = ec2.runInstances(r -> r.imageId("ami-0123456789abcdef0")
        .instanceType("t3.small").minCount(2).maxCount(2)
        .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE)
            .tags(Tag.builder().key("cutover.dev/managed-by").value("cutover").build())
            .build()));
    new Ec2World(ec2).launchUntagged();

    List<String> found = ec2.describeInstancesPaginator(r -> r.filters(
            Filter.builder().name("tag-key").values("cutover.dev/managed-by").build()))
        .reservations().stream()
        .flatMap(r -> r.instances().stream()).map(Instance::instanceId).toList();

    assertThat(found).containsExactlyInAnyOrderElementsOf(
        launched.instances().stream().map(Instance::instanceId).toList());
  }

  @Test
  void allocatesAndAssociatesAnElasticIp(Ec2Client ec2) {
    Ec2World world = new Ec2World(ec2);
    String instanceId = world.launchUntagged();
    String allocationId = world.allocateAddress();

    ec2.associateAddress(r -> r.allocationId(allocationId).instanceId(instanceId)
        .allowReassociation(true));

    var address = ec2.describeAddresses(r -> r.allocationIds(allocationId)).addresses().get(0);
    assertThat(address.instanceId()).isEqualTo(instanceId);
  }
}
