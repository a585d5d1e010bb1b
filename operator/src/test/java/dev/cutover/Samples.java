package dev.cutover;

import dev.cutover.api.ElasticIpSpec;
import dev.cutover.api.InstanceTemplate;
import dev.cutover.api.Release;
import dev.cutover.api.ReleaseSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;

/** Releases for tests, built in Java; the YAML samples live in deploy/samples. */
public final class Samples {

  private Samples() {}

  /**
   * A Release for the integration tests: {@code size} instances of {@code version} in a subnet
   * and behind an address that exist in moto, the previous fleet kept 10 minutes.
   */
  public static Release release(String name, String version, int size, String subnetId,
      String allocationId) {
    Release r = minimal(name);
    r.getSpec().version = version;
    r.getSpec().fleetSize = size;
    r.getSpec().template.subnetIds = List.of(subnetId);
    r.getSpec().elasticIp.allocationId = allocationId;
    r.getSpec().retention = new dev.cutover.api.Retention();
    r.getSpec().retention.previousFleetTTL = "10m";
    return r;
  }

  public static Release minimal(String name) {
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
    var release = new Release();
    release.setMetadata(new ObjectMetaBuilder().withName(name).build());
    release.setSpec(spec);
    return release;
  }
}
