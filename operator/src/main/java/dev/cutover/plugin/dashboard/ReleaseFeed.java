package dev.cutover.plugin.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cutover.api.Release;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The Releases and their Events, watched with the user's kubeconfig: two fabric8 informers (a
 * list, then a watch that the informer resumes by itself), whose every change is passed on to
 * the pages that are open. Events are watched with a field selector on
 * {@code involvedObject.kind=Release}, so the other Events of the cluster never reach this
 * process.
 */
final class ReleaseFeed implements ReleaseSource, AutoCloseable {

  /** Events per Release in a snapshot: the newest. */
  static final int EVENTS_PER_RELEASE = 50;

  private static final long START_TIMEOUT_SECONDS = 30;
  private static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  /** Which Releases are shown: one namespace, or all (null). */
  record Scope(String namespace, String context, String server, String note) {
    String describe() {
      return namespace == null ? "all namespaces" : "namespace " + namespace;
    }
  }

  private final KubernetesClient client;
  private final ObjectMapper json = new ObjectMapper();
  private final Object lock = new Object();
  private final Set<Consumer<Message>> listeners = new CopyOnWriteArraySet<>();
  private SharedIndexInformer<Release> releases;
  private SharedIndexInformer<Event> events;
  private Scope scope;
  private String eventsNote;

  private ReleaseFeed(KubernetesClient client) {
    this.client = client;
  }

  /**
   * Lists and watches the Releases of {@code namespace} (null: every namespace the user may
   * list; when that is forbidden and no namespace was asked for, the kubeconfig's namespace),
   * and their Events when the user may list those. Returns once both lists are in.
   *
   * @throws KubernetesClientException when the Releases cannot be listed at all
   */
  static ReleaseFeed start(KubernetesClient client, String namespace) {
    ReleaseFeed feed = new ReleaseFeed(client);
    try {
      feed.startInformers(namespace);
      return feed;
    } catch (RuntimeException e) {
      feed.close();
      throw e;
    }
  }

  private void startInformers(String namespace) {
    String context = client.getConfiguration().getCurrentContext() == null ? null
        : client.getConfiguration().getCurrentContext().getName();
    String server = client.getConfiguration().getMasterUrl();
    String note = null;
    if (namespace == null && !mayWatch(Release.GROUP, "releases", null)) {
      // Many users may read only their own namespace: show that one rather than nothing.
      String fallback = client.getNamespace() == null ? "default" : client.getNamespace();
      note = "You may not list Releases in all namespaces; showing namespace " + fallback
          + " (choose another with -n).";
      namespace = fallback;
    }
    releases = started(namespace == null
        ? client.resources(Release.class).inAnyNamespace().runnableInformer(0)
        : client.resources(Release.class).inNamespace(namespace).runnableInformer(0),
        releaseHandler());
    scope = new Scope(namespace, context, server, note);
    if (!mayWatch("", "events", namespace)) {
      eventsNote = "Events are not shown: you may not list and watch events in "
          + scope.describe() + ".";
      return;
    }
    try {
      var selected = namespace == null ? client.v1().events().inAnyNamespace()
          : client.v1().events().inNamespace(namespace);
      events = started(selected.withField("involvedObject.kind", "Release").runnableInformer(0),
          eventHandler());
    } catch (KubernetesClientException e) {
      events = null;
      eventsNote = "Events are not shown: " + reason(e);
    }
  }

  /**
   * Whether the user may list and watch {@code resource} in {@code namespace} (null: every
   * namespace), as the API server's authorizer answers: asked first, so that a refusal is a
   * choice made here rather than a failed watch. When the question itself fails, the answer is
   * yes and the watch finds out.
   */
  private boolean mayWatch(String group, String resource, String namespace) {
    for (String verb : List.of("list", "watch")) {
      try {
        var review = client.authorization().v1().selfSubjectAccessReview().create(
            new SelfSubjectAccessReviewBuilder().withNewSpec().withNewResourceAttributes()
                .withGroup(group).withResource(resource).withVerb(verb)
                .withNamespace(namespace).endResourceAttributes().endSpec().build());
        if (review.getStatus() != null && !Boolean.TRUE.equals(review.getStatus().getAllowed())) {
          return false;
        }
      } catch (KubernetesClientException e) {
        return true;
      }
    }
    return true;
  }

