package dev.cutover.act;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.api.Release;
import dev.cutover.decide.Action.Launch;
import dev.cutover.ec2.Tags;
import dev.cutover.testworld.ReleaseBuilder;
import java.util.List;
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
