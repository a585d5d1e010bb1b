package dev.cutover.decide;

import dev.cutover.api.AwsAccount;
import dev.cutover.observe.Tenancy;
import java.util.Optional;

/**
 * The administrator's rules, checked again before every launch: a Release admitted before a rule
 * changed launches nothing new and switches to nothing new (production keeps serving and is
 * still healed), and says why.
 */
final class Tenants {

  private Tenants() {}

  /** Reads the rules for the Release into the draft: a refusal, and the instances it may add. */
  static void apply(Draft d) {
    Tenancy t = d.world.tenancy();
    Allowance.AccountChoice choice = Allowance.accountFor(d.spec, t.accounts());
    if (choice.refusal().isPresent()) {
      d.notAllowed = choice.refusal().get();
      return;
    }
    if (choice.account().isEmpty()) {
      return; // the operator's own credentials and region: no AwsAccount rules apply
    }
    AwsAccount account = choice.account().get();
    String namespace = d.release.getMetadata().getNamespace();
    d.notAllowed = Allowance.refusalOfRoles(account, t.namespaceLabels(), namespace,
        d.spec, t::ownerOf).orElse(null);
    Integer cap = account.getSpec() == null ? null : account.getSpec().maxInstancesPerNamespace;
    if (cap != null) {
      d.instanceBudget = Math.max(0, cap - t.namespaceInstances());
      d.instanceCap = cap;
    }
  }

  /** Whether launching {@code count} more instances is allowed; records why not. */
  static boolean mayLaunch(Draft d, int count) {
    if (d.notAllowed != null) {
      d.launchesWithheld = true;
      return false;
    }
    if (d.instanceBudget != null && count > d.instanceBudget) {
      d.launchesWithheld = true;
      return false;
    }
    if (d.instanceBudget != null) {
      d.instanceBudget -= count;
    }
    return true;
  }

  /**
   * An AwsAccount change does not wake a Release by itself: one held back by the rules looks
   * again this often (a read of the informer's cache and the last poll, no EC2 call).
   */
  static final java.time.Duration RECHECK = java.time.Duration.ofSeconds(15);

  /** The answer while the rules hold something back (production keeps serving). */
  static Optional<Health> withheld(Draft d, Health health) {
    if (d.notAllowed != null || d.launchesWithheld) {
      d.wakeAt(d.now.plus(RECHECK));
    }
    if (d.notAllowed != null) {
      return Optional.of(Health.stalled(health.available(), "NotAllowed", d.notAllowed
          + ": nothing new is launched or switched to until the Release or the AwsAccount "
          + "changes; production keeps serving. Meanwhile: " + health.message()));
    }
    if (d.launchesWithheld && d.instanceCap != null) {
      return Optional.of(Health.stalled(health.available(), "InstanceCapReached", "The "
          + "namespace " + d.release.getMetadata().getNamespace() + " may hold at most "
          + d.instanceCap + " live instances (AwsAccount maxInstancesPerNamespace); "
          + "launching more would pass it. Meanwhile: " + health.message()));
    }
    return Optional.empty();
  }
}
