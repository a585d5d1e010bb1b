package dev.cutover.testworld;

import dev.cutover.api.ElasticIpSpec;
import dev.cutover.api.InstanceTemplate;
import dev.cutover.api.PostSwitch;
import dev.cutover.api.Promotion;
import dev.cutover.api.Release;
import dev.cutover.api.ReleaseSpec;
import dev.cutover.api.Retention;
import dev.cutover.api.Verification;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.function.Consumer;

/**
 * Releases for tests, built in Java (the YAML samples live in deploy/samples). Unless told
 * otherwise a Release has only the required fields, the rest left for the API server to default:
 * version 2.4.1, 3 instances of ami-0123456789abcdef0 (t3.small) in subnet-0123456789abcdef0,
 * behind eipalloc-0123456789abcdef0.
 */
public final class ReleaseBuilder {

  private final Release release;

  private ReleaseBuilder(String name) {
    var template = new InstanceTemplate();
    template.imageId = "ami-0123456789abcdef0";
    template.instanceType = "t3.small";
    template.subnetIds = List.of("subnet-0123456789abcdef0");
    var eip = new ElasticIpSpec();
    eip.allocationId = "eipalloc-0123456789abcdef0";
    var spec = new ReleaseSpec();
    spec.version = "2.4.1";
    spec.fleetSize = 3;
    spec.template = template;
    spec.elasticIp = eip;
    release = new Release();
    release.setMetadata(new ObjectMetaBuilder().withName(name).build());
    release.setSpec(spec);
  }

  public static ReleaseBuilder named(String name) {
    return new ReleaseBuilder(name);
  }

  public ReleaseBuilder version(String version) {
    release.getSpec().version = version;
    return this;
  }

  public ReleaseBuilder fleetSize(int size) {
    release.getSpec().fleetSize = size;
    return this;
  }

  public ReleaseBuilder subnet(String subnetId) {
    release.getSpec().template.subnetIds = List.of(subnetId);
    return this;
  }

  public ReleaseBuilder elasticIp(String allocationId) {
    release.getSpec().elasticIp.allocationId = allocationId;
    return this;
  }

  /** A subnet and an Elastic IP that exist in moto. */
  public ReleaseBuilder network(Ec2World.Network network) {
    return subnet(network.subnetId()).elasticIp(network.allocationId());
  }

  /** A tag of the user's on every instance. */
  public ReleaseBuilder tag(String key, String value) {
    var tags = release.getSpec().template.tags == null ? new HashMap<String, String>()
        : new HashMap<>(release.getSpec().template.tags);
    tags.put(key, value);
    release.getSpec().template.tags = tags;
    return this;
  }

  /** How long the previous fleet is kept ({@code spec.retention}, set first when absent). */
  public ReleaseBuilder previousFleetTTL(String ttl) {
    if (release.getSpec().retention == null) {
      release.getSpec().retention = new Retention();
    }
    release.getSpec().retention.previousFleetTTL = ttl;
    return this;
  }

  /** Changes {@code spec.promotion}, set empty first when absent. */
  public ReleaseBuilder promotion(Consumer<Promotion> change) {
    if (release.getSpec().promotion == null) {
      release.getSpec().promotion = new Promotion();
    }
    change.accept(release.getSpec().promotion);
    return this;
  }

  /** Changes {@code spec.postSwitch}, set empty first when absent. */
  public ReleaseBuilder postSwitch(Consumer<PostSwitch> change) {
    if (release.getSpec().postSwitch == null) {
      release.getSpec().postSwitch = new PostSwitch();
    }
    change.accept(release.getSpec().postSwitch);
    return this;
  }

  /** Changes {@code spec.verification}, set empty first when absent. */
  public ReleaseBuilder verification(Consumer<Verification> change) {
    if (release.getSpec().verification == null) {
      release.getSpec().verification = new Verification();
    }
    change.accept(release.getSpec().verification);
    return this;
  }

  /**
   * Adds a role of the system form, with the template built so far (its subnet included) and
   * these addresses; the first call leaves the single form (fleetSize, template, elasticIp).
   */
  public ReleaseBuilder role(String name, int size, String... allocationIds) {
    ReleaseSpec spec = release.getSpec();
    if (spec.roles == null) {
      spec.roles = new java.util.ArrayList<>();
    }
    var role = new dev.cutover.api.RoleSpec();
    role.name = name;
    role.size = size;
    role.template = spec.template != null ? spec.template : spec.roles.get(0).template;
    if (allocationIds.length > 0) {
      role.elasticIps = new java.util.ArrayList<>();
      for (String id : allocationIds) {
        var address = new ElasticIpSpec();
        address.allocationId = id;
        role.elasticIps.add(address);
      }
    }
    spec.roles.add(role);
    spec.fleetSize = null;
    spec.template = null;
    spec.elasticIp = null;
    return this;
  }

  /** Any other change, applied now. */
  public ReleaseBuilder with(Consumer<Release> change) {
    change.accept(release);
    return this;
  }

  public Release build() {
    return release;
  }
}
