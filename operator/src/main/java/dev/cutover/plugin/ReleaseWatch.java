package dev.cutover.plugin;

import dev.cutover.api.FleetInstance;
import dev.cutover.api.Release;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * {@code get --watch}: informers on the Releases and their Events, and the tree drawn again on
 * every change. On a terminal the screen is cleared and the tree redrawn (also every second, so
 * that "in 4m" counts down); otherwise each new tree follows a separator line with the time
 * since the watch started, so that the session can be recorded as text.
 */
final class ReleaseWatch {

  /** How long a burst of changes (a status patch and its Events) is let settle before drawing. */
  static final Duration SETTLE = Duration.ofMillis(150);
  /** How often a terminal's tree is redrawn without a change, for the relative times. */
  static final Duration TICK = Duration.ofSeconds(1);

  private static final String CLEAR = "\033[H\033[2J\033[3J";

  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final PrintStream out;
  private final PrintStream err;
  private final boolean terminal;
  private final Clock clock;
  private final Semaphore changed = new Semaphore(0);
  /** What was seen of instances while they were staged, for the tree after the switch. */
  private final Map<String, FleetInstance> known = new ConcurrentHashMap<>();

  /**
   * @param namespace null for every namespace
   * @param name null for every Release
   */
  ReleaseWatch(KubernetesClient client, String namespace, String name, PrintStream out,
      PrintStream err, boolean terminal, Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
    this.out = out;
    this.err = err;
    this.terminal = terminal;
    this.clock = clock;
  }

  int run() {
    SharedIndexInformer<Release> releases;
    try {
      releases = releaseInformer();
    } catch (KubernetesClientException e) {
      Outcome failed = name == null ? KubectlCutover.listFailure(e, namespace)
          : ApiFailures.of(e, "watch", "releases.cutover.dev " + name + " in namespace "
              + namespace);
      err.println("error: " + failed.message());
      return failed.exitCode();
    }
    if (name != null && releases.getStore().list().isEmpty()) {
      releases.close();
      err.println("error: " + Outcome.notFound(namespace, name).message());
      return ExitCodes.NOT_FOUND;
    }
    SharedIndexInformer<Event> events = name == null ? null : eventInformer();
    Instant started = clock.instant();
    String last = null;
    boolean wasThere = true;
    try {
      while (true) {
        boolean change = changed.tryAcquire(terminal ? TICK.toMillis() : Long.MAX_VALUE,
            TimeUnit.MILLISECONDS);
        if (change) {
          // Let the rest of a burst arrive (a status patch and its Events), then draw once.
          TimeUnit.MILLISECONDS.sleep(SETTLE.toMillis());
          changed.drainPermits();
        }
        if (last != null && !change && !terminal) {
          continue;
        }
        List<Release> now = releases.getStore().list();
        if (name != null && now.isEmpty()) {
          if (wasThere) {
            out.println(separator(started) + "Release " + namespace + "/" + name
                + " was deleted; waiting for it to come back (Ctrl-C ends the watch).");
            out.flush();
          }
          wasThere = false;
          last = "";
          continue;
        }
        wasThere = true;
        String tree = draw(now, events);
        if (!tree.equals(last)) {
          out.print(terminal ? CLEAR + tree : separator(started) + tree);
          out.flush();
          last = tree;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ExitCodes.OK;
    } finally {
      releases.close();
      if (events != null) {
        events.close();
      }
    }
  }

  /** The first drawing is drawn at once; each change after it draws again. */
  private SharedIndexInformer<Release> releaseInformer() {
    var resources = client.resources(Release.class);
    var scope = namespace == null ? resources.inAnyNamespace()
        : name == null ? resources.inNamespace(namespace)
            : resources.inNamespace(namespace).withField("metadata.name", name);
    changed.release();
    return scope.inform(handler(this::remember), 0);
  }

  private SharedIndexInformer<Event> eventInformer() {
    try {
      return client.v1().events().inNamespace(namespace)
          .withField("involvedObject.name", name).inform(handler(e -> { }), 0);
    } catch (KubernetesClientException e) {
      err.println("(Events not shown: " + ApiFailures.of(e, "watch",
          "events in namespace " + namespace).message() + ")");
      return null;
    }
  }

  private void remember(Release release) {
    known.putAll(ReleaseTree.instancesOf(release));
  }

  private <T> ResourceEventHandler<T> handler(java.util.function.Consumer<T> seen) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        seen.accept(obj);
        changed.release();
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        seen.accept(newObj);
        changed.release();
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        changed.release();
      }
    };
  }

  private String draw(List<Release> releases, SharedIndexInformer<Event> events) {
    Instant now = clock.instant();
    if (name == null) {
      return ReleaseTree.renderAll(releases, known, now);
    }
    List<Event> about = events == null ? List.of() : events.getStore().list().stream()
        .filter(e -> Events.about(e, name)).toList();
    return ReleaseTree.render(releases.get(0), about, known, now);
  }

  private String separator(Instant started) {
    Duration since = Duration.between(started, clock.instant());
    return String.format("──── +%d.%ds ────%n", since.getSeconds(), since.toMillisPart() / 100);
  }
}
