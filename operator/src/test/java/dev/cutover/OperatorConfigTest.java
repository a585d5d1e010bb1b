package dev.cutover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.regions.Region;

class OperatorConfigTest {

  @Test
  void defaultsApplyWhenNothingIsSet() {
    OperatorConfig config = OperatorConfig.fromEnvironment(Map.of());
    assertThat(config.region()).isEqualTo(Region.US_EAST_1);
    assertThat(config.ec2Endpoint()).isEmpty();
    assertThat(config.pollInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.namespaces()).isEmpty();
    assertThat(config.leaderElection()).isFalse();
    assertThat(config.leaseName()).isEqualTo("cutover-operator");
    assertThat(config.healthPort()).isEqualTo(8080);
    assertThat(config.logFormat()).isEqualTo("text");
    assertThat(config.notificationsSecret()).isEmpty();
    assertThat(config.shard()).isEmpty();
    assertThat(config.releaseSelector()).isEmpty();
    assertThat(config.instanceName()).isEqualTo("cutover-operator");
  }

  @Test
  void aShardNamesItsLeaseAndItselfAndSelectsItsReleases() {
    OperatorConfig config = OperatorConfig.fromEnvironment(Map.of(
        "CUTOVER_SHARD", "team-a",
        "CUTOVER_RELEASE_SELECTOR", "cutover.dev/shard in (a, b),!canary,tier!=test"));
    assertThat(config.shard()).contains("team-a");
    assertThat(config.leaseName()).isEqualTo("cutover-operator-team-a");
    assertThat(config.instanceName()).isEqualTo("cutover-operator-team-a");
    assertThat(config.releaseSelector()).get().hasToString(
        "cutover.dev/shard in (a,b),!canary,tier!=test");
  }

  @Test
  void anExplicitLeaseNameWinsOverTheShardsOwn() {
    assertThat(OperatorConfig.fromEnvironment(Map.of("CUTOVER_SHARD", "a",
        "CUTOVER_LEASE_NAME", "cutover")).leaseName()).isEqualTo("cutover");
  }

  @Test
  void aSelectorWithoutAShardNameIsRefused() {
    assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of(
        "CUTOVER_RELEASE_SELECTOR", "cutover.dev/shard=a")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CUTOVER_RELEASE_SELECTOR=\"cutover.dev/shard=a\" needs "
            + "CUTOVER_SHARD");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "cutover.dev/shard in ()|'in' needs at least one value|at position",
      "cutover.dev/shard in (a|expected ','|at position",
      "Cutover.dev/shard=a|'Cutover.dev/shard' is not a label key|DNS prefix",
      "shard=a b|expected ','|at position",
      "shard > 3|expected =, ==, !=, in or notin after the key shard|at position",
      "shard=-a|'-a' is not a label value|at most 63"})
  void anInvalidSelectorIsRefusedSayingWhatIsWrong(String selector, String what,
      String where) {
    assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of("CUTOVER_SHARD", "a",
        "CUTOVER_RELEASE_SELECTOR", selector)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CUTOVER_RELEASE_SELECTOR=\"" + selector + "\" is invalid")
        .hasMessageContaining(what).hasMessageContaining(where)
        .hasMessageContaining("cutover.dev/shard=a");
  }

  @Test
  void everySettingIsRead() {
    OperatorConfig config = OperatorConfig.fromEnvironment(Map.of(
        "AWS_REGION", "eu-west-1",
        "CUTOVER_EC2_ENDPOINT", "http://127.0.0.1:5000",
        "CUTOVER_POLL_INTERVAL", "1m30s",
        "CUTOVER_NAMESPACES", "shop, payments",
        "CUTOVER_LEADER_ELECTION", "true",
        "CUTOVER_LEASE_NAMESPACE", "cutover-system",
        "CUTOVER_HEALTH_PORT", "9090",
        "CUTOVER_NOTIFICATIONS_SECRET", "cutover-notifications"));
    assertThat(config.region()).isEqualTo(Region.EU_WEST_1);
    assertThat(config.ec2Endpoint()).contains(URI.create("http://127.0.0.1:5000"));
    assertThat(config.pollInterval()).isEqualTo(Duration.ofSeconds(90));
    assertThat(config.namespaces()).isEqualTo(Set.of("shop", "payments"));
    assertThat(config.leaderElection()).isTrue();
    assertThat(config.leaseNamespace()).contains("cutover-system");
    assertThat(config.healthPort()).isEqualTo(9090);
    assertThat(config.notificationsSecret()).contains(
        new OperatorConfig.SecretRef(Optional.empty(), "cutover-notifications"));
  }

  @Test
  void theNotificationsSecretMayNameItsNamespace() {
    assertThat(OperatorConfig.fromEnvironment(Map.of("CUTOVER_NOTIFICATIONS_SECRET",
        "cutover-system/cutover-notifications")).notificationsSecret()).contains(
        new OperatorConfig.SecretRef(Optional.of("cutover-system"), "cutover-notifications"));
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "CUTOVER_REGION|Ireland|an AWS region such as eu-west-1",
      "CUTOVER_POLL_INTERVAL|10 seconds|a duration such as 10s or 1m",
      "CUTOVER_POLL_INTERVAL|0s|a duration above zero",
      "CUTOVER_LEADER_ELECTION|yes|true or false",
      "CUTOVER_HEALTH_PORT|99999|a port number from 0 to 65535",
      "CUTOVER_EC2_ENDPOINT|http://[bad|a URL",
      "CUTOVER_LOG_FORMAT|xml|text or json",
      "CUTOVER_NOTIFICATIONS_SECRET|Notify_Me|a Secret name",
      "CUTOVER_NOTIFICATIONS_SECRET|a/b/c|namespace/name",
      "CUTOVER_NOTIFICATIONS_SECRET|/name|namespace/name",
      "CUTOVER_SHARD|Team_A|a DNS label of at most 40 characters",
      "CUTOVER_SHARD|a-shard-name-that-is-longer-than-forty-chars|at most 40 characters",
      "CUTOVER_LEASE_NAME|Cutover Lease|a Lease name"})
  void anInvalidValueFailsFastNamingTheVariable(String name, String value, String expected) {
    assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of(name, value)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(name + "=\"" + value + "\" is invalid")
        .hasMessageContaining(expected);
  }

  @Test
  void theReadmeDocumentsEverySetting() throws Exception {
    String readme = java.nio.file.Files.readString(java.nio.file.Path.of("..", "README.md"));
    for (OperatorConfig.Setting s : OperatorConfig.SETTINGS) {
      assertThat(readme).as(s.name()).contains("`" + s.name() + "`");
    }
  }
}
