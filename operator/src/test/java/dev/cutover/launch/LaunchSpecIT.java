package dev.cutover.launch;

import static dev.cutover.testworld.ReleaseOps.active;
import static dev.cutover.testworld.ReleaseOps.ready;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cutover.api.BlockDevice;
import dev.cutover.api.EbsVolume;
import dev.cutover.api.LaunchTemplateRef;
import dev.cutover.api.MetadataOptions;
import dev.cutover.api.Phase;
import dev.cutover.api.Release;
import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.ec2.Tags;
import dev.cutover.testworld.Ec2Proxy;
import dev.cutover.testworld.Ec2World;
import dev.cutover.testworld.Operators;
import dev.cutover.testworld.Patience;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.ReleaseOps;
import dev.cutover.testworld.TestWorld;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Volume;

/**
 * What a fleet is launched with, as moto records it: a launch template pinned to the version
 * $Latest stood for (and a new blue/green when it moves), IMDSv2 unless told otherwise, EBS
 * volumes as the template says and tagged at launch, and capacity fallback over instanceTypes
 * when EC2 answers InsufficientInstanceCapacity (injected by a proxy in front of moto: moto
 * always has capacity).
 */
@ExtendWith(TestWorld.class)
class LaunchSpecIT {

  static final Ec2Proxy proxy = new Ec2Proxy(TestWorld.moto().endpoint());
  static final Ec2Gateway gateway = new Ec2Gateway(TestWorld.newEc2Client(proxy.endpoint()));

  @RegisterExtension
  static final LocallyRunOperatorExtension operator = Operators.inThisJvm(gateway);

  static final String OTHER_IMAGE = "ami-0123456789abcdef1";
  static final String KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/"
      + "0b5e7c1d-1111-4222-8333-944455556666";

  private final Ec2Client ec2 = TestWorld.ec2();
  private final Ec2World world = new Ec2World(ec2);
  private ReleaseOps releases;
  private Ec2World.Network network;

  @BeforeEach
  void world() {
    proxy.reset();
    releases = ReleaseOps.in(operator.getNamespace());
    network = world.defaultNetwork();
  }

  @AfterAll
  static void stopProxy() {
    proxy.close();
  }

  @Test
  void aLaunchTemplateIsPinnedToItsVersionAndLatestMovingIsANewBlueGreen() {
    ec2.createLaunchTemplate(r -> r.launchTemplateName("web-lt").launchTemplateData(d -> d
        .imageId(Ec2World.IMAGE).instanceType("t3.micro")));
    releases.create(base("lt", 2).with(r -> {
      var t = r.getSpec().template;
      t.imageId = null;
      t.instanceType = "t3.small";
      t.launchTemplate = new LaunchTemplateRef();
      t.launchTemplate.name = "web-lt";
      t.launchTemplate.version = LaunchTemplateRef.LATEST;
    }).build());
    Release first = releases.awaitPhase("lt", Phase.Live, r -> ready(r) && active(r, "1.0.0"));
    String firstFleet = first.getStatus().activeFleet.id;
    assertThat(first.getStatus().launchTemplates).singleElement().satisfies(t -> {
      assertThat(t.name).isEqualTo("web-lt");
      assertThat(t.requested).isEqualTo("$Latest");
      assertThat(t.version).isEqualTo(1L);
    });
    assertThat(world.alive(releases.key("lt"), "1.0.0")).hasSize(2).allSatisfy(i -> {
      // The Release's type overrides the template's; the AMI comes from the template.
      assertThat(i.instanceTypeAsString()).isEqualTo("t3.small");
      assertThat(i.imageId()).isEqualTo(Ec2World.IMAGE);
      assertThat(Ec2World.tag(i, "aws:ec2launchtemplate:version")).isEqualTo("1");
      assertThat(i.metadataOptions().httpTokensAsString()).isEqualTo("required");
    });

    ec2.createLaunchTemplateVersion(r -> r.launchTemplateName("web-lt").launchTemplateData(d
        -> d.imageId(OTHER_IMAGE).instanceType("t3.micro")));
    Release second = releases.await("lt", r -> r.getStatus() != null
        && r.getStatus().activeFleet != null && !firstFleet.equals(r.getStatus().activeFleet.id)
        && ready(r));
    assertThat(second.getStatus().previousFleet.id).as("the fleet launched from version 1 "
        + "keeps its id").isEqualTo(firstFleet);
    assertThat(second.getStatus().launchTemplates).singleElement()
        .satisfies(t -> assertThat(t.version).isEqualTo(2L));
    List<Instance> now = world.aliveOfRelease(releases.key("lt")).stream()
        .filter(i -> second.getStatus().activeFleet.id.equals(Ec2World.tag(i, Tags.FLEET)))
        .toList();
    assertThat(now).hasSize(2).allSatisfy(i -> {
      assertThat(i.imageId()).isEqualTo(OTHER_IMAGE);
      assertThat(Ec2World.tag(i, "aws:ec2launchtemplate:version")).isEqualTo("2");
    });
    assertThat(proxy.log()).filteredOn(c -> c.action().equals("RunInstances"))
        .extracting(c -> c.param("LaunchTemplate.Version"))
        .as("a version number is sent, never $Latest").containsOnly("1", "2");
  }

