package dev.cutover.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cutover.Cutover;
import dev.cutover.CutoverMetrics;
import dev.cutover.api.AwsAccount;
import dev.cutover.api.AwsAccountSpec;
import dev.cutover.api.AwsCredentials;
import dev.cutover.api.Phase;
import dev.cutover.api.Release;
import dev.cutover.ec2.AwsClients;
import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.ec2.Tags;
import dev.cutover.observe.CheckAddresses;
import dev.cutover.observe.Ec2Targets;
import dev.cutover.testworld.Crds;
import dev.cutover.testworld.Ec2World;
import dev.cutover.testworld.Operators;
import dev.cutover.testworld.Patience;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.ReleaseOps;
import dev.cutover.testworld.TestWorld;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * One operator, several AWS accounts and regions, for real on one moto server: two AwsAccounts
 * whose roles are in two other accounts (assumed through STS with their external ids), Releases
 * in two namespaces and two regions. Each Release goes Live with its fleet and Elastic IP in its
 * own account and region, none in the operator's own; each AwsAccount's status names the account
 * its role reaches; and each account and region is polled once per interval.
 */
@ExtendWith(TestWorld.class)
class AccountsIT {

  private static final Logger log = LoggerFactory.getLogger(AccountsIT.class);

  static final String ACCOUNT_A = "111122223333";
  static final String ACCOUNT_B = "444455556666";
  static final String ROLE_A = "arn:aws:iam::" + ACCOUNT_A + ":role/cutover";
  static final String ROLE_B = "arn:aws:iam::" + ACCOUNT_B + ":role/cutover";
  static final Region EU = Region.EU_WEST_1;
  static final Region US = Region.US_EAST_1;

  private final KubernetesClient client = TestWorld.client();
  private final AwsClients aws = new AwsClients(Optional.of(TestWorld.moto().endpoint()),
      StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")));
  private final List<AutoCloseable> opened = new ArrayList<>();
  private final String suffix = UUID.randomUUID().toString().substring(0, 6);
  private Operator operator;

  @AfterEach
  void stop() throws Exception {
    if (operator != null) {
      operator.stop();
    }
    for (AutoCloseable c : opened) {
      c.close();
    }
    client.resources(AwsAccount.class).withLabel("test", "accounts-it").delete();
  }

  @Test
  void releasesGoLiveInTheirOwnAccountsAndRegionsEachPolledOncePerInterval() {
    Crds.installReleaseCrd(client);
    String teamA = namespace("team-a-" + suffix, "a");
    String teamB = namespace("team-b-" + suffix, "b");
    String accountA = "team-a-" + suffix;
    String accountB = "team-b-" + suffix;
    account(accountA, ROLE_A, "external-a", List.of("us-east-1", "eu-west-1"), "a");
    account(accountB, ROLE_B, "external-b", List.of("eu-west-1"), "b");

    Ec2World aUs = world(ROLE_A, "external-a", US);
    Ec2World aEu = world(ROLE_A, "external-a", EU);
    Ec2World bEu = world(ROLE_B, "external-b", EU);
    Ec2World.Network netAUs = aUs.loopbackNetwork("127.16.0.0/16", "127.16.11.0/24");
    Ec2World.Network netAEu = aEu.loopbackNetwork("127.16.0.0/16", "127.16.12.0/24");
    Ec2World.Network netBEu = bEu.loopbackNetwork("127.16.0.0/16", "127.16.21.0/24");

    Ec2Gateway own = Operators.newGateway();
    opened.add(own);
    Ec2Targets targets = new Ec2Targets(AwsClients.like(own), own, own.region(),
        Clock.systemUTC(), Operators.POLL.multipliedBy(3));
    opened.add(targets);
    operator = new Operator(o -> o.withKubernetesClient(TestWorld.kube().newClient()));
    operator.register(Cutover.reconciler(client, targets, Clock.systemUTC(), Operators.POLL,
        CheckAddresses.instanceIps(), CutoverMetrics.unscraped()));
    operator.start();

    ReleaseOps a = ReleaseOps.in(teamA);
    ReleaseOps b = ReleaseOps.in(teamB);
    a.create(ReleaseBuilder.named("shop").network(netAUs).fleetSize(2)
        .with(r -> r.getSpec().account = accountA).with(r -> r.getSpec().region = "us-east-1")
        .build());
    a.create(ReleaseBuilder.named("search").network(netAEu).fleetSize(2)
        .with(r -> r.getSpec().account = accountA).with(r -> r.getSpec().region = "eu-west-1")
        .build());
    // No region: the account's first, eu-west-1.
    b.create(ReleaseBuilder.named("billing").network(netBEu).fleetSize(3)
        .with(r -> r.getSpec().account = accountB).build());

    Release shop;
    Release search;
    Release billing;
    try {
      shop = a.awaitPhase("shop", Phase.Live, ReleaseOps::ready);
      search = a.awaitPhase("search", Phase.Live, ReleaseOps::ready);
      billing = b.awaitPhase("billing", Phase.Live, ReleaseOps::ready);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      StringBuilder why = new StringBuilder("not Live in time:\n");
      for (var ops : List.of(a, b)) {
        for (Release r : ops.list()) {
          why.append(ops.key(r.getMetadata().getName())).append(":\n")
              .append(io.fabric8.kubernetes.client.utils.Serialization.asYaml(r.getStatus()))
              .append("events: ").append(ops.eventMessages(r.getMetadata().getName()))
              .append("\n");
        }
      }
      why.append("calls by target: ");
      targets.all().forEach(t -> why.append(t.key()).append('=')
          .append(t.gateway().callCounts()).append("\n"));
      throw new AssertionError(why.toString(), e);
    }

    assertLiveIn(aUs, shop, netAUs, 2);
    assertLiveIn(aEu, search, netAEu, 2);
    assertLiveIn(bEu, billing, netBEu, 3);
    assertThat(aUs.aliveOfRelease(b.key("billing"))).isEmpty();
    assertThat(aEu.aliveOfRelease(a.key("shop"))).isEmpty();
    assertThat(bEu.aliveOfRelease(a.key("search"))).isEmpty();
    assertThat(managed(new Ec2World(TestWorld.ec2()))).as("the operator's own account, "
        + "us-east-1").isEmpty();
    try (Ec2Client ownEu = Ec2Client.builder().endpointOverride(TestWorld.moto().endpoint())
        .region(EU).credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create("testing", "testing"))).build()) {
      assertThat(managed(new Ec2World(ownEu))).as("the operator's own account, eu-west-1")
          .isEmpty();
    }

