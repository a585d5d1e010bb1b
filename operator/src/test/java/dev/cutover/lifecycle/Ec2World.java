package dev.cutover.lifecycle;

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

/** Looks at (and disturbs) EC2 the way a person with the AWS console would, for assertions. */
final class Ec2World {

  private final Ec2Client ec2;

  Ec2World(Ec2Client ec2) {
    this.ec2 = ec2;
  }

  String defaultSubnet() {
    return ec2.describeSubnets().subnets().get(0).subnetId();
  }

  String allocateAddress() {
    return ec2.allocateAddress(r -> r.domain("vpc")).allocationId();
  }

  Address address(String allocationId) {
    return ec2.describeAddresses(r -> r.allocationIds(allocationId)).addresses().get(0);
  }

  List<Address> addresses() {
    return ec2.describeAddresses().addresses();
  }

  List<Instance> all() {
    return ec2.describeInstancesPaginator().reservations().stream()
        .flatMap(r -> r.instances().stream()).toList();
  }

  /** Running or pending instances of a Release version, by their tags. */
  List<Instance> alive(String releaseKey, String version) {
    return all().stream()
        .filter(i -> releaseKey.equals(tag(i, Tags.RELEASE)) && version.equals(tag(i, Tags.VERSION)))
        .filter(i -> i.state().nameAsString().equals("running")
            || i.state().nameAsString().equals("pending"))
        .toList();
  }

  List<Instance> aliveOfRelease(String releaseKey) {
    return all().stream().filter(i -> releaseKey.equals(tag(i, Tags.RELEASE)))
        .filter(i -> i.state().nameAsString().equals("running")
            || i.state().nameAsString().equals("pending"))
        .toList();
  }

  Instance instance(String id) {
    return ec2.describeInstances(r -> r.instanceIds(id)).reservations().get(0).instances().get(0);
  }

  void terminate(String id) {
    ec2.terminateInstances(r -> r.instanceIds(id));
  }

  /** An instance someone else launched, with the given tags. */
  String launchForeign(Map<String, String> tags) {
    var r = ec2.runInstances(b -> {
      b.imageId("ami-0123456789abcdef0").minCount(1).maxCount(1);
      if (!tags.isEmpty()) {
        b.tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE)
            .tags(tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey())
                .value(e.getValue()).build()).toList()).build());
      }
    });
    return r.instances().get(0).instanceId();
  }

  static String tag(Instance instance, String key) {
    return instance.tags().stream().filter(t -> t.key().equals(key)).map(Tag::value)
        .findFirst().orElse(null);
  }

  static Map<String, String> tags(Instance instance) {
    return instance.tags().stream().collect(Collectors.toMap(Tag::key, Tag::value));
  }

  static List<String> ids(List<Instance> instances) {
    return instances.stream().map(Instance::instanceId).sorted().toList();
  }

  List<Instance> byFilter(String name, String value) {
    return ec2.describeInstancesPaginator(r -> r.filters(Filter.builder().name(name)
        .values(value).build())).reservations().stream().flatMap(r -> r.instances().stream())
        .toList();
  }
}
