package dev.cutover.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.cutover.testworld.Crds;
import dev.cutover.testworld.Namespaces;
import dev.cutover.testworld.Patience;
import dev.cutover.testworld.TestWorld;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real API server enforces the Release schema generated from the Java model: every sample
 * is accepted, and each invalid manifest is refused with the field and a message a person
 * understands. Requests use strict field validation, as kubectl does by default.
 */
@ExtendWith(TestWorld.class)
class ReleaseValidationIT {

  private static final Path SAMPLES = Path.of("..", "deploy", "samples");
  private static final String NAMESPACE = "validation";
  private static final String LONG_USER_DATA = "x".repeat(16385);
  private static final String PATH_MESSAGE = "path must start with / and be a URI path such as "
      + "/healthz or /status?full=1";

  @BeforeAll
  static void crdAndNamespace() {
    Crds.installReleaseCrd(TestWorld.client());
    Namespaces.create(NAMESPACE);
  }

  static Stream<Path> samples() throws IOException {
    try (Stream<Path> files = Files.list(SAMPLES)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void everySampleIsAccepted(Path sample, KubernetesClient client) throws IOException {
    var release = Serialization.unmarshal(Files.readString(sample),
        GenericKubernetesResource.class);
    var created = client.resource(release).inNamespace(NAMESPACE)
        .dryRun().fieldValidation(FieldValidateable.Validation.STRICT).create();
    assertThat(created.getMetadata().getName()).isEqualTo(release.getMetadata().getName());
  }

  @Test
  void serverAppliesTheDocumentedDefaults(KubernetesClient client) throws IOException {
    var release = Serialization.unmarshal(
        Files.readString(SAMPLES.resolve("release-minimal.yaml")), Release.class);
    ReleaseSpec spec = client.resource(release).inNamespace(NAMESPACE).dryRun().create()
        .getSpec();
    assertThat(spec.promotion.mode).isEqualTo(Promotion.Mode.Auto);
    assertThat(spec.promotion.soak).isEqualTo("0s");
    assertThat(spec.verification.instanceStatusChecks).isTrue();
    assertThat(spec.verification.deadline).isEqualTo("15m");
    assertThat(spec.verification.keepFailedFor).isEqualTo("0s");
    assertThat(spec.promotion.approvalTimeout).as("no default: waits forever").isNull();
    assertThat(spec.retention.previousFleetTTL).isEqualTo("2h");
    assertThat(spec.retention.previousFleetSize).isZero();
    assertThat(spec.postSwitch.verify).isTrue();
    assertThat(spec.postSwitch.revertOnFailure).isTrue();
    assertThat(spec.paused).isFalse();
    assertThat(spec.deletionPolicy).isEqualTo(DeletionPolicy.Delete);
  }

  @Test
  void valuesAtEc2sLimitsAreAccepted(KubernetesClient client) throws IOException {
    Map<String, Object> manifest = minimalManifest();
    set("spec.template.tags", tags(40, 128, 256)).accept(manifest);
    // 16384 bytes: 8191 two-byte characters and two ASCII ones.
    set("spec.template.userData", "\u00e9".repeat(8191) + "#!").accept(manifest);
    set("spec.verification.http", Map.of("path", "/status/v1?full=1&name=a%20b:c@d,e;f=(g)*~",
        "timeout", "1ms", "interval", "1ms")).accept(manifest);
    var release = Serialization.unmarshal(Serialization.asJson(manifest),
        GenericKubernetesResource.class);

    var created = client.resource(release).inNamespace(NAMESPACE).dryRun()
        .fieldValidation(FieldValidateable.Validation.STRICT).create();

    assertThat(created.getMetadata().getName()).isEqualTo(release.getMetadata().getName());
  }

  @Test
  void theAccountAndRegionOfAReleaseCannotChange(KubernetesClient client) throws IOException {
    Map<String, Object> manifest = minimalManifest();
    set("spec.account", "team-a").accept(manifest);
    set("spec.region", "eu-west-1").accept(manifest);
    var release = Serialization.unmarshal(Serialization.asJson(manifest),
        GenericKubernetesResource.class);
    release.getMetadata().setName("fixed-place");
    client.resource(release).inNamespace(NAMESPACE).create();
    try {
      for (String[] change : new String[][] {{"account", "team-b"}, {"region", "us-east-1"}}) {
        var refused = catchThrowableOfType(KubernetesClientException.class, () -> client
            .genericKubernetesResources(release.getApiVersion(), release.getKind())
            .inNamespace(NAMESPACE).withName("fixed-place").edit(r -> {
              @SuppressWarnings("unchecked")
              Map<String, Object> spec = (Map<String, Object>) r.getAdditionalProperties()
                  .get("spec");
              spec.put(change[0], change[1]);
              return r;
            }));
        assertThat(refused).as("changing %s must be refused", change[0]).isNotNull();
        assertThat(problems(refused)).anySatisfy(p -> assertThat(p)
            .contains("spec." + change[0]).contains(change[0] + " cannot be changed once the "
                + "Release exists"));
      }
    } finally {
      client.genericKubernetesResources(release.getApiVersion(), release.getKind())
          .inNamespace(NAMESPACE).withName("fixed-place").delete();
    }
  }

  /** {@code count} tags with keys and values of the given lengths (keys made unique). */
  private static Map<String, String> tags(int count, int keyLength, int valueLength) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      String suffix = String.format("%03d", i);
      tags.put("k".repeat(keyLength - suffix.length()) + suffix, "v".repeat(valueLength));
    }
    return tags;
  }

