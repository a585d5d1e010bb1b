package dev.cutover;

import dev.cutover.act.PlanExecutor;
import dev.cutover.api.Release;
import dev.cutover.decide.Allowance;
import dev.cutover.observe.Accounts;
import dev.cutover.observe.Ec2Targets;

/**
 * Each Release's account and region: the AwsAccount it names (or the default one, or none: the
 * operator's own credentials) and {@code spec.region} (or the account's first region, or the
 * operator's). A Release whose account cannot be chosen (it names an account that does not
 * exist, or two are marked default) stays where it was last observed: the decision refuses its
 * launches, and what it has keeps being watched.
 */
final class AccountRoutes implements ReleasePass.Routes {

  private final Ec2Targets targets;
  private final Accounts accounts;

  AccountRoutes(Ec2Targets targets, Accounts accounts) {
    this.targets = targets;
    this.accounts = accounts;
  }

  @Override
  public ReleasePass.Route routeFor(Release release) {
    String uid = release.getMetadata().getUid();
    Allowance.AccountChoice choice = Allowance.accountFor(release.getSpec(),
        accounts.accounts());
    Ec2Targets.Target target = choice.refusal().isPresent() ? targets.lastRouteOf(uid)
        : targets.route(uid, choice.account(), release.getSpec().region);
    return new ReleasePass.Route(target.inventory(),
        new PlanExecutor(target.gateway(), target.inventory()));
  }

  @Override
  public void forget(Release release) {
    targets.forget(release.getMetadata().getUid());
  }
}
