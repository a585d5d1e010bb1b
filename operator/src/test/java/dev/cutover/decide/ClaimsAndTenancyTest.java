package dev.cutover.decide;

import static dev.cutover.decide.Given.EIP;
import static dev.cutover.decide.Given.T0;
import static dev.cutover.decide.Given.UID;
import static dev.cutover.decide.Given.release;
import static dev.cutover.ec2.InstanceState.RUNNING;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.api.AllowedLaunches;
import dev.cutover.api.AwsAccount;
import dev.cutover.api.AwsAccountSpec;
import dev.cutover.ec2.ElasticIp;
import dev.cutover.observe.Tenancy;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Who may use an address and what an AwsAccount allows, as decide applies them. */
class ClaimsAndTenancyTest {

  static final Instant LATER = T0.plus(Duration.ofMinutes(1));
  static final String OTHER_UID = "5b1c7d2e-0000-4000-8000-000000000002";

  private static Given live(String version, int size) {
    return release(version, size).fleet(version, size, RUNNING).eipOn(version, 0)
        .active(version);
  }

  private static String reason(Plan plan) {
    return plan.health().reason();
  }

  // ------------------------------------------------------------------ claims

  @Test
  void anUnclaimedAddressIsClaimedBeforeAnythingElse() {
    Given g = release("1.0.0", 2).fleet("1.0.0", 2, RUNNING).staging("1.0.0", T0, null)
        .at(LATER);
    g.address = new ElasticIp(EIP, "203.0.113.7", null, null, null);
    Plan plan = g.decide();
    assertThat(g.summary(plan)).containsExactly("claimaddress", "associate 1.0.0/0");
  }

  @Test
  void anAddressClaimedByAnotherReleaseMovesNothing() {
    Given g = release("1.0.0", 2).fleet("1.0.0", 2, RUNNING).staging("1.0.0", T0, null)
        .at(LATER);
    g.address = new ElasticIp(EIP, "203.0.113.7", null, null, null, OTHER_UID, "shop/other");
    Plan plan = g.decide();
    assertThat(plan.actions()).isEmpty();
    assertThat(reason(plan)).isEqualTo("ElasticIpClaimed");
    assertThat(plan.health().message()).contains("shop/other");
  }

  @Test
  void anUnclaimedAddressOnAForeignInstanceIsNotTakenUnlessTheSpecSaysSo() {
    Given g = release("1.0.0", 1).at(LATER);
    g.address = new ElasticIp(EIP, "203.0.113.7", "i-0foreign", "eipassoc-1", null);
    Plan plan = g.decide();
    assertThat(plan.actions()).isEmpty();
    assertThat(reason(plan)).isEqualTo("ElasticIpInUse");

    g.spec(r -> r.getSpec().elasticIp.takeOver = true);
    assertThat(g.summary(g.decide())).containsExactly("claimaddress", "launch 1.0.0 [0]");
  }

  @Test
  void aHandMoveToAForeignInstanceIsReportedNotFought() {
    Given g = live("1.0.0", 2).at(LATER);
    g.address = g.address.associatedWith("i-0foreign");
    Plan plan = g.decide();
    assertThat(g.summary(plan)).doesNotContain("associate 1.0.0/0", "associate 1.0.0/1");
    assertThat(reason(plan)).isEqualTo("ElasticIpMovedOutOfBand");

    g.spec(r -> r.getSpec().elasticIp.takeOver = true);
    assertThat(g.summary(g.decide())).containsExactly("associate 1.0.0/0");
  }

  @Test
  void deletionRemovesOnlyItsOwnClaim() {
    Given own = live("1.0.0", 1).at(LATER).deleting();
    assertThat(own.summary(own.decide())).contains("unclaimaddress");

    Given other = live("1.0.0", 1).at(LATER).deleting();
    other.address = new ElasticIp(EIP, "203.0.113.7", "i-0x", "eipassoc-1", null, OTHER_UID,
        "shop/other");
    assertThat(other.summary(other.decide())).doesNotContain("unclaimaddress",
        "releaseaddress");
  }

  // ------------------------------------------------------------------ tenancy

