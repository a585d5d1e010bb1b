package dev.cutover.testworld;

import dev.cutover.api.Phase;
import dev.cutover.api.Release;
import dev.cutover.status.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** What integration tests do with Releases: change one, wait for a state, read conditions. */
public final class ReleaseOps {

  public static final Duration PATIENCE = Duration.ofSeconds(90);

  private ReleaseOps() {}

  /** Applies {@code change} to the current Release, again on a conflict. */
  public static void update(KubernetesClient client, String namespace, String name,
      Consumer<Release> change) {
    var releases = client.resources(Release.class).inNamespace(namespace);
    org.awaitility.Awaitility.await().atMost(PATIENCE).ignoreExceptions().until(() -> {
      Release current = releases.withName(name).get();
      change.accept(current);
      releases.resource(current).update();
      return true;
    });
  }

  public static Release await(KubernetesClient client, String namespace, String name,
      Predicate<Release> until) {
    return org.awaitility.Awaitility.await().atMost(PATIENCE)
        .until(() -> client.resources(Release.class).inNamespace(namespace).withName(name)
            .get(), r -> r != null && until.test(r));
  }

  /** Status describes the current spec and says {@code phase}. */
  public static boolean inPhase(Release r, Phase phase) {
    return r.getStatus() != null && r.getStatus().phase == phase
        && Long.valueOf(r.getMetadata().getGeneration()).equals(r.getStatus().observedGeneration);
  }

  /** {@code version} serves production at full size: Live and Ready. */
  public static boolean live(Release r, String version) {
    return inPhase(r, Phase.Live) && r.getStatus().activeFleet != null
        && version.equals(r.getStatus().activeFleet.version)
        && isTrue(r, StatusBuilder.READY);
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
