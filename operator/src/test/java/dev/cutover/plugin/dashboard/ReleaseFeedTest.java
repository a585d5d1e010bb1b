package dev.cutover.plugin.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.MicroTime;
import org.junit.jupiter.api.Test;

/** How the timeline reads an Event, whichever way its writer counted repetitions. */
class ReleaseFeedTest {

  private static EventBuilder aboutRelease() {
    return new EventBuilder().withNewMetadata().withName("e").withNamespace("shop")
        .withCreationTimestamp("2026-11-28T10:00:00Z").endMetadata()
        .withNewInvolvedObject().withApiVersion("cutover.dev/v1alpha1").withKind("Release")
        .withName("storefront").endInvolvedObject();
  }

  @Test
  void anEventCountedTheOldWayShowsItsCountAndLastTime() {
    Event event = aboutRelease().withCount(4).withFirstTimestamp("2026-11-28T10:00:00Z")
        .withLastTimestamp("2026-11-28T10:05:00Z").build();
    assertThat(ReleaseFeed.count(event)).isEqualTo(4);
    assertThat(ReleaseFeed.firstSeen(event)).isEqualTo("2026-11-28T10:00:00Z");
    assertThat(ReleaseFeed.lastSeen(event)).isEqualTo("2026-11-28T10:05:00Z");
  }

  @Test
  void anEventWithASeriesShowsTheSeries() {
    Event event = aboutRelease().withEventTime(new MicroTime("2026-11-28T10:00:00.000000Z"))
        .withNewSeries().withCount(7)
        .withLastObservedTime(new MicroTime("2026-11-28T10:09:00.000000Z")).endSeries().build();
    assertThat(ReleaseFeed.count(event)).isEqualTo(7);
    assertThat(ReleaseFeed.firstSeen(event)).isEqualTo("2026-11-28T10:00:00.000000Z");
    assertThat(ReleaseFeed.lastSeen(event)).isEqualTo("2026-11-28T10:09:00.000000Z");
  }

  @Test
  void anEventWithoutTimesOrCountIsOnceAtItsCreation() {
    Event event = aboutRelease().build();
    assertThat(ReleaseFeed.count(event)).isEqualTo(1);
    assertThat(ReleaseFeed.lastSeen(event)).isEqualTo("2026-11-28T10:00:00Z");
  }

  @Test
  void onlyEventsAboutCutoverReleasesAreShown() {
    assertThat(ReleaseFeed.aboutARelease(aboutRelease().build())).isTrue();
    assertThat(ReleaseFeed.aboutARelease(aboutRelease().editInvolvedObject()
        .withApiVersion("other.example/v1").endInvolvedObject().build())).isFalse();
    assertThat(ReleaseFeed.aboutARelease(aboutRelease().editInvolvedObject()
        .withKind("HelmRelease").endInvolvedObject().build())).isFalse();
  }
}