  @Test
  void instancesGetImdsV2EncryptedTaggedVolumesAndDetailedMonitoring() {
    releases.create(base("full", 2).with(r -> {
      var t = r.getSpec().template;
      t.blockDevices = List.of(device("/dev/xvda", v -> {
        v.volumeSize = 30;
        v.volumeType = "gp3";
        v.iops = 4000;
        v.throughput = 250;
        v.encrypted = true;
        v.kmsKeyId = KMS_KEY;
        v.deleteOnTermination = true;
      }), device("/dev/sdf", v -> {
        v.volumeSize = 12;
        v.volumeType = "gp2";
      }));
      t.detailedMonitoring = true;
    }).build());
    Release live = releases.awaitPhase("full", Phase.Live, r -> ready(r));
    List<Instance> instances = world.alive(releases.key("full"), "1.0.0");
    assertThat(instances).hasSize(2).allSatisfy(i -> {
      assertThat(i.metadataOptions().httpTokensAsString()).as("IMDSv2 by default")
          .isEqualTo("required");
      assertThat(i.monitoring().stateAsString()).isEqualTo("enabled");
      Map<String, Volume> volumes = volumesOf(i);
      assertThat(volumes.get("/dev/xvda")).satisfies(v -> {
        assertThat(v.size()).isEqualTo(30);
        assertThat(v.volumeTypeAsString()).isEqualTo("gp3");
        assertThat(v.encrypted()).isTrue();
        assertThat(v.kmsKeyId()).isEqualTo(KMS_KEY);
        assertThat(tagsOf(v)).containsEntry(Tags.MANAGED_BY, Tags.MANAGED_BY_VALUE)
            .containsEntry(Tags.RELEASE_UID, live.getMetadata().getUid())
            .containsEntry(Tags.FLEET, live.getStatus().activeFleet.id);
      });
      assertThat(volumes.get("/dev/sdf")).satisfies(v -> {
        assertThat(v.size()).isEqualTo(12);
        assertThat(v.volumeTypeAsString()).isEqualTo("gp2");
        assertThat(v.encrypted()).isFalse();
      });
    });
    assertThat(proxy.log()).filteredOn(c -> c.action().equals("RunInstances"))
        .allSatisfy(c -> {
          // moto records size, type, encryption, key and deletion but not IOPS or throughput:
          // what Cutover sends is checked on the wire.
          assertThat(c.param("BlockDeviceMapping.1.Ebs.Iops")).isEqualTo("4000");
          assertThat(c.param("BlockDeviceMapping.1.Ebs.Throughput")).isEqualTo("250");
          assertThat(c.param("MetadataOptions.HttpTokens")).isEqualTo("required");
          assertThat(c.param("TagSpecification.3.ResourceType"))
              .isEqualTo("network-interface");
          assertThat(c.param("TagSpecification.3.Tag.1.Key")).isNotNull();
        });
    assertThat(proxy.log()).filteredOn(c -> c.action().equals("CreateTags"))
        .as("tags are set at launch, never afterwards (only the address is claimed)")
        .allSatisfy(c -> assertThat(c.param("ResourceId.1")).startsWith("eipalloc-"));

    releases.create(base("v1", 1).elasticIp(world.allocateAddress()).with(r -> {
      r.getSpec().template.metadataOptions = new MetadataOptions();
      r.getSpec().template.metadataOptions.httpTokens = "optional";
    }).build());
    releases.awaitPhase("v1", Phase.Live, r -> ready(r));
    assertThat(world.alive(releases.key("v1"), "1.0.0")).singleElement().satisfies(i ->
        assertThat(i.metadataOptions().httpTokensAsString()).isEqualTo("optional"));
  }

