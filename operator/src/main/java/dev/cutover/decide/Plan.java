package dev.cutover.decide;

import dev.cutover.api.Intent;
import dev.cutover.ec2.ManagedInstance;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What one reconcile does: the actions in order, the status to write when they succeed, and
 * when to look again even if nothing changes in EC2 (a TTL expiry, a deadline, a soak's end).
 *
 * @param facts what the decision found and means, for status
 * @param deletionComplete for a Release being deleted: nothing of it is left in EC2
 * @param checkTargets the instances whose HTTP smoke checks should run from now on
 * @param metricTarget what the metric checks measure from now on (empty: nothing)
 * @param intent what to record in status before the first action (a switch, an allocation)
 */
public record Plan(List<Action> actions, Facts facts, Health health,
    Optional<Instant> wakeAt, boolean deletionComplete, List<ManagedInstance> checkTargets,
    Optional<dev.cutover.observe.MetricTarget> metricTarget, Optional<Intent> intent) {}
