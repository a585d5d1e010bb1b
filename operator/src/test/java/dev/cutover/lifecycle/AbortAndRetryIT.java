package dev.cutover.lifecycle;

import static dev.cutover.testworld.ReleaseOps.active;
import static dev.cutover.testworld.ReleaseOps.ready;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cutover.api.Phase;
import dev.cutover.api.Promotion;
import dev.cutover.api.Release;
import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.status.StatusBuilder;
import dev.cutover.testworld.Ec2World;
import dev.cutover.testworld.Operators;
import dev.cutover.testworld.Patience;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.ReleaseOps;
import dev.cutover.testworld.TestWorld;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Abort and retry by annotation on the real API server + moto, the spec never touched (as when
 * a GitOps controller owns it): an abort terminates the staged version and leaves production
 * and its Elastic IP alone; a retry stages the version again from scratch, with new instances,
 * once per token; changing only an annotation wakes the operator.
 */
@ExtendWith(TestWorld.class)
class AbortAndRetryIT {

  static final Ec2Gateway gateway = Operators.newGateway();

  @RegisterExtension
  static final LocallyRunOperatorExtension operator = Operators.inThisJvm(gateway);

  private final Ec2World ec2 = new Ec2World(TestWorld.ec2());
  private ReleaseOps releases;
  private Ec2World.Network network;

  @BeforeEach
  void network() {
    releases = ReleaseOps.in(operator.getNamespace());
    network = ec2.defaultNetwork();
  }

  @Test
  void anAbortGivesTheStagedVersionUpAndARetryStagesItAgainFromScratch() {
    String name = "gitops";
    releases.create(ReleaseBuilder.named(name).version("1.0.0").fleetSize(2).network(network)
        .previousFleetTTL("10m").postSwitch(p -> p.verify = false)
        .promotion(p -> {
          p.mode = Promotion.Mode.Manual;
          p.approvedVersion = "1.0.0";
        }).build());
    releases.awaitPhase(name, Phase.Live, r -> ready(r) && active(r, "1.0.0"));
    String production = eipHolder();
    List<String> productionIds = Ec2World.ids(ec2.alive(releases.key(name), "1.0.0"));

    releases.update(name, r -> r.getSpec().version = "2.0.0");
    Release waiting = releases.awaitPhase(name, Phase.AwaitingPromotion, r -> true);
    List<String> firstAttempt = Ec2World.ids(ec2.alive(releases.key(name), "2.0.0"));
    assertThat(firstAttempt).hasSize(2);
    long generation = waiting.getMetadata().getGeneration();

    // Abort: only an annotation, naming the generation.
    annotate(name, Release.ABORT_ANNOTATION, String.valueOf(generation));
    Release aborted = releases.awaitPhase(name, Phase.Failed,
        r -> "Aborted".equals(ReleaseOps.reason(r, StatusBuilder.STALLED)));
    assertThat(aborted.getMetadata().getGeneration()).as("the spec was not edited")
        .isEqualTo(generation);
    assertThat(aborted.getStatus().lastFailure.reason).isEqualTo("Aborted");
    assertThat(StatusBuilder.find(aborted.getStatus(), StatusBuilder.STALLED).getMessage())
        .contains("2.0.0 was aborted").contains("kubectl cutover retry " + name);
    await().atMost(Patience.RECONCILE)
        .until(() -> ec2.alive(releases.key(name), "2.0.0").isEmpty());
    assertThat(eipHolder()).as("production keeps the Elastic IP").isEqualTo(production);
    assertThat(Ec2World.ids(ec2.alive(releases.key(name), "1.0.0")))
        .containsExactlyInAnyOrderElementsOf(productionIds);
    await().atMost(Patience.RECONCILE).until(() -> releases.warnings(name).stream()
        .anyMatch(w -> w.startsWith("Aborted: 2.0.0 was aborted")));
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
        .until(() -> ec2.alive(releases.key(name), "2.0.0").isEmpty());
    assertThat(releases.warnings(name)).as("told once")
        .filteredOn(w -> w.startsWith("Aborted:")).hasSize(1);

    // Retry: a new token (the abort annotation removed with it, as kubectl cutover retry does).
    String token = Instant.now().toString();
    releases.update(name, r -> {
      var annotations = new HashMap<>(r.getMetadata().getAnnotations());
      annotations.remove(Release.ABORT_ANNOTATION);
      annotations.put(Release.RETRY_ANNOTATION, token);
      r.getMetadata().setAnnotations(annotations);
    });
    Release retried = releases.awaitPhase(name, Phase.AwaitingPromotion,
        r -> r.getStatus().lastRetry != null);
    assertThat(retried.getMetadata().getGeneration()).isEqualTo(generation);
    assertThat(retried.getStatus().lastRetry.token).isEqualTo(token);
    assertThat(retried.getStatus().lastRetry.failure).isEqualTo("Aborted");
    assertThat(retried.getStatus().lastFailure).isNull();
    List<String> secondAttempt = Ec2World.ids(ec2.alive(releases.key(name), "2.0.0"));
    assertThat(secondAttempt).as("new instances").hasSize(2)
        .doesNotContainAnyElementsOf(firstAttempt);
    assertThat(releases.eventReasons(name)).contains("Retried");

    // Abort again: the token honoured before does not bring it back.
    annotate(name, Release.ABORT_ANNOTATION, String.valueOf(generation));
    releases.awaitPhase(name, Phase.Failed,
        r -> "Aborted".equals(ReleaseOps.reason(r, StatusBuilder.STALLED)));
    await().atMost(Patience.RECONCILE)
        .until(() -> ec2.alive(releases.key(name), "2.0.0").isEmpty());
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
        .until(() -> ec2.alive(releases.key(name), "2.0.0").isEmpty());
    assertThat(releases.get(name).getStatus().lastRetry.token).isEqualTo(token);

    // A spec change ends the abort: approving 2.0.0 launches, verifies and switches it.
    releases.update(name, r -> r.getSpec().promotion.approvedVersion = "2.0.0");
    releases.awaitPhase(name, Phase.Live, r -> ready(r) && active(r, "2.0.0"));
    assertThat(eipHolder()).isNotEqualTo(production);
  }

  private void annotate(String name, String key, String value) {
    releases.update(name, r -> {
      var annotations = new HashMap<String, String>(r.getMetadata().getAnnotations() == null
          ? java.util.Map.of() : r.getMetadata().getAnnotations());
      annotations.put(key, value);
      r.getMetadata().setAnnotations(annotations);
    });
  }

  private String eipHolder() {
    return ec2.address(network.allocationId()).instanceId();
  }
}