    await().atMost(Patience.RECONCILE).untilAsserted(() -> {
      assertReady(accountA, ACCOUNT_A);
      assertReady(accountB, ACCOUNT_B);
    });

    // One DescribeInstances per account and region per poll interval.
    Map<String, Long> before = describeInstancesByTarget(targets);
    assertThat(before.keySet()).contains("own/us-east-1", accountA + "/us-east-1",
        accountA + "/eu-west-1", accountB + "/eu-west-1");
    Duration window = Duration.ofSeconds(10);
    long started = System.nanoTime();
    // A measurement window, not a wait for a condition: the counters are read at both ends.
    await().atMost(window.plusSeconds(5)).pollInterval(Duration.ofMillis(100))
        .until(() -> System.nanoTime() - started >= window.toNanos());
    Map<String, Long> after = describeInstancesByTarget(targets);
    double intervals = (System.nanoTime() - started) / (double) Operators.POLL.toNanos();
    Map<String, Double> perPoll = new TreeMap<>();
    after.forEach((target, n) -> perPoll.put(target,
        (n - before.getOrDefault(target, 0L)) / intervals));
    log.info("DescribeInstances per poll interval ({}), by account/region: {}", Operators.POLL,
        perPoll);
    assertThat(perPoll).allSatisfy((target, rate) ->
        assertThat(rate).as(target).isBetween(0.5, 1.3));
  }

  private void assertLiveIn(Ec2World world, Release release, Ec2World.Network network,
      int size) {
    String key = release.getMetadata().getNamespace() + "/" + release.getMetadata().getName();
    List<Instance> fleet = world.aliveOfRelease(key);
    assertThat(fleet).hasSize(size).allSatisfy(i -> {
      assertThat(i.subnetId()).isEqualTo(network.subnetId());
      assertThat(Ec2World.tag(i, Tags.RELEASE_UID)).isEqualTo(release.getMetadata().getUid());
    });
    assertThat(world.address(network.allocationId()).instanceId())
        .isEqualTo(release.getStatus().activeFleet.primaryInstanceId).isIn(Ec2World.ids(fleet));
  }

  private void assertReady(String name, String accountId) {
    AwsAccount account = client.resources(AwsAccount.class).withName(name).get();
    assertThat(account.getStatus()).isNotNull();
    assertThat(account.getStatus().accountId).isEqualTo(accountId);
    assertThat(account.getStatus().arn).startsWith("arn:aws:sts::" + accountId
        + ":assumed-role/cutover/" + AwsClients.SESSION_NAME);
    assertThat(account.getStatus().checkedAt).isNotNull();
    assertThat(account.getStatus().conditions).singleElement().satisfies(c -> {
      assertThat(c.getType()).isEqualTo("Ready");
      assertThat(c.getStatus()).isEqualTo("True");
      assertThat(c.getReason()).isEqualTo("CredentialsValid");
    });
  }

  private static List<Instance> managed(Ec2World world) {
    return world.all().stream()
        .filter(i -> "cutover".equals(Ec2World.tag(i, Tags.MANAGED_BY))).toList();
  }

  private static Map<String, Long> describeInstancesByTarget(Ec2Targets targets) {
    Map<String, Long> counts = new TreeMap<>();
    targets.polled().forEach(t -> counts.put(t.key().toString(),
        t.gateway().callCounts().getOrDefault("DescribeInstances/ok", 0L)));
    return counts;
  }

  /** EC2 of an account, as a person holding its role would see it. */
  private Ec2World world(String roleArn, String externalId, Region region) {
    AwsClients.RoleCredentials role = aws.assume(region, roleArn, externalId);
    opened.add(role);
    Ec2Client ec2 = Ec2Client.builder().endpointOverride(TestWorld.moto().endpoint())
        .region(region).credentialsProvider(role).build();
    opened.add(ec2);
    return new Ec2World(ec2);
  }

  private String namespace(String name, String team) {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
        .addToLabels("team", team).endMetadata().build()).serverSideApply();
    return name;
  }

  private void account(String name, String roleArn, String externalId, List<String> regions,
      String team) {
    AwsAccount account = new AwsAccount();
    account.setMetadata(new ObjectMetaBuilder().withName(name)
        .addToLabels("test", "accounts-it").build());
    AwsAccountSpec spec = new AwsAccountSpec();
    spec.regions = regions;
    spec.credentials = new AwsCredentials();
    spec.credentials.roleArn = roleArn;
    spec.credentials.externalId = externalId;
    spec.namespaceSelector = new LabelSelectorBuilder().addToMatchLabels("team", team).build();
    account.setSpec(spec);
    client.resource(account).create();
  }

}
