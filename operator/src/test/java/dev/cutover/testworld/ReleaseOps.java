package dev.cutover.testworld;

import dev.cutover.api.Phase;
import dev.cutover.api.Release;
import dev.cutover.status.StatusBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * What integration tests do with the Releases of one namespace: create, change, wait for a
 * state, delete, read their events; and how they read a Release's status.
 */
public final class ReleaseOps {

  private final KubernetesClient client;
  private final String namespace;

  public ReleaseOps(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /** The Releases of {@code namespace}, through the test world's client. */
  public static ReleaseOps in(String namespace) {
    return new ReleaseOps(TestWorld.client(), namespace);
  }

  public String namespace() {
    return namespace;
  }

  /** The Release as Cutover's instance tags name it: namespace/name. */
  public String key(String name) {
    return namespace + "/" + name;
  }

  private NonNamespaceOperation<Release, KubernetesResourceList<Release>, Resource<Release>>
      releases() {
    return client.resources(Release.class).inNamespace(namespace);
  }

  public Release create(Release release) {
    return releases().resource(release).create();
  }

  /** The Release now, or null. */
  public Release get(String name) {
    return releases().withName(name).get();
  }

  public List<Release> list() {
    return releases().list().getItems();
  }

  /** Applies {@code change} to the current Release, again on a conflict. */
  public void update(String name, Consumer<Release> change) {
    Awaitility.await().atMost(Patience.LONG).ignoreExceptions().until(() -> {
      Release current = get(name);
      change.accept(current);
      releases().resource(current).update();
      return true;
    });
  }

  /** Waits until the Release exists and satisfies {@code until}; returns it then. */
  public Release await(String name, Predicate<Release> until) {
    return Awaitility.await().atMost(Patience.LONG)
        .until(() -> get(name), r -> r != null && until.test(r));
  }

  /** Waits until the Release's status describes its spec in {@code phase}, and {@code also}. */
  public Release awaitPhase(String name, Phase phase, Predicate<Release> also) {
    return await(name, r -> inPhase(r, phase) && also.test(r));
  }

  /** Waits until {@code version} serves production at full size (see {@link #live}). */
  public Release awaitLive(String name, String version) {
    return await(name, r -> live(r, version));
  }

  public void delete(String name) {
    releases().withName(name).delete();
  }

  public void awaitGone(String name, Duration patience) {
    Awaitility.await().atMost(patience).until(() -> get(name) == null);
  }

  /** Deletes every Release and waits until they are gone: an operator must be running. */
  public void deleteAll() {
    releases().delete();
    Awaitility.await().atMost(Patience.LONG).until(() -> list().isEmpty());
  }

  /** Deletes every Release, finalizers removed first: for when no operator runs anymore. */
  public void removeAll() {
    Awaitility.await().atMost(Patience.LONG).ignoreExceptions().until(() -> {
      for (Release r : list()) {
        releases().withName(r.getMetadata().getName()).edit(x -> {
          x.getMetadata().setFinalizers(List.of());
          return x;
        });
        releases().withName(r.getMetadata().getName()).delete();
      }
      return list().isEmpty();
    });
  }

  /** The reasons of the events about the Release, oldest first. */
  public List<String> eventReasons(String name) {
    return events(name).stream().map(Event::getReason).toList();
  }

  /** The messages of the events about the Release, oldest first. */
  public List<String> eventMessages(String name) {
    return events(name).stream().map(Event::getMessage).toList();
  }

  /** The Warning events about the Release, each as "reason: message". */
  public List<String> warnings(String name) {
    return events(name).stream().filter(e -> "Warning".equals(e.getType()))
        .map(e -> e.getReason() + ": " + e.getMessage()).toList();
  }

  /**
   * Every occurrence of an event about the Release, oldest first: a repeated Event is one
   * object whose count says how often it happened (status/EventRecorder), listed here that
   * many times.
   */
  private List<Event> events(String name) {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .flatMap(e -> java.util.Collections.nCopies(e.getCount() == null || e.getCount() < 1
            ? 1 : e.getCount(), e).stream())
        .toList();
  }

  // ------------------------------------------------------------------ reading a status

  /** Status describes the current spec and says {@code phase}. */
  public static boolean inPhase(Release r, Phase phase) {
    return r.getStatus() != null && r.getStatus().phase == phase
        && Long.valueOf(r.getMetadata().getGeneration()).equals(r.getStatus().observedGeneration);
  }

  /** {@code version} serves production at full size: Live and Ready. */
  public static boolean live(Release r, String version) {
    return inPhase(r, Phase.Live) && active(r, version) && ready(r);
  }

  /** The active fleet runs {@code version}. */
  public static boolean active(Release r, String version) {
    return r.getStatus().activeFleet != null && version.equals(r.getStatus().activeFleet.version);
  }

  public static boolean ready(Release r) {
    return isTrue(r, StatusBuilder.READY);
  }

  public static boolean stalled(Release r) {
    return isTrue(r, StatusBuilder.STALLED);
  }

  public static boolean isTrue(Release r, String conditionType) {
    var c = StatusBuilder.find(r.getStatus(), conditionType);
    return c != null && "True".equals(c.getStatus());
  }

  public static String reason(Release r, String conditionType) {
    var c = StatusBuilder.find(r.getStatus(), conditionType);
    return c == null ? null : c.getReason();
  }
}