  private static <T> SharedIndexInformer<T> started(SharedIndexInformer<T> informer,
      ResourceEventHandler<T> handler) {
    // A refusal before the first list is final (wrong namespace, no permission): fail now.
    // After it, the informer retries a broken watch by itself.
    informer.exceptionHandler((isStarted, t) -> isStarted);
    informer.addEventHandler(handler);
    CompletionStage<Void> synced = informer.start();
    try {
      synced.toCompletableFuture().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      return informer;
    } catch (ExecutionException e) {
      informer.stop();
      if (e.getCause() instanceof KubernetesClientException k) {
        throw k;
      }
      throw new KubernetesClientException(e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      informer.stop();
      throw new KubernetesClientException("no answer from the API server within "
          + START_TIMEOUT_SECONDS + " s");
    } catch (InterruptedException e) {
      informer.stop();
      Thread.currentThread().interrupt();
      throw new KubernetesClientException("interrupted while listing");
    }
  }

  static String reason(KubernetesClientException e) {
    if (e.getStatus() != null && e.getStatus().getMessage() != null) {
      return e.getStatus().getMessage();
    }
    return e.getMessage();
  }

  Scope scope() {
    return scope;
  }

  /** Completes when the Release watch has stopped for good. */
  CompletionStage<Void> stopped() {
    return releases == null ? CompletableFuture.completedFuture(null) : releases.stopped();
  }

  @Override
  public void close() {
    if (events != null) {
      events.stop();
    }
    if (releases != null) {
      releases.stop();
    }
  }

  // ------------------------------------------------------------------ ReleaseSource

  @Override
  public String snapshot() {
    synchronized (lock) {
      return snapshotJson();
    }
  }

  @Override
  public AutoCloseable subscribe(Consumer<Message> listener) {
    synchronized (lock) {
      listener.accept(new Message("snapshot", snapshotJson()));
      listeners.add(listener);
    }
    return () -> listeners.remove(listener);
  }

  private void publish(String event, Object body) {
    synchronized (lock) {
      if (listeners.isEmpty()) {
        return;
      }
      Message message = new Message(event, write(body));
      listeners.forEach(l -> l.accept(message));
    }
  }

  private String snapshotJson() {
    ObjectNode root = json.createObjectNode();
    ObjectNode scopeNode = root.putObject("scope");
    scopeNode.put("namespace", scope.namespace());
    scopeNode.put("description", scope.describe());
    scopeNode.put("context", scope.context());
    scopeNode.put("server", scope.server());
    scopeNode.put("note", scope.note());
    root.put("eventsNote", eventsNote);
    ArrayNode list = root.putArray("releases");
    releases.getStore().list().stream()
        .sorted(Comparator.comparing((Release r) -> r.getMetadata().getNamespace())
            .thenComparing(r -> r.getMetadata().getName()))
        .forEach(r -> list.add(releaseJson(r)));
    ArrayNode eventList = root.putArray("events");
    if (events != null) {
      Map<String, List<Event>> byRelease = events.getStore().list().stream()
          .filter(ReleaseFeed::aboutARelease)
          .collect(Collectors.groupingBy(e -> e.getMetadata().getNamespace() + "/"
              + e.getInvolvedObject().getName(), LinkedHashMap::new, Collectors.toList()));
      for (List<Event> ofOne : byRelease.values()) {
        List<Event> sorted = new ArrayList<>(ofOne);
        sorted.sort(Comparator.comparing(ReleaseFeed::lastSeen).reversed());
        sorted.stream().limit(EVENTS_PER_RELEASE).forEach(e -> eventList.add(eventJson(e)));
      }
    }
    return write(root);
  }

  private String write(Object node) {
    try {
      return json.writeValueAsString(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------ what the page gets

  /** The Release as the API serves it, without the bookkeeping a page has no use for. */
  ObjectNode releaseJson(Release release) {
    ObjectNode node = client.getKubernetesSerialization().convertValue(release, ObjectNode.class);
    if (node.get("metadata") instanceof ObjectNode metadata) {
      metadata.remove("managedFields");
      if (metadata.get("annotations") instanceof ObjectNode annotations) {
        annotations.remove(LAST_APPLIED);
      }
    }
    return node;
  }

  /** An Event as the timeline shows it: repeated ones counted, whichever API wrote them. */
  ObjectNode eventJson(Event event) {
    ObjectNode node = json.createObjectNode();
    node.put("uid", event.getMetadata().getUid());
    node.put("namespace", event.getMetadata().getNamespace());
    node.put("release", event.getInvolvedObject().getName());
    node.put("type", event.getType());
    node.put("reason", event.getReason());
    node.put("message", event.getMessage());
    node.put("count", count(event));
    node.put("first", firstSeen(event));
    node.put("last", lastSeen(event));
    String component = event.getReportingComponent() != null
        && !event.getReportingComponent().isEmpty() ? event.getReportingComponent()
        : event.getSource() == null ? null : event.getSource().getComponent();
    node.put("component", component);
    // Event times have whole seconds: the order of writing breaks ties (the API server's
    // resourceVersion grows with every write, although clients may not rely on its form).
    node.put("order", event.getMetadata().getResourceVersion());
    return node;
  }

  static boolean aboutARelease(Event event) {
    var involved = event.getInvolvedObject();
    return involved != null && "Release".equals(involved.getKind())
        && involved.getApiVersion() != null
        && involved.getApiVersion().startsWith(Release.GROUP + "/");
  }

  static int count(Event event) {
    if (event.getSeries() != null && event.getSeries().getCount() != null) {
      return event.getSeries().getCount();
    }
    return event.getCount() == null ? 1 : event.getCount();
  }

  static String firstSeen(Event event) {
    return firstNonEmpty(event.getFirstTimestamp(),
        event.getEventTime() == null ? null : event.getEventTime().getTime(),
        event.getMetadata().getCreationTimestamp());
  }

  static String lastSeen(Event event) {
    return firstNonEmpty(
        event.getSeries() == null || event.getSeries().getLastObservedTime() == null ? null
            : event.getSeries().getLastObservedTime().getTime(),
        event.getLastTimestamp(),
        event.getEventTime() == null ? null : event.getEventTime().getTime(),
        event.getMetadata().getCreationTimestamp());
  }

  private static String firstNonEmpty(String... values) {
    for (String v : values) {
      if (v != null && !v.isEmpty()) {
        return v;
      }
    }
    return "";
  }

  // ------------------------------------------------------------------ informer handlers

  private ResourceEventHandler<Release> releaseHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Release release) {
        publish("release", releaseJson(release));
      }

      @Override
      public void onUpdate(Release before, Release after) {
        publish("release", releaseJson(after));
      }

      @Override
      public void onDelete(Release release, boolean finalStateUnknown) {
        ObjectNode gone = json.createObjectNode();
        gone.put("namespace", release.getMetadata().getNamespace());
        gone.put("name", release.getMetadata().getName());
        publish("release-deleted", gone);
      }
    };
  }

  private ResourceEventHandler<Event> eventHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Event event) {
        if (aboutARelease(event)) {
          publish("event", eventJson(event));
        }
      }

      @Override
      public void onUpdate(Event before, Event after) {
        onAdd(after);
      }

      @Override
      public void onDelete(Event event, boolean finalStateUnknown) {
        ObjectNode gone = json.createObjectNode();
        gone.put("uid", event.getMetadata().getUid());
        publish("event-deleted", gone);
      }
    };
  }
}
