package dev.cutover.decide;

import dev.cutover.api.MetricCheck;
import dev.cutover.ec2.ManagedInstance;
import dev.cutover.observe.Fleet;
import dev.cutover.observe.MetricResult;
import dev.cutover.observe.MetricTarget;
import java.util.List;
import java.util.Optional;

/**
 * The metric checks as gates: a fleet is measured while it is verified and soaked (the
 * verification checks) and during the post-switch window (the postSwitch checks). Each check must
 * have a success before the switch; one that reaches its failure limit fails the fleet like a
 * failing HTTP check, named in the reason's message.
 */
final class Metrics {

  private Metrics() {}

  /** Measures this fleet with these checks from now on (nothing when there are none). */
  static Optional<MetricTarget> measure(Draft d, String stage, Fleet fleet,
      List<ManagedInstance> members, List<MetricCheck> checks) {
    if (checks == null || checks.isEmpty()) {
      return Optional.empty();
    }
    MetricTarget target = new MetricTarget(stage, fleet.id(), fleet.version(), d.releaseKey(),
        members.stream().map(ManagedInstance::id).sorted().toList(), List.copyOf(checks));
    d.metricTarget = target;
    return Optional.of(target);
  }

  /** The first check that reached its failure limit, as a sentence. */
  static Optional<String> failed(Draft d, Optional<MetricTarget> target) {
    if (target.isEmpty()) {
      return Optional.empty();
    }
    for (MetricCheck check : target.get().checks()) {
      MetricResult r = d.world.metrics().of(target.get(), check.name);
      if (r.failed(check)) {
        return Optional.of("the metric check " + check.name + " failed " + r.failures(check)
            + " time" + (r.failures(check) == 1 ? "" : "s") + (check.consecutive()
                ? " in a row" : "") + " (" + describe(check, r) + ").");
      }
    }
    return Optional.empty();
  }

  /** How many checks pass; empty when they all do (or there are none). */
  static Optional<String> pending(Draft d, Optional<MetricTarget> target) {
    if (target.isEmpty()) {
      return Optional.empty();
    }
    List<MetricCheck> checks = target.get().checks();
    long passing = checks.stream()
        .filter(c -> d.world.metrics().of(target.get(), c.name).passing(c)).count();
    return passing == checks.size() ? Optional.empty()
        : Optional.of(passing + " of " + checks.size() + " metric checks pass");
  }

  static String describe(MetricCheck check, MetricResult r) {
    // A CloudWatch alarm's failure says so; a query's says what it measured.
    String last = r.lastError() != null ? r.lastError()
        : r.lastValue() != null ? "last value " + r.lastValue() : "no value";
    return last + (check.successCondition == null ? ""
        : ", success when " + check.successCondition.trim());
  }
}
