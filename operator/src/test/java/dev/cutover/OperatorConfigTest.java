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
      "CUTOVER_NOTIFICATIONS_SECRET|/name|namespace/name"})
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
