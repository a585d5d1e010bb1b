package dev.cutover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.api.ActiveFleet;
import dev.cutover.api.ElasticIpStatus;
import dev.cutover.api.Phase;
import dev.cutover.api.PreviousFleet;
import dev.cutover.api.StagingFleet;
import dev.cutover.api.Release;
import dev.cutover.testworld.Crds;
import dev.cutover.testworld.Ec2World;
import dev.cutover.testworld.KubeControlPlane;
import dev.cutover.testworld.Namespaces;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.TestWorld;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URL;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
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

/**
 * The test world itself works: real API server with our CRD (and the columns it prints), real
 * AWS SDK against moto.
 */
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

  /**
   * The columns people read, in their order: the table the API server makes for kubectl
   * (Accept: as=Table), and what kubectl prints from it, with and without -o wide.
   */
  @Test
  void kubectlGetShowsTheColumnsInOrderAndWideAddsRetainedAndStaging(KubernetesClient client,
      KubeControlPlane kube) throws Exception {
    var releases = client.resources(Release.class).inNamespace(namespace);
    Release created = releases.resource(ReleaseBuilder.named("storefront").build()).create();
    created.getStatus().phase = Phase.Verifying;
    created.getStatus().size = 3;
    created.getStatus().activeFleet = new ActiveFleet();
    created.getStatus().activeFleet.version = "2.4.0";
    created.getStatus().elasticIp = new ElasticIpStatus();
    created.getStatus().elasticIp.publicIp = "203.0.113.7";
    created.getStatus().previousFleet = new PreviousFleet();
    created.getStatus().previousFleet.version = "2.3.0";
    created.getStatus().stagingFleet = new StagingFleet();
    created.getStatus().stagingFleet.version = "2.4.1";
    created.getStatus().stagingFleet.state = "HttpChecks";
    releases.resource(created).updateStatus();

    var http = client.getHttpClient();
    var request = http.newHttpRequestBuilder()
        .uri(new URL(client.getMasterUrl(), "/apis/cutover.dev/v1alpha1/namespaces/" + namespace
            + "/releases").toString())
        .header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io").build();
    JsonNode table = Serialization.jsonMapper().readTree(
        http.sendAsync(request, String.class).get(30, TimeUnit.SECONDS).body());
    List<String> names = new ArrayList<>();
    List<Integer> priorities = new ArrayList<>();
    table.get("columnDefinitions").forEach(c -> {
      names.add(c.get("name").asText());
      priorities.add(c.path("priority").asInt(0));
    });
    assertThat(names).containsExactly("Name", "Version", "Active", "Phase", "Fleet", "IP", "Age",
        "Retained", "Staging");
    assertThat(priorities).containsExactly(0, 0, 0, 0, 0, 0, 0, 1, 1);
    List<String> cells = new ArrayList<>();
    table.get("rows").get(0).get("cells").forEach(c -> cells.add(c.asText()));
    assertThat(cells).hasSize(9);
    assertThat(cells.subList(0, 6)).containsExactly("storefront", "2.4.1", "2.4.0", "Verifying",
        "3", "203.0.113.7");
    assertThat(cells.subList(7, 9)).containsExactly("2.3.0", "HttpChecks");

    assertThat(header(kube.kubectl("get", "rel", "-n", namespace)))
        .containsExactly("NAME", "VERSION", "ACTIVE", "PHASE", "FLEET", "IP", "AGE");
    assertThat(header(kube.kubectl("get", "rel", "-n", namespace, "-o", "wide")))
        .containsExactly("NAME", "VERSION", "ACTIVE", "PHASE", "FLEET", "IP", "AGE", "RETAINED",
            "STAGING");
  }

  private static List<String> header(String printed) {
    return List.of(printed.lines().findFirst().orElseThrow().trim().split("\\s+"));
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