  private static AwsAccount account(String name, AllowedLaunches allowed, Integer cap,
      boolean isDefault) {
    AwsAccount a = new AwsAccount();
    a.setMetadata(new ObjectMetaBuilder().withName(name).build());
    AwsAccountSpec spec = new AwsAccountSpec();
    spec.regions = List.of("eu-west-1");
    spec.isDefault = isDefault;
    spec.namespaceSelector = new LabelSelectorBuilder().addToMatchLabels("team", "a").build();
    spec.allowed = allowed;
    spec.maxInstancesPerNamespace = cap;
    a.setSpec(spec);
    return a;
  }

  private static Tenancy teamA(AwsAccount account, int liveInNamespace) {
    return new Tenancy(List.of(account), Map.of("team", "a"), Optional.empty(),
        liveInNamespace);
  }

  @Test
  void aReleaseTheAccountNoLongerAllowsLaunchesNothingAndProductionKeepsServing() {
    AllowedLaunches onlyOtherSubnets = new AllowedLaunches();
    onlyOtherSubnets.subnets = List.of("subnet-0ffffffffffffffff");
    Given g = live("1.0.0", 2).spec(r -> r.getSpec().version = "2.0.0").at(LATER)
        .tenancy(teamA(account("team-a", onlyOtherSubnets, null, true), 2));
    Plan plan = g.decide();
    assertThat(plan.actions()).isEmpty();
    assertThat(reason(plan)).isEqualTo("NotAllowed");
    assertThat(plan.health().available()).as("production serves").isTrue();
    assertThat(plan.health().message()).contains("allowed.subnets");
  }

  @Test
  void aVerifiedFleetIsNotSwitchedToOnceTheRulesRefuseIt() {
    AllowedLaunches types = new AllowedLaunches();
    types.instanceTypes = List.of("m6i.*");
    Given g = live("1.0.0", 1).fleet("2.0.0", 1, RUNNING).staging("2.0.0", T0, null)
        .spec(r -> r.getSpec().version = "2.0.0").at(LATER)
        .tenancy(teamA(account("team-a", types, null, true), 2));
    Plan plan = g.decide();
    assertThat(g.summary(plan)).noneMatch(a -> a.startsWith("associate"));
    assertThat(reason(plan)).isEqualTo("NotAllowed");
  }

  @Test
  void aNamedAccountThatDoesNotExistRefusesLaunches() {
    Given g = release("1.0.0", 1).spec(r -> r.getSpec().account = "team-z").at(LATER)
        .tenancy(new Tenancy(List.of(), Map.of(), Optional.empty(), 0));
    Plan plan = g.decide();
    assertThat(plan.actions()).isEmpty();
    assertThat(plan.health().message()).contains("AwsAccount team-z does not exist");
  }

  @Test
  void aNamespaceNotSelectedByTheDefaultAccountLaunchesNothing() {
    Given g = release("1.0.0", 1).at(LATER).tenancy(new Tenancy(
        List.of(account("team-a", null, null, true)), Map.of("team", "b"), Optional.empty(), 0));
    Plan plan = g.decide();
    assertThat(plan.actions()).isEmpty();
    assertThat(plan.health().message()).contains("namespaceSelector");
  }

  @Test
  void theNamespaceCapHoldsBackALaunchThatWouldPassIt() {
    Given g = release("1.0.0", 2).at(LATER)
        .tenancy(teamA(account("team-a", null, 3, true), 2));
    Plan plan = g.decide();
    assertThat(plan.actions()).isEmpty();
    assertThat(reason(plan)).isEqualTo("InstanceCapReached");

    g.tenancy(teamA(account("team-a", null, 4, true), 2));
    assertThat(g.summary(g.decide())).containsExactly("launch 1.0.0 [0, 1]");
  }

  @Test
  void anAllowedReleaseLaunchesAsBefore() {
    Given g = release("1.0.0", 2).at(LATER).tenancy(teamA(account("team-a", null, null, true),
        0));
    assertThat(g.summary(g.decide())).containsExactly("launch 1.0.0 [0, 1]");
    assertThat(UID).isNotEqualTo(OTHER_UID);
  }
}
