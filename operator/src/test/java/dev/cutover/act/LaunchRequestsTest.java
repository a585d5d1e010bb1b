package dev.cutover.act;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.api.InstanceTemplate;
import dev.cutover.api.Release;
import dev.cutover.decide.Action.Launch;
import dev.cutover.ec2.LaunchRequest;
import dev.cutover.ec2.LaunchTemplateVersion;
import dev.cutover.ec2.Tags;
import dev.cutover.testworld.ReleaseBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The RunInstances request a planned launch becomes, within EC2's limits. */
class LaunchRequestsTest {

  @Test
  void aHundredSlotsInOneSubnetFitTheTagLimitAndReadBack() {
    List<Integer> slots = IntStream.range(0, 100).boxed().toList();
    var request = LaunchRequests.of(release("web"), launch(slots));
    String tag = request.tags().get(Tags.SLOT);
    assertThat(tag).isEqualTo("0-99").hasSizeLessThanOrEqualTo(Tags.MAX_VALUE_LENGTH);
    for (int index = 0; index < 100; index++) {
      assertThat(Tags.slotAt(tag, index)).isEqualTo(index);
    }
  }

  @Test
  void scatteredSlotsAreListedAndRunsAreRanges() {
    assertThat(Tags.slots(List.of(1, 3, 4, 5, 6, 9, 10))).isEqualTo("1,3-6,9,10");
    assertThat(Tags.slotAt("1,3-6,9,10", 4)).isEqualTo(6);
    assertThat(Tags.slotAt("1,3-6,9,10", 6)).isEqualTo(10);
    List<Integer> everyOther = IntStream.range(0, 50).map(i -> 2 * i).boxed().toList();
    assertThat(Tags.slots(everyOther)).hasSizeLessThanOrEqualTo(Tags.MAX_VALUE_LENGTH);
  }

  @Test
  void everyTagValueFitsEvenWithALongNameAndVersion() {
    Release r = release("n".repeat(253));
    var request = LaunchRequests.of(r, new Launch("0123456789", "v".repeat(128), List.of(0),
        "subnet-1", List.of(), "Staging"));
    assertThat(request.tags().values()).allSatisfy(v ->
        assertThat(v).hasSizeLessThanOrEqualTo(Tags.MAX_VALUE_LENGTH));
  }

  /**
   * The largest Release the API server admits: 100 slots, a 253-character name in a
   * 63-character namespace, a 128-character version and 40 tags of the longest keys and values.
   * Every launch of it (one subnet, or slots spread over three) stays within EC2's tag limits;
   * moto does not enforce them, so the lengths are asserted here.
   */
  @Test
  void everyGeneratedTagOfAHundredSlotFleetWithLongNamesFits() {
    Release r = release("n".repeat(253));
    r.getMetadata().setNamespace("s".repeat(63));
    r.getSpec().fleetSize = 100;
    r.getSpec().version = "v".repeat(128);
    r.getSpec().template.tags = new LinkedHashMap<>();
    for (int i = 0; i < InstanceTemplate.MAX_TAGS; i++) {
      String suffix = String.format("%02d", i);
      r.getSpec().template.tags.put("k".repeat(128 - suffix.length()) + suffix, "v".repeat(256));
    }
    List<List<Integer>> launches = new ArrayList<>();
    launches.add(IntStream.range(0, 100).boxed().toList());
    for (int subnet = 0; subnet < 3; subnet++) {
      int first = subnet;
      launches.add(IntStream.range(0, 100).filter(i -> i % 3 == first).boxed().toList());
    }
    launches.add(IntStream.range(0, 50).map(i -> 2 * i + 1).boxed().toList());

    for (List<Integer> slots : launches) {
      var request = LaunchRequests.of(r, new Launch("0123456789", r.getSpec().version, slots,
          "subnet-1", List.of(), "Staging"));
      assertThat(request.tags()).hasSizeLessThanOrEqualTo(Tags.MAX_TAGS)
          .hasSize(InstanceTemplate.MAX_TAGS + 7);
      assertThat(request.tags()).allSatisfy((key, value) -> {
        assertThat(key).hasSizeBetween(1, Tags.MAX_KEY_LENGTH)
            .doesNotStartWithIgnoringCase(Tags.RESERVED_PREFIX);
        assertThat(value).hasSizeLessThanOrEqualTo(Tags.MAX_VALUE_LENGTH);
      });
      assertThat(request.overLimit()).isEmpty();
      for (int index = 0; index < slots.size(); index++) {
        assertThat(Tags.slotAt(request.tags().get(Tags.SLOT), index)).isEqualTo(slots.get(index));
      }
    }
    assertThat(LaunchRequests.addressTags(r)).allSatisfy((key, value) -> assertThat(value)
        .hasSizeLessThanOrEqualTo(Tags.MAX_VALUE_LENGTH));
    assertThat(Tags.beyondLimits(LaunchRequests.addressTags(r))).isEmpty();
  }