  @Test
  void kubectlExplainShowsTheFieldDescriptions() {
    // The API server publishes a new CRD's OpenAPI a moment after it is established.
    await().atMost(Patience.API_SERVER).ignoreExceptions().untilAsserted(() -> {
      // kubectl wraps descriptions: compare with single spaces.
      String spec = explain("release.spec");
      assertThat(spec)
          .contains("Version of the application to run")
          .contains("Number of instances in each fleet")
          .contains("How long the previous fleet is kept");
      assertThat(explain("rel.spec.retention.previousFleetTTL"))
          .contains("switching back within it is one Elastic IP move");
    });
  }

  private static String explain(String field) {
    return TestWorld.kube().kubectl("explain", field).replaceAll("\\s+", " ");
  }

  static Stream<Arguments> invalidReleases() {
    return Stream.concat(Stream.concat(Stream.concat(singleRole(), systems()), launchSpec()),
        metricChecks());
  }

  private static Map<String, Object> volume(Map<String, Object> ebs) {
    return Map.of("deviceName", "/dev/xvda", "ebs", ebs);
  }

  private static Map<String, Object> prometheusCheck(String name, String condition) {
    Map<String, Object> check = new LinkedHashMap<>();
    check.put("name", name);
    if (condition != null) {
      check.put("successCondition", condition);
    }
    check.put("prometheus", Map.of("url", "http://127.0.0.1:9090", "query", "up"));
    return check;
  }

