package dev.cutover.testworld;

import dev.cutover.ec2.Tags;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Address;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * Sets up, looks at and disturbs EC2 (moto) the way a person with the AWS console would: the
 * subnet and Elastic IP a test's Releases use, instances Cutover does not own, and what is alive.
 */
public final class Ec2World {

  /** The image of instances launched by the tests themselves (moto accepts any AMI id). */
  public static final String IMAGE = "ami-0123456789abcdef0";
  /** The release-uid tag of a look-alike instance: no Release has it. */
  public static final String FOREIGN_UID = "00000000-0000-0000-0000-000000000000";

  /** Where a test's Release launches its instances, and the Elastic IP it serves on. */
  public record Network(String subnetId, String allocationId) {}

  private final Ec2Client ec2;

  public Ec2World(Ec2Client ec2) {
    this.ec2 = ec2;
  }

  // ------------------------------------------------------------------ setup

  /** moto's default subnet and a new Elastic IP (moto was reset before the test). */
  public Network defaultNetwork() {
    return new Network(defaultSubnet(), allocateAddress());
  }

  /**
   * A VPC and subnet of loopback addresses and a new Elastic IP: instances get private IPs of
   * this machine, so checks sent to them stay local.
   */
  public Network loopbackNetwork(String vpcCidr, String subnetCidr) {
    String vpc = ec2.createVpc(r -> r.cidrBlock(vpcCidr)).vpc().vpcId();
    String subnet = ec2.createSubnet(r -> r.vpcId(vpc).cidrBlock(subnetCidr)).subnet()
        .subnetId();
    return new Network(subnet, allocateAddress());
  }

  private String defaultSubnet() {
    return ec2.describeSubnets().subnets().get(0).subnetId();
  }

  public String allocateAddress() {
    return ec2.allocateAddress(r -> r.domain("vpc")).allocationId();
  }

  /** An instance someone else launched, with the given tags. */
  public String launchForeign(Map<String, String> tags) {
    var r = ec2.runInstances(b -> {
      b.imageId(IMAGE).minCount(1).maxCount(1);
      if (!tags.isEmpty()) {
        b.tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE)
            .tags(tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey())
                .value(e.getValue()).build()).toList()).build());
      }
    });
    return r.instances().get(0).instanceId();
  }

  /**
   * {@code count} instances with the tags Cutover puts on fleet "f1", version 1.0.0 of a Release,
   * launched by one RunInstances (moto makes them one reservation); their ids.
   */
  public List<String> launchAsCutover(String releaseUid, String releaseKey, int count) {
    List<Tag> tags = Map.of(Tags.MANAGED_BY, Tags.MANAGED_BY_VALUE, Tags.RELEASE_UID,
            releaseUid, Tags.RELEASE, releaseKey, Tags.FLEET, "f1", Tags.VERSION, "1.0.0")
        .entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
        .toList();
    return ec2.runInstances(b -> b.imageId(IMAGE).minCount(count).maxCount(count)
            .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE)
                .tags(tags).build()))
        .instances().stream().map(Instance::instanceId).toList();
  }

  /** An instance without tags. */
  public String launchUntagged() {
    return launchForeign(Map.of());
  }

  /** An instance without tags in a given subnet. */
  public String launchUntaggedIn(String subnetId) {
    return ec2.runInstances(b -> b.imageId(IMAGE).minCount(1).maxCount(1).subnetId(subnetId))
        .instances().get(0).instanceId();
  }

  /** Moves an Elastic IP by hand, wherever it points (as a person with the console would). */
  public void moveAddress(String allocationId, String instanceId) {
    ec2.associateAddress(r -> r.allocationId(allocationId).instanceId(instanceId)
        .allowReassociation(true));
  }

  /** Tags an Elastic IP as its owner would. */
  public void tagAddress(String allocationId, Map<String, String> tags) {
    ec2.createTags(r -> r.resources(allocationId).tags(tags.entrySet().stream()
        .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList()));
  }

  /**
   * An instance with every tag Cutover puts on version 1.0.0 of the Release {@code releaseKey}
   * (namespace/name), but another release uid: Cutover must leave it alone.
   */
  public String launchLookAlike(String releaseKey) {
    return launchForeign(Map.of(Tags.MANAGED_BY, "cutover", Tags.RELEASE_UID, FOREIGN_UID,
        Tags.RELEASE, releaseKey, Tags.FLEET, "0123456789", Tags.VERSION, "1.0.0",
        Tags.SLOT, "0"));
  }

  // ------------------------------------------------------------------ looking

  public Address address(String allocationId) {
    return ec2.describeAddresses(r -> r.allocationIds(allocationId)).addresses().get(0);
  }

  /** The tags on an Elastic IP, as DescribeAddresses lists them. */
  public Map<String, String> addressTags(String allocationId) {
    return address(allocationId).tags().stream().collect(Collectors.toMap(Tag::key, Tag::value));
  }

  public List<Address> addresses() {
    return ec2.describeAddresses().addresses();
  }

  /** Every instance, in any state (moto keeps terminated instances listed). */
  public List<Instance> all() {
    return ec2.describeInstancesPaginator().reservations().stream()
        .flatMap(r -> r.instances().stream()).toList();
  }

  /** Every instance in a subnet, in any state. */
  public List<Instance> inSubnet(String subnetId) {
    return ec2.describeInstancesPaginator(r -> r.filters(Filter.builder().name("subnet-id")
        .values(subnetId).build())).reservations().stream()
        .flatMap(r -> r.instances().stream()).toList();
  }

  /** Running or pending instances of a Release version, by their tags. */
  public List<Instance> alive(String releaseKey, String version) {
    return all().stream()
        .filter(i -> releaseKey.equals(tag(i, Tags.RELEASE))
            && version.equals(tag(i, Tags.VERSION)))
        .filter(Ec2World::isAlive)
        .toList();
  }

  /** Running or pending instances of a Release, any version. */
  public List<Instance> aliveOfRelease(String releaseKey) {
    return all().stream().filter(i -> releaseKey.equals(tag(i, Tags.RELEASE)))
        .filter(Ec2World::isAlive)
        .toList();
  }

  public Instance instance(String id) {
    return ec2.describeInstances(r -> r.instanceIds(id)).reservations().get(0).instances().get(0);
  }

  public void terminate(String id) {
    ec2.terminateInstances(r -> r.instanceIds(id));
  }

  // ------------------------------------------------------------------ reading instances

  /** Running or pending. */
  public static boolean isAlive(Instance instance) {
    String state = instance.state().nameAsString();
    return state.equals("running") || state.equals("pending");
  }

  public static String tag(Instance instance, String key) {
    return instance.tags().stream().filter(t -> t.key().equals(key)).map(Tag::value)
        .findFirst().orElse(null);
  }

  public static Map<String, String> tags(Instance instance) {
    return instance.tags().stream().collect(Collectors.toMap(Tag::key, Tag::value));
  }

  public static List<String> ids(List<Instance> instances) {
    return instances.stream().map(Instance::instanceId).sorted().toList();
  }
}
