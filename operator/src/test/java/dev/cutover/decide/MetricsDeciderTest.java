package dev.cutover.decide;

import static dev.cutover.decide.Given.T0;
import static dev.cutover.decide.Given.release;
import static dev.cutover.ec2.InstanceState.RUNNING;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.api.MetricCheck;
import dev.cutover.api.Phase;
import dev.cutover.api.PrometheusQuery;
import dev.cutover.observe.MetricResult;
import dev.cutover.observe.MetricTarget;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Metric checks as gates: before the switch every check needs a success and one at its failure
 * limit fails the new fleet with production untouched; after the switch one at its limit moves
 * the Elastic IP back like a failing HTTP check. Measurements of another target count as none.
 */
class MetricsDeciderTest {

  static final Instant LATER = T0.plus(Duration.ofMinutes(1));
  static final MetricCheck ERROR_RATE = check("error-rate");
  static final List<MetricCheck> CHECKS = List.of(ERROR_RATE);
  static final MetricResult PASSING = new MetricResult(1, 0, 0, 0.01, null, LATER);
  static final MetricResult FAILING = new MetricResult(2, 3, 3, 0.3, null, LATER);
  static final MetricResult ONE_FAILURE = new MetricResult(1, 1, 1, 0.3, null, LATER);

  private static Given staging() {
    Given g = release("1.0.0", 1).fleet("1.0.0", 1, RUNNING).eipOn("1.0.0", 0)
        .active("1.0.0").spec(r -> {
          r.getSpec().version = "2.0.0";
          r.getSpec().verification.metrics = CHECKS;
        }).fleet("2.0.0", 1, RUNNING).staging("2.0.0", T0, null).at(LATER);
    return g;
  }

  @Test
  void theNewFleetIsMeasuredAndWaitsForASuccessBeforeTheSwitch() {
    Given g = staging();
    Plan plan = g.decide();
    assertThat(g.summary(plan)).isEmpty();
    assertThat(plan.health().reason()).isEqualTo("MetricChecks");
    assertThat(plan.health().message()).contains("0 of 1 metric checks pass");
    assertThat(plan.metricTarget()).get().satisfies(t -> {
      assertThat(t.stage()).isEqualTo(MetricTarget.VERIFICATION);
      assertThat(t.fleetId()).isEqualTo(g.fleetId("2.0.0"));
      assertThat(t.instanceIds()).containsExactly(g.id("2.0.0", 0));
    });
    assertThat(g.status(plan).metrics).singleElement().satisfies(m -> {
      assertThat(m.state).isEqualTo("Pending");
      assertThat(m.stage).isEqualTo("Verification");
    });
  }

  @Test
  void aPassingCheckLetsTheSwitchHappen() {
    Given g = staging().measured(MetricTarget.VERIFICATION, "2.0.0", CHECKS,
        Map.of("error-rate", PASSING));
    assertThat(g.summary(g.decide())).containsExactly("associate 2.0.0/0");
  }

  @Test
  void oneFailureBelowTheLimitDoesNotFailTheFleet() {
    Given g = staging().measured(MetricTarget.VERIFICATION, "2.0.0", CHECKS,
        Map.of("error-rate", ONE_FAILURE));
    Plan plan = g.decide();
    assertThat(plan.facts().phase()).isNotEqualTo(Phase.Failed);
    assertThat(g.summary(plan)).containsExactly("associate 2.0.0/0");
  }

  @Test
  void aCheckAtItsLimitFailsTheNewFleetAndProductionIsUntouched() {
    Given g = staging().measured(MetricTarget.VERIFICATION, "2.0.0", CHECKS,
        Map.of("error-rate", FAILING));
    Plan plan = g.decide();
    assertThat(plan.facts().phase()).isEqualTo(Phase.Failed);
    assertThat(g.summary(plan)).containsExactly("terminate [2.0.0/0]");
    assertThat(plan.facts().lastFailure().reason).isEqualTo("MetricCheckFailed");
    assertThat(plan.facts().lastFailure().message).contains("error-rate failed 3 times in a row")
        .contains("last value 0.3").contains("success when < 0.05");
  }

  @Test
  void measurementsOfAnotherFleetCountAsNone() {
    Given g = staging().measured(MetricTarget.VERIFICATION, "1.0.0", CHECKS,
        Map.of("error-rate", FAILING));
    Plan plan = g.decide();
    assertThat(plan.facts().phase()).isNotEqualTo(Phase.Failed);
    assertThat(plan.health().reason()).isEqualTo("MetricChecks");
  }

  @Test
  void aTotalLimitCountsFailuresThatAreNotInARow() {
    MetricCheck total = check("error-rate");
    total.failureMode = MetricCheck.FailureMode.Total;
    Given g = staging().spec(r -> r.getSpec().verification.metrics = List.of(total))
        .measured(MetricTarget.VERIFICATION, "2.0.0", List.of(total),
            Map.of("error-rate", new MetricResult(5, 0, 3, 0.01, null, LATER)));
    assertThat(g.decide().facts().lastFailure().reason).isEqualTo("MetricCheckFailed");
  }

  @Test
  void aPostSwitchCheckAtItsLimitMovesTheAddressBack() {
    Given g = release("2.0.0", 1).spec(r -> r.getSpec().postSwitch.metrics = CHECKS)
        .fleet("2.0.0", 1, RUNNING).eipOn("2.0.0", 0).activeSince("2.0.0", LATER)
        .fleet("1.0.0", 1, RUNNING).previous("1.0.0", T0.plus(Duration.ofHours(2)))
        .at(LATER.plusSeconds(30))
        .measured(MetricTarget.POST_SWITCH, "2.0.0", CHECKS, Map.of("error-rate", FAILING));
    Plan plan = g.decide();
    assertThat(g.summary(plan)).containsExactly("associate 1.0.0/0");
    assertThat(plan.facts().phase()).isEqualTo(Phase.Degraded);
    assertThat(plan.facts().lastFailure().reason).isEqualTo("PostSwitchCheckFailed");
    assertThat(plan.facts().lastFailure().message).contains("metric check error-rate");
  }

  @Test
  void afterTheWindowNothingIsMeasured() {
    Given g = release("2.0.0", 1).spec(r -> r.getSpec().postSwitch.metrics = CHECKS)
        .fleet("2.0.0", 1, RUNNING).eipOn("2.0.0", 0).activeSince("2.0.0", LATER)
        .at(LATER.plus(Duration.ofMinutes(3)))
        .measured(MetricTarget.POST_SWITCH, "2.0.0", CHECKS, Map.of("error-rate", FAILING));
    Plan plan = g.decide();
    assertThat(plan.metricTarget()).isEmpty();
    assertThat(plan.facts().phase()).isEqualTo(Phase.Live);
  }

  private static MetricCheck check(String name) {
    MetricCheck c = new MetricCheck();
    c.name = name;
    c.successCondition = "< 0.05";
    c.failureLimit = 3;
    c.prometheus = new PrometheusQuery();
    c.prometheus.url = "http://127.0.0.1:9090";
    c.prometheus.query = "max(app_error_ratio)";
    return c;
  }
}