  @Test
  void noCapacityForATypeInOneSubnetLaunchesTheNextTypeThereOnly() {
    List<String> subnets = twoSubnets();
    String full = subnets.get(0);
    proxy.refuse(noCapacity(p -> "t3.large".equals(p.get("InstanceType"))
        && full.equals(p.get("SubnetId"))));
    releases.create(base("cap", 4).with(r -> {
      var t = r.getSpec().template;
      t.instanceType = null;
      t.instanceTypes = List.of("t3.large", "m5.large");
      t.subnetIds = subnets;
    }).build());
    Release live = releases.awaitPhase("cap", Phase.Live, r -> ready(r));
    Map<String, String> typeBySubnet = new TreeMap<>();
    world.alive(releases.key("cap"), "1.0.0").forEach(i -> typeBySubnet.merge(i.subnetId(),
        i.instanceTypeAsString(), (a, b) -> a.equals(b) ? a : a + "+" + b));
    assertThat(typeBySubnet).containsExactlyInAnyOrderEntriesOf(Map.of(
        full, "m5.large", subnets.get(1), "t3.large"));
    assertThat(live.getStatus().activeFleet.instanceTypes)
        .containsExactlyInAnyOrderEntriesOf(Map.of("m5.large", 2, "t3.large", 2));
    assertThat(live.getStatus().unavailableInstanceTypes).singleElement().satisfies(u -> {
      assertThat(u.subnetId).isEqualTo(full);
      assertThat(u.instanceType).isEqualTo("t3.large");
      assertThat(u.code).isEqualTo("InsufficientInstanceCapacity");
    });
    List<String> launches = proxy.log().stream().filter(c -> c.action().equals("RunInstances"))
        .map(c -> (c.param("SubnetId").equals(full) ? "full " : "other ")
            + c.param("InstanceType") + (c.status() == 500 ? " refused" : "")).toList();
    assertThat(launches).as("refused for t3.large in the full subnet, then m5.large there only")
        .contains("full t3.large refused")
        .containsOnlyOnce("full m5.large", "other t3.large")
        .containsOnly("full t3.large refused", "full m5.large", "other t3.large");
  }

  @Test
  void noCapacityForAnyTypeFailsTheNewFleetAndProductionServesOn() {
    releases.create(base("none", 1).build());
    Release live = releases.awaitLive("none", "1.0.0");
    String productionInstance = live.getStatus().activeFleet.primaryInstanceId;
    proxy.refuse(noCapacity(p -> true));
    releases.update("none", r -> {
      r.getSpec().version = "2.0.0";
      r.getSpec().template.instanceType = null;
      r.getSpec().template.instanceTypes = List.of("t3.large", "m5.large");
    });
    Release failed = releases.awaitPhase("none", Phase.Failed, r -> true);
    assertThat(failed.getStatus().lastFailure.reason).isEqualTo("InsufficientInstanceCapacity");
    assertThat(failed.getStatus().lastFailure.message).contains("t3.large, m5.large");
    assertThat(failed.getStatus().activeFleet.version).isEqualTo("1.0.0");
    assertThat(world.address(network.allocationId()).instanceId())
        .isEqualTo(productionInstance);
    assertThat(proxy.log()).filteredOn(c -> c.action().equals("RunInstances")
            && !"t3.small".equals(c.param("InstanceType")))
        .as("every type tried, each refused, in order").allMatch(c -> c.status() == 500)
        .extracting(c -> c.param("InstanceType")).startsWith("t3.large").endsWith("m5.large")
        .containsOnly("t3.large", "m5.large");
  }

  // ------------------------------------------------------------------ helpers

  private ReleaseBuilder base(String name, int size) {
    return ReleaseBuilder.named(name).version("1.0.0").fleetSize(size).network(network)
        .previousFleetTTL("10m");
  }

  private static BlockDevice device(String name, java.util.function.Consumer<EbsVolume> ebs) {
    BlockDevice d = new BlockDevice();
    d.deviceName = name;
    d.ebs = new EbsVolume();
    ebs.accept(d.ebs);
    return d;
  }

  private Map<String, Volume> volumesOf(Instance instance) {
    return ec2.describeVolumes(r -> r.filters(Filter.builder().name("attachment.instance-id")
        .values(instance.instanceId()).build())).volumes().stream()
        .collect(Collectors.toMap(v -> v.attachments().get(0).device(), v -> v));
  }

  private static Map<String, String> tagsOf(Volume volume) {
    return volume.tags().stream().collect(Collectors.toMap(t -> t.key(), t -> t.value()));
  }

  private List<String> twoSubnets() {
    return ec2.describeSubnets().subnets().stream()
        .filter(s -> s.vpcId().equals(ec2.describeSubnets(r -> r.subnetIds(
            network.subnetId())).subnets().get(0).vpcId()))
        .map(s -> s.subnetId()).sorted().limit(2).toList();
  }

  private static Ec2Proxy.Refusal noCapacity(
      java.util.function.Predicate<Map<String, String>> when) {
    return new Ec2Proxy.Refusal("RunInstances", when, 500, "InsufficientInstanceCapacity",
        "We currently do not have sufficient capacity in the Availability Zone you requested.");
  }
}
