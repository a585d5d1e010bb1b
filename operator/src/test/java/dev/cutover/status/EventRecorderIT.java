package dev.cutover.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.cutover.api.Release;
import dev.cutover.sim.SimClock;
import dev.cutover.testworld.Crds;
import dev.cutover.testworld.KubeControlPlane;
import dev.cutover.testworld.Namespaces;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.TestWorld;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Events on the real API server: a repeated Event is one object whose count and lastTimestamp
 * move on (what {@code kubectl describe} shows as "(x6 over ...)"), another message or type is
 * another object, and a restarted operator goes on counting the Event it created before.
 */
@ExtendWith(TestWorld.class)
class EventRecorderIT {

  static final String REFUSED = "EC2 RunInstances failed (InvalidAMIID.NotFound): The image id "
      + "'[ami-0123456789abcdef0]' does not exist. Trying again at 2026-11-27T12:05:00Z.";

  private String namespace;
  private Release release;

  @BeforeEach
  void aRelease(KubernetesClient client) {
    Crds.installReleaseCrd(client);
    namespace = Namespaces.fresh("events");
    release = client.resources(Release.class).inNamespace(namespace)
        .resource(ReleaseBuilder.named("storefront").build()).create();
  }

  @Test
  void aRepeatedEventIsOneObjectWithItsCountAndARestartCountsOn(KubernetesClient client,
      KubeControlPlane kube) {
    Instant start = Instant.now().minus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.SECONDS);
    SimClock clock = new SimClock(start);
    EventRecorder recorder = new EventRecorder(client, clock);
    for (int i = 0; i < 5; i++) {
      recorder.warning(release, "InvalidAMIIDNotFound", REFUSED);
      clock.advance(Duration.ofSeconds(30));
    }

    Event refused = single(events(client));
    assertThat(refused.getCount()).isEqualTo(5);
    assertThat(refused.getFirstTimestamp()).isEqualTo(start.toString());
    assertThat(refused.getLastTimestamp()).isEqualTo(start.plusSeconds(120).toString());
    assertThat(refused.getType()).isEqualTo("Warning");
    assertThat(refused.getInvolvedObject().getUid()).isEqualTo(release.getMetadata().getUid());

    recorder.warning(release, "InvalidAMIIDNotFound", REFUSED.replace("12:05", "12:10"));
    recorder.normal(release, "InvalidAMIIDNotFound", REFUSED);
    List<Event> three = events(client);
    assertThat(three).as("another message, another type: other objects").hasSize(3);
    assertThat(three).filteredOn(e -> e != null && !e.getMetadata().getName()
        .equals(refused.getMetadata().getName())).allSatisfy(e ->
            assertThat(e.getCount()).isEqualTo(1));

    // A new process remembers nothing: it finds the Event by its name and counts on.
    EventRecorder restarted = new EventRecorder(client, clock);
    restarted.warning(release, "InvalidAMIIDNotFound", REFUSED);
    List<Event> after = events(client);
    assertThat(after).hasSize(3);
    Event counted = after.stream().filter(e -> e.getMetadata().getName()
        .equals(refused.getMetadata().getName())).findFirst().orElseThrow();
    assertThat(counted.getCount()).isEqualTo(6);
    assertThat(counted.getFirstTimestamp()).isEqualTo(start.toString());

    String described = kube.kubectl("describe", "release", "storefront", "-n", namespace);
    assertThat(described).as("kubectl describe:\n%s", described)
        .contains("(x6 over").contains("InvalidAMIIDNotFound");
  }

  @Test
  void twoProcessesCountingOneEventLoseNoCountAndTwoShardsKeepTheirOwn(
      KubernetesClient client) {
    SimClock clock = new SimClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    EventRecorder first = new EventRecorder(client, clock, "cutover-operator-a");
    EventRecorder second = new EventRecorder(client, clock, "cutover-operator-a");
    first.normal(release, "Launched", "Staging: launched 2 instances for 2.0.0");
    second.normal(release, "Launched", "Staging: launched 2 instances for 2.0.0");
    second.normal(release, "Launched", "Staging: launched 2 instances for 2.0.0");
    // The first remembers count 1 and the version it wrote: its patch is refused as stale, it
    // reads the count the second left and counts on from it instead of writing 2 over 3.
    first.normal(release, "Launched", "Staging: launched 2 instances for 2.0.0");
    assertThat(single(events(client)).getCount()).isEqualTo(4);

    // Another shard repeating the same (the slots it launches after a takeover): its own Event,
    // named for it, the first shard's count untouched.
    EventRecorder otherShard = new EventRecorder(client, clock, "cutover-operator-b");
    otherShard.normal(release, "Launched", "Staging: launched 2 instances for 2.0.0");
    List<Event> both = events(client);
    assertThat(both).hasSize(2);
    assertThat(both).extracting(Event::getReportingInstance, Event::getCount)
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("cutover-operator-a", 4),
            org.assertj.core.groups.Tuple.tuple("cutover-operator-b", 1));
  }

  @Test
  void anEventDeletedMeanwhileIsCreatedAnew(KubernetesClient client) {
    EventRecorder recorder = new EventRecorder(client, new SimClock(Instant.now()));
    recorder.normal(release, "Promoted", "Promoted: moved 203.0.113.7 from 1.0.0 to 2.0.0");
    recorder.normal(release, "Promoted", "Promoted: moved 203.0.113.7 from 1.0.0 to 2.0.0");
    client.v1().events().inNamespace(namespace).delete();
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> events(client).isEmpty());

    recorder.normal(release, "Promoted", "Promoted: moved 203.0.113.7 from 1.0.0 to 2.0.0");
    assertThat(single(events(client)).getCount()).isEqualTo(1);
  }

  @Test
  void recordingNeverThrowsIntoTheReconcile(KubernetesClient client) {
    Release elsewhere = ReleaseBuilder.named("ghost").build();
    elsewhere.getMetadata().setNamespace("no-such-namespace");
    elsewhere.getMetadata().setUid("5b1c7d2e-0000-4000-8000-00000000abcd");
    EventRecorder recorder = new EventRecorder(client, new SimClock(Instant.now()));
    assertThatCode(() -> recorder.warning(elsewhere, "Failed", "refused by the API server"))
        .doesNotThrowAnyException();
    assertThat(client.v1().events().inNamespace("no-such-namespace").list().getItems())
        .isEmpty();
  }

  private List<Event> events(KubernetesClient client) {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> release.getMetadata().getUid().equals(e.getInvolvedObject().getUid()))
        .sorted(Comparator.comparing(e -> e.getMetadata().getName())).toList();
  }

  private static Event single(List<Event> events) {
    assertThat(events).hasSize(1);
    return events.get(0);
  }
}
