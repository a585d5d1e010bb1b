package dev.cutover.status;

import dev.cutover.api.Release;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Kubernetes Events on a Release, as {@code kubectl describe rel} and dashboards show them. */
public class EventRecorder implements ReleaseEvents {

  private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);

  /** The operator's name in the API server's Events: cutover-operator, or with its shard. */
  public static final String DEFAULT_INSTANCE = "cutover-operator";

  private final KubernetesClient client;
  private final Clock clock;
  private final String instance;

  public EventRecorder(KubernetesClient client, Clock clock) {
    this(client, clock, DEFAULT_INSTANCE);
  }

  /** @param instance reportingInstance of every Event (which operator, or shard, saw it) */
  public EventRecorder(KubernetesClient client, Clock clock, String instance) {
    this.client = client;
    this.clock = clock;
    this.instance = instance;
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
    String now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    var event = new EventBuilder()
        .withNewMetadata()
        .withName(release.getMetadata().getName() + "."
            + UUID.randomUUID().toString().replace("-", "").substring(0, 16))
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
        .withMessage(message.length() > 1000 ? message.substring(0, 1000) : message)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withCount(1)
        .withNewSource().withComponent("cutover").endSource()
        .withReportingComponent("cutover.dev/operator")
        .withReportingInstance(instance)
        .build();
    try {
      client.v1().events().inNamespace(release.getMetadata().getNamespace()).resource(event)
          .create();
    } catch (KubernetesClientException e) {
      // An Event is a courtesy: failing to record one must not fail the reconcile.
      log.warn("could not record event {}: {}", reason, e.getMessage());
    }
  }
}