  /** Metric checks. */
  static Stream<Arguments> metricChecks() {
    Map<String, Object> both = prometheusCheck("error-rate", "< 0.05");
    both.put("cloudWatch", Map.of("alarmName", "errors"));
    return Stream.of(
        invalid("a metric check with two providers", set("spec.verification.metrics",
            List.of(both)), "spec.verification.metrics[0]",
            "a metric check needs exactly one provider: prometheus or cloudWatch"),
        invalid("a metric check with no provider", set("spec.verification.metrics",
            List.of(Map.of("name", "error-rate", "successCondition", "< 1"))),
            "spec.verification.metrics[0]",
            "a metric check needs exactly one provider: prometheus or cloudWatch"),
        invalid("a condition in words", set("spec.verification.metrics",
            List.of(prometheusCheck("error-rate", "below 5%"))),
            "spec.verification.metrics[0].successCondition",
            "successCondition must be a comparison with a number, such as '< 0.05'"),
        invalid("a Prometheus query without a condition", set("spec.postSwitch.metrics",
            List.of(prometheusCheck("error-rate", null))),
            "spec.postSwitch.metrics[0].successCondition",
            "successCondition is required (except for a CloudWatch alarm"),
        invalid("two checks of one name", set("spec.verification.metrics",
            List.of(prometheusCheck("error-rate", "< 1"), prometheusCheck("error-rate", "< 2"))),
            "spec.verification.metrics", "metric check names must be unique"),
        invalid("a Prometheus URL without a scheme", set("spec.verification.metrics",
            List.of(Map.of("name", "e", "successCondition", "< 1", "prometheus",
                Map.of("url", "prometheus:9090", "query", "up")))),
            "spec.verification.metrics[0].prometheus.url",
            "prometheus.url must be an http:// or https:// URL"),
        invalid("a CloudWatch alarm and a metric at once", set("spec.postSwitch.metrics",
            List.of(Map.of("name", "e", "successCondition", "< 1", "cloudWatch",
                Map.of("alarmName", "a", "namespace", "App", "metricName", "Errors")))),
            "spec.postSwitch.metrics[0].cloudWatch",
            "cloudWatch needs alarmName, or namespace and metricName, not both"),
        invalid("an interval under a second", set("spec.verification.metrics",
            List.of(Map.of("name", "e", "interval", "500ms", "successCondition", "< 1",
                "prometheus", Map.of("url", "http://p:9090", "query", "up")))),
            "spec.verification.metrics[0].interval",
            "interval must be a duration from 1s to 1h"));
  }

  /** Launch templates, metadata options, volumes, placement and instance types. */
  static Stream<Arguments> launchSpec() {
    return Stream.of(
        invalid("instanceType and instanceTypes", set("spec.template.instanceTypes",
            List.of("t3.large")), "spec.template.instanceTypes",
            "give instanceType or instanceTypes (an ordered list for capacity fallback), not "
                + "both"),
        invalid("no type at all", remove("spec.template.instanceType"),
            "spec.template.instanceType", "instanceType (or instanceTypes, or a launchTemplate "
                + "that provides it) is required"),
        invalid("a type listed twice", remove("spec.template.instanceType").andThen(
            set("spec.template.instanceTypes", List.of("t3.large", "t3.large"))),
            "spec.template.instanceTypes", "instanceTypes must not repeat a type"),
        invalid("launch template by id and name", set("spec.template.launchTemplate",
            Map.of("id", "lt-0123456789abcdef0", "name", "web")),
            "spec.template.launchTemplate", "launchTemplate needs exactly one of id (lt-...) or "
                + "name"),
        invalid("launch template version latest", set("spec.template.launchTemplate",
            Map.of("name", "web", "version", "latest")),
            "spec.template.launchTemplate.version", "launchTemplate.version must be a version "
                + "number such as 3, or $Latest, or $Default"),
        invalid("launch template id malformed", set("spec.template.launchTemplate",
            Map.of("id", "lt-web")), "spec.template.launchTemplate.id",
            "launchTemplate.id must be a launch template id such as lt-0123456789abcdef0"),
        invalid("httpTokens yes", set("spec.template.metadataOptions",
            Map.of("httpTokens", "yes")), "spec.template.metadataOptions.httpTokens",
            "metadataOptions.httpTokens must be required (IMDSv2 only) or optional"),
        invalid("hop limit 65", set("spec.template.metadataOptions",
            Map.of("httpPutResponseHopLimit", 65)),
            "spec.template.metadataOptions.httpPutResponseHopLimit",
            "should be less than or equal to 64"),
        invalid("iops on gp2", set("spec.template.blockDevices", List.of(volume(Map.of(
            "volumeType", "gp2", "iops", 3000)))), "spec.template.blockDevices[0].ebs.iops",
            "iops applies to gp3, io1 and io2 volumes only"),
        invalid("io2 without iops", set("spec.template.blockDevices", List.of(volume(Map.of(
            "volumeType", "io2", "volumeSize", 100)))), "spec.template.blockDevices[0].ebs.iops",
            "io1 and io2 volumes need iops"),
        invalid("throughput on io2", set("spec.template.blockDevices", List.of(volume(Map.of(
            "volumeType", "io2", "iops", 3000, "throughput", 500)))),
            "spec.template.blockDevices[0].ebs.throughput", "throughput applies to gp3 volumes "
                + "only"),
        invalid("a KMS key without encryption", set("spec.template.blockDevices",
            List.of(volume(Map.of("volumeType", "gp3", "kmsKeyId", "alias/app")))),
            "spec.template.blockDevices[0].ebs.kmsKeyId", "kmsKeyId needs encrypted: true"),
        invalid("st1 of 100 GiB", set("spec.template.blockDevices", List.of(volume(Map.of(
            "volumeType", "st1", "volumeSize", 100)))),
            "spec.template.blockDevices[0].ebs.volumeSize", "st1 and sc1 volumes are at least "
                + "125 GiB"),
        invalid("volume type gp4", set("spec.template.blockDevices", List.of(volume(Map.of(
            "volumeType", "gp4")))), "spec.template.blockDevices[0].ebs.volumeType",
            "volumeType must be one of gp2, gp3, io1, io2, st1, sc1, standard"),
        invalid("one device twice", set("spec.template.blockDevices", List.of(
            volume(Map.of("volumeSize", 20)), volume(Map.of("volumeSize", 30)))),
            "spec.template.blockDevices", "blockDevices must not name a device twice"),
        invalid("tenancy shared", set("spec.template.placement", Map.of("tenancy", "shared")),
            "spec.template.placement.tenancy", "placement.tenancy must be default, dedicated "
                + "or host"));
  }

