package dev.cutover.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.api.ElasticIpSpec;
import dev.cutover.api.Failure;
import dev.cutover.api.FleetId;
import dev.cutover.api.InstanceTemplate;
import dev.cutover.api.Release;
import dev.cutover.api.ReleaseSpec;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.api.RetryRecord;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a Release says about failures and aborts, read as Cutover reads it. */
class ReleaseFactsTest {

  @Test
  void aFailureHoldsTheSpecsFleetBackAtItsGenerationAndAnAbortAlsoAcrossPause() {
    Release r = release(5);
    r.getStatus().lastFailure = failure(r, "DeadlineExceeded", 5);
    assertThat(ReleaseFacts.blockingFailure(r)).isPresent();

    r.getStatus().lastFailure = failure(r, "DeadlineExceeded", 4);
    assertThat(ReleaseFacts.blockingFailure(r)).as("the spec changed since").isEmpty();

    Failure aborted = failure(r, "Aborted", 4);
    r.getSpec().paused = true;
    aborted.specDigest = FleetId.specDigest(r.getSpec());
    r.getSpec().paused = false;
    r.getStatus().lastFailure = aborted;
    assertThat(ReleaseFacts.blockingFailure(r)).as("only paused changed since the abort")
        .isPresent();

    r.getStatus().lastFailure = failure(r, "DeadlineExceeded", 5);
    r.getStatus().lastFailure.fleetId = "another";
    assertThat(ReleaseFacts.blockingFailure(r)).as("another fleet's failure").isEmpty();
  }

  @Test
  void anAbortCountsAtItsGenerationUntilARetryAtThatGenerationSetsItAside() {
    Release r = release(7);
    r.getMetadata().setAnnotations(Map.of(Release.ABORT_ANNOTATION, "7"));
    assertThat(ReleaseFacts.abortAsked(r)).isTrue();

    r.getMetadata().setAnnotations(Map.of(Release.ABORT_ANNOTATION, "6"));
    assertThat(ReleaseFacts.abortAsked(r)).as("stale").isFalse();

    r.getMetadata().setAnnotations(Map.of(Release.ABORT_ANNOTATION, "7"));
    RetryRecord retry = new RetryRecord();
    retry.generation = 7L;
    retry.abortIgnored = true;
    r.getStatus().lastRetry = retry;
    assertThat(ReleaseFacts.abortAsked(r)).as("set aside by a retry").isFalse();
  }

  @Test
  void theVersionAloneNamesTheRetainedFleetOnlyWhileTheTemplateIsTheSame() {
    Release r = release(3);
    String v1 = ReleaseFacts.fleetWithVersion(r, "1.0.0");
    r.getSpec().version = "1.0.0";
    assertThat(ReleaseFacts.desiredFleet(r)).isEqualTo(v1);
    r.getSpec().template.imageId = "ami-0fedcba9876543210";
    assertThat(ReleaseFacts.fleetWithVersion(r, "1.0.0")).isNotEqualTo(v1);
  }

  static Release release(long generation) {
    Release r = new Release();
    r.setMetadata(new ObjectMetaBuilder().withName("orders").withNamespace("shop")
        .withGeneration(generation).build());
    ReleaseSpec spec = new ReleaseSpec();
    spec.version = "2.0.0";
    spec.fleetSize = 2;
    spec.template = new InstanceTemplate();
    spec.template.imageId = "ami-0123456789abcdef0";
    spec.template.subnetIds = List.of("subnet-0123456789abcdef0");
    spec.elasticIp = new ElasticIpSpec();
    spec.elasticIp.allocationId = "eipalloc-0123456789abcdef0";
    r.setSpec(spec);
    r.setStatus(new ReleaseStatus());
    return r;
  }

  static Failure failure(Release r, String reason, long generation) {
    Failure f = new Failure();
    f.fleetId = ReleaseFacts.desiredFleet(r);
    f.version = r.getSpec().version;
    f.generation = generation;
    f.reason = reason;
    return f;
  }
}
