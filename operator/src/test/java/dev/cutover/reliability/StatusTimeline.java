package dev.cutover.reliability;

import dev.cutover.api.ActionError;
import dev.cutover.api.Release;
import dev.cutover.api.ReleaseStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every status of one Release as the API server stored it (a watch), in order: to check what
 * status said during a run (each failed action recorded in {@code status.errors}) and to
 * show, when a run fails, how status got where it is.
 */
final class StatusTimeline implements AutoCloseable {

  /** One stored status, condensed. */
  record Entry(Instant at, String resourceVersion, String summary, ActionError lastError) {}

  private final List<Entry> entries = new CopyOnWriteArrayList<>();
  private final Watch watch;

  StatusTimeline(KubernetesClient client, String namespace, String name) {
    watch = client.resources(Release.class).inNamespace(namespace).withName(name)
        .watch(new Watcher<>() {
          @Override
          public void eventReceived(Action action, Release release) {
            ReleaseStatus s = release.getStatus();
            if (s == null) {
              return;
            }
            String summary = action + " gen " + release.getMetadata().getGeneration()
                + " observed " + s.observedGeneration + " " + s.phase
                + " active " + (s.activeFleet == null ? "-" : s.activeFleet.version)
                + " staging " + (s.stagingFleet == null ? "-" : s.stagingFleet.version)
                + " retained " + (s.previousFleet == null ? "-" : s.previousFleet.version)
                + " held " + (s.heldFleets == null ? 0 : s.heldFleets.size())
                + " intent " + (s.intent == null ? "-" : Invariants.describe(s.intent))
                + " history " + (s.history == null ? "[]" : s.history.stream()
                    .map(h -> h.from + "->" + h.to + " " + h.reason).toList())
                + " errors " + (s.errors == null ? "-" : s.errors.stream()
                    .map(e -> e.action + " " + e.code + " x" + e.attempts + " retryAt "
                        + e.retryAt).toList());
            if (entries.isEmpty()
                || !entries.get(entries.size() - 1).summary().equals(summary)) {
              entries.add(new Entry(Instant.now(), release.getMetadata().getResourceVersion(),
                  summary, s.errors == null || s.errors.isEmpty() ? null
                      : s.errors.get(s.errors.size() - 1)));
            }
          }

          @Override
          public void onClose(WatcherException cause) {
            // The run ended, or the watch broke: what was seen stays.
          }
        });
  }

  List<Entry> entries() {
    return List.copyOf(entries);
  }

  /** The distinct failed actions status recorded, by EC2 operation: "code xN" each. */
  Map<String, List<String>> lastErrorsByOperation() {
    Map<String, List<String>> byOperation = new TreeMap<>();
    ActionError previous = null;
    for (Entry e : entries) {
      ActionError a = e.lastError();
      if (a != null && (previous == null || !Objects.equals(previous.at, a.at))) {
        byOperation.computeIfAbsent(String.valueOf(a.operation), k -> new java.util.ArrayList<>())
            .add(a.code + " x" + a.attempts);
      }
      previous = a;
    }
    return byOperation;
  }

  /** The recorded errors, for checks: each with action, operation, code, attempts, retryAt. */
  List<ActionError> lastErrors() {
    List<ActionError> errors = new java.util.ArrayList<>();
    for (Entry e : entries) {
      ActionError a = e.lastError();
      if (a != null && errors.stream().noneMatch(x -> Objects.equals(x.at, a.at)
          && Objects.equals(x.action, a.action))) {
        errors.add(a);
      }
    }
    return errors;
  }

  String render() {
    StringBuilder out = new StringBuilder();
    entries.forEach(e -> out.append(e.at()).append(" rv ").append(e.resourceVersion())
        .append(' ').append(e.summary()).append('\n'));
    return out.toString();
  }

  @Override
  public void close() {
    watch.close();
  }
}
