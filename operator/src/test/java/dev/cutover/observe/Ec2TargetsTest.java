package dev.cutover.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.api.AwsAccount;
import dev.cutover.api.AwsAccountSpec;
import dev.cutover.api.AwsCredentials;
import dev.cutover.ec2.AwsClients;
import dev.cutover.ec2.Ec2Gateway;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/** Which account and region a Release is observed in, and which targets a poll asks. */
class Ec2TargetsTest {

  /** Nothing is called: clients are built, never used. */
  private static final Optional<URI> NOWHERE = Optional.of(URI.create("http://127.16.0.1:9"));

  private final AwsClients clients = new AwsClients(NOWHERE,
      StaticCredentialsProvider.create(AwsBasicCredentials.create("k", "s")));
  private final Ec2Gateway own = clients.gateway(Region.US_EAST_1, null);
  private final Ec2Targets targets = new Ec2Targets(clients, own, Region.US_EAST_1,
      Clock.systemUTC(), Duration.ofSeconds(3));

  @AfterEach
  void close() {
    targets.close();
    own.close();
  }

  @Test
  void withoutAnAccountOrARegionEveryReleaseIsTheOperatorsOwn() {
    assertThat(targets.route("uid-1", Optional.empty(), null)).isSameAs(targets.own());
    assertThat(targets.own().gateway()).isSameAs(own);
    assertThat(targets.polled()).containsExactly(targets.own());
  }

  @Test
  void theRegionIsTheReleasesThenTheAccountsFirstThenTheOperators() {
    AwsAccount roleInTwoRegions = account("team-a", "arn:aws:iam::111122223333:role/x", "ext",
        List.of("eu-west-1", "us-east-1"));
    assertThat(targets.target(Optional.of(roleInTwoRegions), null).key()).isEqualTo(
        new Ec2Targets.Key("team-a", "arn:aws:iam::111122223333:role/x", "ext",
            Region.EU_WEST_1));
    assertThat(targets.target(Optional.of(roleInTwoRegions), "us-east-1").key().region())
        .isEqualTo(Region.US_EAST_1);
    assertThat(targets.target(Optional.empty(), "eu-west-1").key())
        .isEqualTo(new Ec2Targets.Key(Ec2Targets.OWN, null, null, Region.EU_WEST_1));
  }

  @Test
  void aRoleIsAssumedAnAccountWithoutCredentialsIsTheOperatorsOwn() {
    Ec2Targets.Target role = targets.target(Optional.of(account("team-a",
        "arn:aws:iam::111122223333:role/x", null, List.of("us-east-1"))), null);
    assertThat(role.credentials()).isNotNull();
    assertThat(role).isNotSameAs(targets.own());
    assertThat(targets.target(Optional.of(account("plain", null, null,
        List.of("us-east-1"))), null)).isSameAs(targets.own());
  }

  @Test
  void oneTargetPerAccountAndRegionPolledWhileAReleaseUsesIt() {
    AwsAccount a = account("team-a", "arn:aws:iam::111122223333:role/x", null,
        List.of("eu-west-1"));
    Ec2Targets.Target first = targets.route("uid-1", Optional.of(a), null);
    assertThat(targets.route("uid-2", Optional.of(a), "eu-west-1")).isSameAs(first);
    assertThat(targets.polled()).containsExactlyInAnyOrder(targets.own(), first);
    assertThat(targets.lastRouteOf("uid-1")).isSameAs(first);

    targets.forget("uid-1");
    assertThat(targets.polled()).contains(first);
    targets.forget("uid-2");
    assertThat(targets.polled()).containsExactly(targets.own());
    assertThat(targets.lastRouteOf("uid-2")).isSameAs(targets.own());
  }

  @Test
  void anotherRoleForTheSameAccountNameIsAnotherTarget() {
    var before = targets.target(Optional.of(account("team-a",
        "arn:aws:iam::111122223333:role/x", null, List.of("eu-west-1"))), null);
    var after = targets.target(Optional.of(account("team-a",
        "arn:aws:iam::111122223333:role/y", null, List.of("eu-west-1"))), null);
    assertThat(after).isNotSameAs(before);
  }

  private static AwsAccount account(String name, String roleArn, String externalId,
      List<String> regions) {
    AwsAccount account = new AwsAccount();
    account.setMetadata(new ObjectMetaBuilder().withName(name).build());
    AwsAccountSpec spec = new AwsAccountSpec();
    spec.regions = regions;
    if (roleArn != null) {
      spec.credentials = new AwsCredentials();
      spec.credentials.roleArn = roleArn;
      spec.credentials.externalId = externalId;
    }
    account.setSpec(spec);
    return account;
  }
}
