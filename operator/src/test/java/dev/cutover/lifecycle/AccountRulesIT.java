package dev.cutover.lifecycle;

import static dev.cutover.testworld.ReleaseOps.active;
import static dev.cutover.testworld.ReleaseOps.ready;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cutover.api.AllowedLaunches;
import dev.cutover.api.AwsAccount;
import dev.cutover.api.AwsAccountSpec;
import dev.cutover.api.Phase;
import dev.cutover.api.Release;
import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.status.StatusBuilder;
import dev.cutover.testworld.Ec2World;
import dev.cutover.testworld.Operators;
import dev.cutover.testworld.Patience;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.ReleaseOps;
import dev.cutover.testworld.TestWorld;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator checks an AwsAccount's rules again before every launch: a Release admitted before
 * a rule changed is Stalled and launches nothing, while production keeps serving; widening the
 * rule lets it go on. (Admission itself is covered by AdmissionPolicyIT.)
 */
@ExtendWith(TestWorld.class)
class AccountRulesIT {

  static final Ec2Gateway gateway = Operators.newGateway();

  @RegisterExtension
  static final LocallyRunOperatorExtension operator = Operators.inThisJvm(gateway);

  private final Ec2World ec2 = new Ec2World(TestWorld.ec2());
  private final String accountName = "rules-" + Long.toHexString(System.nanoTime());

  @AfterEach
  void removeTheAccount() {
    TestWorld.client().resources(AwsAccount.class).withName(accountName).delete();
    await().atMost(Patience.API_SERVER).until(() -> TestWorld.client()
        .resources(AwsAccount.class).withName(accountName).get() == null);
  }

  @Test
  void aReleaseTheAccountNoLongerAllowsLaunchesNothingAndProductionKeepsServing() {
    String namespace = operator.getNamespace();
    TestWorld.client().namespaces().withName(namespace).edit(ns -> {
      Map<String, String> labels = new java.util.HashMap<>(ns.getMetadata().getLabels() == null
          ? Map.of() : ns.getMetadata().getLabels());
      labels.put("team", "rules");
      ns.getMetadata().setLabels(labels);
      return ns;
    });
    account(List.of("t3.*"));
    ReleaseOps releases = ReleaseOps.in(namespace);
    Ec2World.Network network = ec2.defaultNetwork();
    releases.create(ReleaseBuilder.named("ruled").version("1.0.0").fleetSize(1)
        .network(network).previousFleetTTL("10m").promotion(p -> { }).build());
    releases.awaitPhase("ruled", Phase.Live, ReleaseOps::ready);
    String serving = ec2.address(network.allocationId()).instanceId();

    account(List.of("m6i.*"));
    releases.update("ruled", r -> r.getSpec().version = "2.0.0");
    Release refused = await().atMost(Patience.RECONCILE).until(() -> releases.get("ruled"),
        r -> "NotAllowed".equals(ReleaseOps.reason(r, StatusBuilder.READY)));
    assertThat(StatusBuilder.find(refused.getStatus(), StatusBuilder.READY).getMessage())
        .contains("AwsAccount " + accountName + " does not allow instance type t3.small "
            + "(allowed.instanceTypes)");
    await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() ->
        ec2.alive(releases.key("ruled"), "2.0.0").isEmpty()
            && serving.equals(ec2.address(network.allocationId()).instanceId()));

    account(null);
    releases.awaitPhase("ruled", Phase.Live, r -> ready(r) && active(r, "2.0.0"));
    assertThat(ec2.address(network.allocationId()).instanceId())
        .isIn(Ec2World.ids(ec2.alive(releases.key("ruled"), "2.0.0")));
  }

  /** The default account for namespaces labelled team=rules, allowing these instance types. */
  private void account(List<String> instanceTypes) {
    AwsAccount account = new AwsAccount();
    account.setMetadata(new ObjectMetaBuilder().withName(accountName).build());
    AwsAccountSpec spec = new AwsAccountSpec();
    spec.isDefault = true;
    spec.regions = List.of("us-east-1");
    spec.namespaceSelector = new LabelSelectorBuilder().withMatchLabels(Map.of("team", "rules"))
        .build();
    spec.allowed = new AllowedLaunches();
    spec.allowed.instanceTypes = instanceTypes;
    account.setSpec(spec);
    TestWorld.client().resource(account).forceConflicts().serverSideApply();
  }
}