  @Test
  void userDataIsMeasuredInBytesAfterSubstitution() {
    Release r = release("web");
    // 13 characters each, 1000 times: 13000 bytes as written, as the API server admits it.
    r.getSpec().template.userData = "v=${VERSION}\n".repeat(1000);
    String shortVersion = "1.0.0";
    String longVersion = "2.0.0-rc.1+build.7";

    var fits = LaunchRequests.of(r, new Launch("0123456789", shortVersion, List.of(0),
        "subnet-1", List.of(), "Staging"));
    assertThat(fits.userDataBytes()).isEqualTo(8000);
    assertThat(fits.overLimit()).isEmpty();

    var tooLarge = LaunchRequests.of(r, new Launch("0123456789", longVersion, List.of(0),
        "subnet-1", List.of(), "Staging"));
    assertThat(tooLarge.userDataBytes()).isEqualTo(21000);
    assertThat(tooLarge.overLimit()).get().satisfies(over -> {
      assertThat(over.code()).isEqualTo("UserDataTooLarge");
      assertThat(over.message()).isEqualTo("userData is 21000 bytes after ${VERSION}, "
          + "${RELEASE}, ${FLEET} and ${SLOT} are substituted; EC2 accepts at most 16384 bytes "
          + "(before base64).");
    });
  }

  @Test
  void userDataOfExactly16KiBInMultiByteCharactersFitsAndOneMoreByteDoesNot() {
    Release r = release("web");
    r.getSpec().template.userData = "\u00e9".repeat(8192);
    assertThat(LaunchRequests.of(r, launch(List.of(0))).overLimit()).isEmpty();
    r.getSpec().template.userData = "\u00e9".repeat(8192) + "x";
    assertThat(LaunchRequests.of(r, launch(List.of(0))).overLimit()).get()
        .extracting(LaunchRequest.OverLimit::code).isEqualTo("UserDataTooLarge");
  }

  @Test
  void tagsEc2WouldRefuseAreFoundBeforeLaunch() {
    assertThat(Tags.beyondLimits(Map.of("AWS:cloudformation:stack-name", "x"))).get()
        .asString().contains("starts with aws:, which is reserved for AWS");
    assertThat(Tags.beyondLimits(Map.of("aws:x", "x"))).isPresent();
    assertThat(Tags.beyondLimits(Map.of("k".repeat(129), "x"))).get().asString()
        .contains("is not 1 to 128 characters long");
    assertThat(Tags.beyondLimits(Map.of("", "x"))).isPresent();
    assertThat(Tags.beyondLimits(Map.of("team", "v".repeat(257)))).get().asString()
        .isEqualTo("the value of tag team is longer than 256 characters");
    Map<String, String> many = new LinkedHashMap<>();
    IntStream.range(0, 51).forEach(i -> many.put("k" + i, "v"));
    assertThat(Tags.beyondLimits(many)).get().asString()
        .isEqualTo("51 tags, more than EC2's 50 per resource");
    many.remove("k50");
    assertThat(Tags.beyondLimits(many)).isEmpty();
    // Characters, not UTF-16 units: 128 emoji are a valid key.
    assertThat(Tags.beyondLimits(Map.of("\uD83D\uDE80".repeat(128), "x"))).isEmpty();
    assertThat(Tags.beyondLimits(Map.of("awsome", "x"))).isEmpty();

    Release r = release("web");
    r.getSpec().template.tags = Map.of("Aws:team", "web");
    assertThat(LaunchRequests.of(r, launch(List.of(0))).overLimit()).get()
        .extracting(LaunchRequest.OverLimit::code).isEqualTo("InvalidTags");
  }

