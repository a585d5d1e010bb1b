package dev.cutover.status;

import dev.cutover.api.Release;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events on a Release, as {@code kubectl describe rel} and dashboards show them.
 *
 * <p>A repeated Event is one object, not one per occurrence: the same Release (by uid), reporting
 * instance (the operator, or its shard), type, reason and message (client-go's correlator key)
 * update the count and lastTimestamp of the Event recorded first, as client-go's EventRecorder
 * does. Each update is conditional on the Event's resourceVersion, so two processes counting
 * one Event (a shard handing a Release back within the hour, an old and a new replica) never
 * overwrite each other's counts.
 * core/v1 {@code count} + {@code firstTimestamp}/{@code lastTimestamp}, not events.k8s.io/v1
 * {@code series}: {@code kubectl describe} prints core/v1's as "2m (x5 over 10m)", the operator's
 * RBAC already grants create and patch on core Events, and an object written either way reads
 * back the same through core/v1; series would add an API group to the RBAC for nothing a
 * person sees.
 *
 * <p>An Event's name derives from that key (the Release's name and a hash), so a restarted
 * operator, which remembers nothing, finds the Event it created before by name (its create is
 * refused as existing) and goes on counting from it. An Event the API server let expire (its
 * event TTL, one hour by default) is created anew. Recording never throws into a reconcile: a
 * failure is logged and the Event is lost.
 */
public class EventRecorder implements ReleaseEvents {

  private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);

  /** The operator's name in the API server's Events: cutover-operator, or with its shard. */
  public static final String DEFAULT_INSTANCE = "cutover-operator";

  /** Events remembered with their count (the oldest forgotten first). */
  static final int REMEMBERED = 4096;
  /** Characters of a message kept (the API server refuses more than 1 KiB for core/v1). */
  static final int MESSAGE_LIMIT = 1000;
  private static final int LOCKS = 64;
  /** Creates and conditional patches of one Event before it is given up. */
  private static final int WRITES = 3;

  private final KubernetesClient client;
  private final Clock clock;
  private final String instance;
  /** By key: the name of the Event and its count, as this process last wrote them. */
  private final Map<String, Counted> counted = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Counted> eldest) {
      return size() > REMEMBERED;
    }
  };
  /** One lock per stripe of keys: an Event is counted by one thread at a time. */
  private final Object[] locks = new Object[LOCKS];

  private record Counted(String name, int count, String resourceVersion) {}

  public EventRecorder(KubernetesClient client, Clock clock) {
    this(client, clock, DEFAULT_INSTANCE);
  }

  /** @param instance reportingInstance of every Event (which operator, or shard, saw it) */
  public EventRecorder(KubernetesClient client, Clock clock, String instance) {
    this.client = client;
    this.clock = clock;
    this.instance = instance;
    for (int i = 0; i < LOCKS; i++) {
      locks[i] = new Object();
    }
  }

  @Override
  public void normal(Release release, String reason, String message) {
    record(release, "Normal", reason, message);
  }

  @Override
  public void warning(Release release, String reason, String message) {
    record(release, "Warning", reason, message);
  }

  private void record(Release release, String type, String reason, String message) {
    log.info("{}/{}: {} {}: {}", release.getMetadata().getNamespace(),
        release.getMetadata().getName(), type, reason, message);
    String text = message.length() > MESSAGE_LIMIT ? message.substring(0, MESSAGE_LIMIT)
        : message;
    // The reporting instance is part of the key (client-go's source): a shard that repeats what
    // another shard did (the same slots launched after a takeover) gets its own Event.
    String key = String.join("\u0000", release.getMetadata().getUid(), instance, type, reason,
        text);
    try {
      synchronized (locks[Math.floorMod(key.hashCode(), LOCKS)]) {
        count(release, key, type, reason, text);
      }
    } catch (RuntimeException e) {
      // An Event is a courtesy: failing to record one must not fail the reconcile.
      log.warn("could not record event {}: {}", reason, e.getMessage());
    }
  }

  private void count(Release release, String key, String type, String reason, String text) {
    String namespace = release.getMetadata().getNamespace();
    String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    Counted known;
    synchronized (counted) {
      known = counted.get(key);
    }
    if (known != null) {
      Optional<Event> patched = setCount(namespace, known.name(), known.count() + 1, now,
          known.resourceVersion());
      if (patched.isPresent()) {
        remember(key, new Counted(known.name(), known.count() + 1,
            patched.get().getMetadata().getResourceVersion()));
        return;
      }
      // Expired, or counted meanwhile by another process (a shard handing back, a restart
      // overlapping): created or read again below.
    }
    String name = nameOf(release, key);
    for (int attempt = 0; attempt < WRITES; attempt++) {
      try {
        Event created = client.v1().events().inNamespace(namespace)
            .resource(event(release, name, type, reason, text, now)).create();
        remember(key, new Counted(name, 1, created.getMetadata().getResourceVersion()));
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
      }
      // Recorded before this process knew of it: count on from what the API server holds,
      // conditional on the version read, so that no one else's count is overwritten.
      Event existing = client.v1().events().inNamespace(namespace).withName(name).get();
      if (existing == null) {
        continue; // expired between the two calls: created again
      }
      int count = existing.getCount() == null ? 1 : existing.getCount();
      Optional<Event> patched = setCount(namespace, name, count + 1, now,
          existing.getMetadata().getResourceVersion());
      if (patched.isPresent()) {
        remember(key, new Counted(name, count + 1,
            patched.get().getMetadata().getResourceVersion()));
        return;
      }
    }
    log.warn("event {} not recorded: its count changed under every one of {} writes", reason,
        WRITES);
  }

  /**
   * Moves an Event's count and lastTimestamp on, if it is still at {@code resourceVersion};
   * empty when it is not (another process counted it) or no longer exists (expired).
   */
  private Optional<Event> setCount(String namespace, String name, int count, String now,
      String resourceVersion) {
    try {
      return Optional.of(client.v1().events().inNamespace(namespace).withName(name).patch(
          PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"resourceVersion\":\""
              + resourceVersion + "\"},\"count\":" + count + ",\"lastTimestamp\":\"" + now
              + "\"}"));
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404 || e.getCode() == 409) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private void remember(String key, Counted value) {
    synchronized (counted) {
      counted.put(key, value);
    }
  }

  /**
   * The Release's name and a hash of the key: the same Event always has the same name, and a
   * name stays within the 253 characters of a DNS subdomain.
   */
  static String nameOf(Release release, String key) {
    String name = release.getMetadata().getName();
    String prefix = name.length() > 236 ? name.substring(0, 236) : name;
    return prefix + "." + sha256(key).substring(0, 16);
  }

  private Event event(Release release, String name, String type, String reason,
      String text, String now) {
    return new EventBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(release.getMetadata().getNamespace())
        .endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder()
            .withApiVersion(release.getApiVersion()).withKind(release.getKind())
            .withName(release.getMetadata().getName())
            .withNamespace(release.getMetadata().getNamespace())
            .withUid(release.getMetadata().getUid())
            .withResourceVersion(release.getMetadata().getResourceVersion()).build())
        .withType(type)
        .withReason(reason)
        .withMessage(text)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withCount(1)
        .withNewSource().withComponent("cutover").endSource()
        .withReportingComponent("cutover.dev/operator")
        .withReportingInstance(instance)
        .build();
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