  /** A system of roles: web (2, two addresses) and worker (1), the single form removed. */
  private static Consumer<Map<String, Object>> system(Consumer<List<Map<String, Object>>> tweak) {
    return manifest -> {
      @SuppressWarnings("unchecked")
      Map<String, Object> spec = (Map<String, Object>) manifest.get("spec");
      Object template = spec.remove("template");
      spec.remove("fleetSize");
      spec.remove("elasticIp");
      List<Map<String, Object>> roles = new ArrayList<>();
      roles.add(new LinkedHashMap<>(Map.of("name", "web", "size", 2, "template", template,
          "elasticIps", new ArrayList<>(List.of(Map.of("allocationId", EIP_A),
              Map.of("allocationId", EIP_B))))));
      roles.add(new LinkedHashMap<>(Map.of("name", "worker", "size", 1, "template", template)));
      tweak.accept(roles);
      spec.put("roles", roles);
    };
  }

  private static final String EIP_A = "eipalloc-0123456789abcdef0";
  private static final String EIP_B = "eipalloc-0123456789abcdef1";

  static Stream<Arguments> systems() {
    return Stream.of(
        invalid("roles beside fleetSize", system(r -> { }).andThen(set("spec.fleetSize", 2)),
            "spec.roles", "roles cannot be combined with fleetSize, template or elasticIp"),
        invalid("neither roles nor fleetSize", remove("spec.fleetSize"), "spec.fleetSize",
            "fleetSize is required (or roles"),
        invalid("two roles of one name", system(r -> r.get(1).put("name", "web")),
            "spec.roles", "role names must be unique"),
        invalid("no role has an address", system(r -> r.get(0).remove("elasticIps")),
            "spec.roles", "at least one role needs elasticIps"),
        invalid("a role address Cutover would allocate", system(r -> r.get(1).put("elasticIps",
            List.of(Map.of("allocate", true)))), "spec.roles",
            "allocate: true is only for the single elasticIp"),
        invalid("one address for two slots", system(r -> r.get(1).put("elasticIps",
            List.of(Map.of("allocationId", EIP_A)))), "spec.roles",
            "every allocationId in roles must be different"),
        invalid("more addresses than instances", system(r -> r.get(0).put("size", 1)),
            "spec.roles[0].elasticIps", "a role cannot have more elasticIps than instances"),
        invalid("role name with capitals", system(r -> r.get(1).put("name", "Worker")),
            "spec.roles[1].name", "a role name must be lowercase letters"),
        invalid("preview is a production address", system(r -> { })
            .andThen(set("spec.preview", Map.of("allocationId", EIP_B))), "spec.preview",
            "preview must be another Elastic IP than production's"),
        invalid("a check through a preview that is not there",
            set("spec.verification.http", Map.of("address", "Preview")),
            "spec.verification.http.address", "address Preview needs spec.preview"));
  }

