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
