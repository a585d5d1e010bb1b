package dev.cutover.plugin;

import io.fabric8.kubernetes.api.model.Event;
import java.time.Instant;

/** When an Event last happened and how often, whichever fields its writer filled in. */
final class Events {

  private Events() {}

  static Instant at(Event e) {
    if (e.getSeries() != null && e.getSeries().getLastObservedTime() != null) {
      Instant t = Times.parse(e.getSeries().getLastObservedTime().getTime());
      if (t != null) {
        return t;
      }
    }
    for (String t : new String[] {e.getLastTimestamp(),
        e.getEventTime() == null ? null : e.getEventTime().getTime(), e.getFirstTimestamp(),
        e.getMetadata() == null ? null : e.getMetadata().getCreationTimestamp()}) {
      Instant parsed = Times.parse(t);
      if (parsed != null) {
        return parsed;
      }
    }
    return null;
  }

  static int count(Event e) {
    int count = e.getCount() == null ? 1 : e.getCount();
    if (e.getSeries() != null && e.getSeries().getCount() != null) {
      count = Math.max(count, e.getSeries().getCount());
    }
    return count;
  }

  /**
   * The order in which Events of the same second were written: their resourceVersion, which the
   * API server takes from etcd's revision. Kubernetes does not promise it is a number, so it
   * only breaks ties, and one that is not a number counts as written last.
   */
  static long order(Event e) {
    String version = e.getMetadata() == null ? null : e.getMetadata().getResourceVersion();
    if (version != null && version.matches("[0-9]{1,18}")) {
      return Long.parseLong(version);
    }
    return Long.MAX_VALUE;
  }

  /** Whether the Event is about the Release {@code name}. */
  static boolean about(Event e, String name) {
    var o = e.getInvolvedObject();
    return o != null && "Release".equals(o.getKind()) && name.equals(o.getName())
        && (o.getApiVersion() == null || o.getApiVersion().startsWith("cutover.dev/"));
  }
}