  static Stream<Arguments> singleRole() {
    return Stream.of(
        invalid("missing version", remove("spec.version"), "spec.version", "Required value"),
        invalid("missing fleetSize", remove("spec.fleetSize"), "spec.fleetSize",
            "Required value"),
        invalid("missing template", remove("spec.template"), "spec.template", "Required value"),
        invalid("missing elasticIp", remove("spec.elasticIp"), "spec.elasticIp",
            "Required value"),
        invalid("missing imageId", remove("spec.template.imageId"), "spec.template.imageId",
            "imageId is required (or a launchTemplate that provides it)"),
        invalid("missing subnetIds", remove("spec.template.subnetIds"),
            "spec.template.subnetIds", "Required value"),
        invalid("fleetSize is text", set("spec.fleetSize", "three"), "spec.fleetSize",
            "must be of type integer"),
        invalid("fleetSize zero", set("spec.fleetSize", 0), "spec.fleetSize",
            "should be greater than or equal to 1"),
        invalid("fleetSize negative", set("spec.fleetSize", -3), "spec.fleetSize",
            "should be greater than or equal to 1"),
        invalid("fleetSize huge", set("spec.fleetSize", 100000), "spec.fleetSize",
            "should be less than or equal to 100"),
        invalid("empty version", set("spec.version", ""), "spec.version",
            "should be at least 1 chars long"),
        invalid("version with a space", set("spec.version", "2.4.1 beta"), "spec.version",
            "version must start with a letter or digit"),
        invalid("AMI id malformed", set("spec.template.imageId", "ami-xyz"),
            "spec.template.imageId", "imageId must be an AMI id such as ami-0123456789abcdef0"),
        invalid("AMI id of another kind", set("spec.template.imageId", "img-0123456789abcdef0"),
            "spec.template.imageId", "imageId must be an AMI id"),
        invalid("instance type without family", set("spec.template.instanceType", "large"),
            "spec.template.instanceType", "instanceType must be an EC2 instance type"),
        invalid("no subnets", set("spec.template.subnetIds", List.of()),
            "spec.template.subnetIds", "should have at least 1 items"),
        invalid("subnet id malformed", set("spec.template.subnetIds", List.of("subnet-a")),
            "spec.template.subnetIds", "every subnetIds entry must be a subnet id"),
        invalid("security group id malformed",
            set("spec.template.securityGroupIds", List.of("sg-1")),
            "spec.template.securityGroupIds", "every securityGroupIds entry must be a security"),
        invalid("reserved tag key", set("spec.template.tags", Map.of("cutover.dev/fleet", "x")),
            "spec.template.tags", "are set by Cutover"),
        invalid("user data over 16 KiB", set("spec.template.userData", LONG_USER_DATA),
            "spec.template.userData", "Too long"),
        invalid("both allocationId and allocate", set("spec.elasticIp.allocate", true),
            "spec.elasticIp", "set exactly one of elasticIp.allocationId"),
        invalid("neither allocationId nor allocate", set("spec.elasticIp", Map.of()),
            "spec.elasticIp", "set exactly one of elasticIp.allocationId"),
        invalid("allocation id malformed", set("spec.elasticIp.allocationId", "eip-12345678"),
            "spec.elasticIp.allocationId", "allocationId must be an Elastic IP allocation id"),
        invalid("deadline in words", set("spec.verification.deadline", "15 minutes"),
            "spec.verification.deadline", "deadline must be a duration such as 90s, 15m"),
        invalid("deadline too long", set("spec.verification.deadline", "48h"),
            "spec.verification.deadline", "at most 24h"),
        invalid("TTL in days", set("spec.retention.previousFleetTTL", "2d"),
            "spec.retention.previousFleetTTL", "previousFleetTTL must be a duration"),
        invalid("HTTP timeout with a space", set("spec.verification.http", Map.of("timeout",
            "2 s")), "spec.verification.http.timeout", "timeout must be a duration"),
        invalid("previous fleet larger than the fleet", set("spec.retention.previousFleetSize",
            5), "spec.retention.previousFleetSize",
            "previousFleetSize cannot be larger than fleetSize"),
        invalid("previous fleet size negative", set("spec.retention.previousFleetSize", -1),
            "spec.retention.previousFleetSize", "should be greater than or equal to 0"),
        invalid("approvedVersion with Auto promotion", set("spec.promotion",
            Map.of("approvedVersion", "2.4.1")), "spec.promotion.approvedVersion",
            "only used with promotion.mode: Manual"),
        invalid("approvalTimeout with Auto promotion", set("spec.promotion",
            Map.of("approvalTimeout", "30m")), "spec.promotion.approvalTimeout",
            "promotion.approvalTimeout is only used with promotion.mode: Manual"),
        invalid("approvalTimeout in words", set("spec.promotion",
            Map.of("mode", "Manual", "approvalTimeout", "1 day")),
            "spec.promotion.approvalTimeout",
            "approvalTimeout must be a duration such as 30m, 8h or 72h, from 1s to 720h"),
        invalid("approvalTimeout of zero", set("spec.promotion",
            Map.of("mode", "Manual", "approvalTimeout", "0s")),
            "spec.promotion.approvalTimeout", "from 1s to 720h"),
        invalid("approvalTimeout too long", set("spec.promotion",
            Map.of("mode", "Manual", "approvalTimeout", "721h")),
            "spec.promotion.approvalTimeout", "from 1s to 720h"),
        invalid("keepFailedFor in days", set("spec.verification.keepFailedFor", "2d"),
            "spec.verification.keepFailedFor",
            "keepFailedFor must be a duration such as 0s, 30m or 4h, at most 168h"),
        invalid("keepFailedFor too long", set("spec.verification.keepFailedFor", "169h"),
            "spec.verification.keepFailedFor", "at most 168h"),
        invalid("unknown promotion mode", set("spec.promotion", Map.of("mode", "Automatic")),
            "spec.promotion.mode", "Unsupported value: \"Automatic\""),
        invalid("unknown deletion policy", set("spec.deletionPolicy", "Keep"),
            "spec.deletionPolicy", "Unsupported value: \"Keep\""),
        invalid("HTTP port out of range", set("spec.verification.http", Map.of("port", 70000)),
            "spec.verification.http.port", "should be less than or equal to 65535"),
        invalid("HTTP path without slash", set("spec.verification.http",
            Map.of("path", "healthz")), "spec.verification.http.path", "path must start with /"),
        invalid("HTTP path with a space", set("spec.verification.http",
            Map.of("path", "/health check")), "spec.verification.http.path", PATH_MESSAGE),
        invalid("HTTP path with a fragment", set("spec.verification.http",
            Map.of("path", "/healthz#top")), "spec.verification.http.path", PATH_MESSAGE),
        invalid("HTTP path with a broken escape", set("spec.verification.http",
            Map.of("path", "/health%zz")), "spec.verification.http.path", PATH_MESSAGE),
        invalid("HTTP path with a bracket", set("spec.verification.http",
            Map.of("path", "/items[0]")), "spec.verification.http.path", PATH_MESSAGE),
        invalid("HTTP timeout zero", set("spec.verification.http", Map.of("timeout", "0s")),
            "spec.verification.http.timeout",
            "timeout must be a duration such as 500ms or 2s, more than 0s and at most 60s"),
        invalid("HTTP timeout zero in ms", set("spec.verification.http",
            Map.of("timeout", "0ms")), "spec.verification.http.timeout", "more than 0s"),
        invalid("HTTP interval zero", set("spec.verification.http", Map.of("interval", "0s")),
            "spec.verification.http.interval",
            "interval must be a duration such as 5s, more than 0s and at most 10m"),
        invalid("user data over 16 KiB in UTF-8 bytes", set("spec.template.userData",
            "\u00e9".repeat(8193)), "spec.template.userData",
            "userData must be at most 16384 bytes in UTF-8 (EC2's limit before base64)"),
        invalid("tag key over 128 characters", set("spec.template.tags",
            Map.of("k".repeat(129), "v")), "spec.template.tags",
            "tag keys must be 1 to 128 characters long (EC2's limit)"),
        invalid("empty tag key", set("spec.template.tags", Map.of("", "v")),
            "spec.template.tags", "tag keys must be 1 to 128 characters long"),
        invalid("tag key aws:", set("spec.template.tags", Map.of("aws:team", "x")),
            "spec.template.tags", "tag keys starting with aws: (in any case) are reserved for AWS"),
        invalid("tag key AWS: in capitals", set("spec.template.tags",
            Map.of("AWS:cloudformation:stack-name", "x")), "spec.template.tags",
            "are reserved for AWS"),
        invalid("tag key Aws: in mixed case", set("spec.template.tags", Map.of("Aws:x", "y")),
            "spec.template.tags", "are reserved for AWS"),
        invalid("tag value over 256 characters", set("spec.template.tags",
            Map.of("team", "v".repeat(257))), "spec.template.tags.team", "Too long"),
        invalid("more than 40 tags", set("spec.template.tags", tags(41, 3, 1)),
            "spec.template.tags", "must have at most 40 items"),
        invalid("drain path without slash", set("spec.drain", drain("30s",
            Map.of("port", 8080, "path", "drain"))), "spec.drain.http.path",
            "drain.http.path must start with /"),
        invalid("drain port zero", set("spec.drain", drain("30s",
            Map.of("port", 0, "path", "/drain"))), "spec.drain.http.port",
            "should be greater than or equal to 1"),
        invalid("drain without a port", set("spec.drain", drain("30s",
            Map.of("path", "/drain"))), "spec.drain.http.port",
            "drain.http.port is required"),
        invalid("drain method PATCH", set("spec.drain", drain("30s",
            Map.of("port", 8080, "path", "/drain", "method", "PATCH"))),
            "spec.drain.http.method", "Unsupported value: \"PATCH\""),
        invalid("drain timeout 2h", set("spec.drain", drain("2h", null)),
            "spec.drain.timeout", "drain.timeout must be a duration such as 30s or 2m, from 0s "
                + "to at most 1h"),
        invalid("drain without a timeout", set("spec.drain", Map.of("http",
            Map.of("port", 8080, "path", "/drain"))), "spec.drain.timeout",
            "drain.timeout is required"),
        invalid("drain request timeout zero", set("spec.drain", drain("30s",
            Map.of("port", 8080, "path", "/drain", "requestTimeout", "0s"))),
            "spec.drain.http.requestTimeout", "more than 0s and at most 60s"),
        invalid("hook url without a scheme", set("spec.hooks", Map.of("preSwitch",
            Map.of("url", "hooks.example.com/pre"))), "spec.hooks.preSwitch.url",
            "url must be an http:// or https:// URL with a host"),
        invalid("hook url ftp", set("spec.hooks", Map.of("postSwitch",
            Map.of("url", "ftp://hooks.example.com/post"))), "spec.hooks.postSwitch.url",
            "url must be an http:// or https:// URL with a host"),
        invalid("hook without a url", set("spec.hooks", Map.of("preTerminate",
            Map.of("retries", 1))), "spec.hooks.preTerminate.url", "url is required"),
        invalid("hook timeout 2m", set("spec.hooks", Map.of("preSwitch",
            Map.of("url", "https://hooks.example.com/pre", "timeout", "2m"))),
            "spec.hooks.preSwitch.timeout", "more than 0s and at most 60s"),
        invalid("hook retries 11", set("spec.hooks", Map.of("preSwitch",
            Map.of("url", "https://hooks.example.com/pre", "retries", 11))),
            "spec.hooks.preSwitch.retries", "should be less than or equal to 10"),
        invalid("hook failurePolicy Fail", set("spec.hooks", Map.of("preSwitch",
            Map.of("url", "https://hooks.example.com/pre", "failurePolicy", "Fail"))),
            "spec.hooks.preSwitch.failurePolicy", "Unsupported value: \"Fail\""),
        invalid("unknown hook event", set("spec.hooks", Map.of("afterSwitch",
            Map.of("url", "https://hooks.example.com/post"))), "spec.hooks.afterSwitch",
            "unknown field"),
        invalid("paused is text", set("spec.paused", "yes"), "spec.paused",
            "must be of type boolean"),
        invalid("unknown field in spec", set("spec.replicas", 3), "spec.replicas",
            "unknown field"),
        invalid("unknown field in template", set("spec.template.ami", "ami-0123456789abcdef0"),
            "spec.template.ami", "unknown field"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidReleases")
  void apiServerRefusesInvalidRelease(String description, Consumer<Map<String, Object>> change,
      String field, String message, KubernetesClient client) throws IOException {
    Map<String, Object> manifest = minimalManifest();
    change.accept(manifest);
    var release = Serialization.unmarshal(Serialization.asJson(manifest),
        GenericKubernetesResource.class);

    var refused = catchThrowableOfType(KubernetesClientException.class,
        () -> client.resource(release).inNamespace(NAMESPACE)
            .dryRun().fieldValidation(FieldValidateable.Validation.STRICT).create());

    assertThat(refused).as("%s must be refused", description).isNotNull();
    assertThat(problems(refused)).as("what the API server said")
        .anySatisfy(p -> assertThat(p).contains(field).contains(message));
  }

  /** "field: message" for each cause, or the whole message when the server gave no causes. */
  private static List<String> problems(KubernetesClientException e) {
    var problems = new ArrayList<String>();
    if (e.getStatus() != null && e.getStatus().getDetails() != null) {
      for (StatusCause cause : e.getStatus().getDetails().getCauses()) {
        problems.add(cause.getField() + ": " + cause.getMessage());
      }
    }
    if (problems.isEmpty()) {
      problems.add(e.getMessage());
    }
    return problems;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> minimalManifest() throws IOException {
    return Serialization.unmarshal(Files.readString(SAMPLES.resolve("release-minimal.yaml")),
        LinkedHashMap.class);
  }

  private static Arguments invalid(String description, Consumer<Map<String, Object>> change,
      String field, String message) {
    return Arguments.of(description, change, field, message);
  }

  /** spec.drain with this timeout and, unless null, this http call. */
  private static Map<String, Object> drain(String timeout, Map<String, Object> http) {
    Map<String, Object> drain = new LinkedHashMap<>();
    drain.put("timeout", timeout);
    if (http != null) {
      drain.put("http", http);
    }
    return drain;
  }

  private static Consumer<Map<String, Object>> set(String path, Object value) {
    return manifest -> parentOf(manifest, path).put(leaf(path), value);
  }

  private static Consumer<Map<String, Object>> remove(String path) {
    return manifest -> parentOf(manifest, path).remove(leaf(path));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parentOf(Map<String, Object> manifest, String path) {
    Map<String, Object> node = manifest;
    String[] parts = path.split("\\.");
    for (int i = 0; i < parts.length - 1; i++) {
      node = (Map<String, Object>) node.computeIfAbsent(parts[i], k -> new LinkedHashMap<>());
    }
    return node;
  }

  private static String leaf(String path) {
    return path.substring(path.lastIndexOf('.') + 1);
  }
}