  @Test
  void theTokenNamesFleetSlotsAndReplacedInstancesOnly() {
    Release r = release("web");
    String first = LaunchRequests.of(r, launch(List.of(0, 1))).clientToken();
    r.getMetadata().setGeneration(9L);
    assertThat(LaunchRequests.of(r, launch(List.of(0, 1))).clientToken()).isEqualTo(first)
        .hasSizeLessThanOrEqualTo(64);
    assertThat(LaunchRequests.of(r, new Launch("0123456789", "1.0.0", List.of(0, 1),
        "subnet-1", List.of("i-dead"), "Relaunched")).clientToken()).isNotEqualTo(first);
  }

  @Test
  void imdsV2IsRequiredUnlessTheReleaseOrItsLaunchTemplateSaysOtherwise() {
    Release r = release("web");
    assertThat(LaunchRequests.of(r, launch(List.of(0))).options().metadata().httpTokens)
        .isEqualTo("required");
    LaunchTemplateVersion saysOptional = new LaunchTemplateVersion("lt-0123456789abcdef0",
        "web", 3, null, null, "optional");
    var fromTemplate = LaunchRequests.of(r, new Launch("0123456789", "1.0.0", List.of(0),
        "subnet-1", List.of(), "Staging", "", null, saysOptional));
    assertThat(fromTemplate.options().metadata()).isNull();
    assertThat(fromTemplate.options().launchTemplateId()).isEqualTo("lt-0123456789abcdef0");
    assertThat(fromTemplate.options().launchTemplateVersion()).isEqualTo("3");
    var options = new dev.cutover.api.MetadataOptions();
    options.httpTokens = "optional";
    options.httpPutResponseHopLimit = 2;
    r.getSpec().template.metadataOptions = options;
    var given = LaunchRequests.of(r, launch(List.of(0))).options().metadata();
    assertThat(given.httpTokens).isEqualTo("optional");
    assertThat(given.httpPutResponseHopLimit).isEqualTo(2);
  }

  @Test
  void volumesPlacementAndMonitoringGoAsTheTemplateSays() {
    Release r = release("web");
    var device = new dev.cutover.api.BlockDevice();
    device.deviceName = "/dev/xvda";
    device.ebs = new dev.cutover.api.EbsVolume();
    device.ebs.volumeSize = 30;
    device.ebs.volumeType = "gp3";
    device.ebs.encrypted = true;
    r.getSpec().template.blockDevices = List.of(device);
    r.getSpec().template.placement = new dev.cutover.api.Placement();
    r.getSpec().template.placement.tenancy = "dedicated";
    r.getSpec().template.detailedMonitoring = true;
    var options = LaunchRequests.of(r, launch(List.of(0))).options();
    assertThat(options.blockDevices()).singleElement()
        .satisfies(d -> assertThat(d.ebs.volumeSize).isEqualTo(30));
    assertThat(options.placement().tenancy).isEqualTo("dedicated");
    assertThat(options.detailedMonitoring()).isTrue();
    assertThat(options.fromLaunchTemplate()).isFalse();
  }

  @Test
  void aFallbackTypeIsANewTokenAndThePreferredTypeKeepsTheOldOne() {
    Release r = release("web");
    String before = LaunchRequests.of(r, launch(List.of(0, 1))).clientToken();
    r.getSpec().template.instanceType = null;
    r.getSpec().template.instanceTypes = List.of("t3.large", "m5.large");
    var preferred = LaunchRequests.of(r, typed(List.of(0, 1), "t3.large"));
    var fallback = LaunchRequests.of(r, typed(List.of(0, 1), "m5.large"));
    assertThat(preferred.clientToken()).isEqualTo(before);
    assertThat(preferred.instanceType()).isEqualTo("t3.large");
    assertThat(fallback.clientToken()).isNotEqualTo(before);
    assertThat(fallback.instanceType()).isEqualTo("m5.large");
  }

  private static Launch typed(List<Integer> slots, String type) {
    return new Launch("0123456789", "1.0.0", slots, "subnet-1", List.of(), "Staging", "", type,
        null);
  }

  private static Launch launch(List<Integer> slots) {
    return new Launch("0123456789", "1.0.0", slots, "subnet-1", List.of(), "Staging");
  }

  private static Release release(String name) {
    Release r = ReleaseBuilder.named(name).build();
    r.getMetadata().setNamespace("shop");
    r.getMetadata().setUid("5b1c7d2e-0000-4000-8000-000000000001");
    r.getMetadata().setGeneration(1L);
    return r;
  }
}
