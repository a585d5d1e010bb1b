package dev.cutover.sim;

import dev.cutover.api.Release;
import dev.cutover.status.ReleaseEvents;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Events as a list, for the story and for assertions. */
final class RecordingEvents implements ReleaseEvents {

  record Event(Instant at, String type, String reason, String message) {}

  private final Clock clock;
  private final List<Event> events = new ArrayList<>();

  RecordingEvents(Clock clock) {
    this.clock = clock;
  }

  @Override
  public void normal(Release release, String reason, String message) {
    events.add(new Event(clock.instant(), "Normal", reason, message));
  }

  @Override
  public void warning(Release release, String reason, String message) {
    events.add(new Event(clock.instant(), "Warning", reason, message));
  }

  List<Event> all() {
    return events;
  }

  int size() {
    return events.size();
  }

  List<Event> since(int mark) {
    return events.subList(mark, events.size());
  }
}
