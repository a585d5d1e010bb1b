package dev.cutover.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.cutover.api.Phase;
import dev.cutover.api.Promotion;
import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.status.NotificationSecret;
import dev.cutover.testworld.Ec2World;
import dev.cutover.testworld.Namespaces;
import dev.cutover.testworld.Operators;
import dev.cutover.testworld.Patience;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.ReleaseOps;
import dev.cutover.testworld.TestWorld;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Notifications from an operator running in this JVM against the real API server and moto: the
 * URLs come from a Secret in the operator's namespace, and a receiver on the loopback address
 * gets the JSON message and the Slack text of each notified Event.
 */
@ExtendWith(TestWorld.class)
class NotificationsIT {

  /** Where the administrator keeps the Secret: not the namespace of the Releases. */
  static final String OPERATOR_NAMESPACE = "cutover-notify";
  static final String SECRET = "cutover-notifications";

  static final Ec2Gateway gateway = Operators.newGateway();

  @RegisterExtension
  static final LocallyRunOperatorExtension operator =
      Operators.notifyingInThisJvm(gateway, OPERATOR_NAMESPACE, SECRET);

  /** The bodies POSTed to /json and to /slack, in the order they came. */
  record Received(String path, JsonNode body) {}

  static final List<Received> received = new CopyOnWriteArrayList<>();
  static HttpServer receiver;

  @BeforeAll
  static void receiverAndSecret() throws IOException {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    for (String path : List.of("/json", "/slack")) {
      receiver.createContext(path, exchange -> {
        try {
          received.add(new Received(path, new ObjectMapper().readTree(
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8))));
          exchange.sendResponseHeaders(200, -1);
        } catch (IOException e) {
          exchange.sendResponseHeaders(400, -1);
          throw new UncheckedIOException(e);
        } finally {
          exchange.close();
        }
      });
    }
    receiver.start();
    String base = "http://127.0.0.1:" + receiver.getAddress().getPort();
    Namespaces.create(OPERATOR_NAMESPACE);
    TestWorld.client().resource(new SecretBuilder().withNewMetadata().withName(SECRET)
        .withNamespace(OPERATOR_NAMESPACE).endMetadata()
        .addToStringData(NotificationSecret.WEBHOOK_URLS, base + "/json\n")
        .addToStringData(NotificationSecret.SLACK_URLS, "# the team channel\n" + base + "/slack")
        .build()).createOr(NonDeletingOperation::update);
  }

  @AfterAll
  static void stopReceiver() {
    receiver.stop(0);
  }

  @Test
  void aBlueGreenUnderManualPromotionNotifiesEachStepAsJsonAndAsSlackText() {
    ReleaseOps releases = ReleaseOps.in(operator.getNamespace());
    Ec2World.Network network = new Ec2World(TestWorld.ec2()).defaultNetwork();
    releases.create(ReleaseBuilder.named("web").version("1.0.0").fleetSize(1)
        .network(network).previousFleetTTL("3s").promotion(p -> { }).build());
    releases.awaitLive("web", "1.0.0");

    releases.update("web", r -> {
      r.getSpec().version = "2.0.0";
      r.getSpec().promotion.mode = Promotion.Mode.Manual;
    });
    releases.awaitPhase("web", Phase.AwaitingPromotion, r -> true);
    releases.update("web", r -> r.getSpec().promotion.approvedVersion = "2.0.0");
    String publicIp = releases.awaitLive("web", "2.0.0").getStatus().elasticIp.publicIp;

    // The retained 1.0.0 fleet is terminated once its 3 s are over.
    await().atMost(Patience.RECONCILE).until(() -> json().stream()
        .anyMatch(b -> b.get("event").asText().equals("Terminated")));
    await().atMost(Patience.HTTP_CHECKS).until(() -> slack().size() == json().size());
    List<JsonNode> json = json();
    assertThat(json).extracting(b -> b.get("event").asText())
        .containsExactly("Promoted", "AwaitingPromotion", "Promoted", "Terminated");
    assertThat(json).extracting(b -> b.get("version").asText())
        .containsExactly("1.0.0", "2.0.0", "2.0.0", "2.0.0");
    String uid = releases.get("web").getMetadata().getUid();
    assertThat(json).allSatisfy(b -> {
      assertThat(b.at("/release/namespace").asText()).isEqualTo(operator.getNamespace());
      assertThat(b.at("/release/name").asText()).isEqualTo("web");
      assertThat(b.at("/release/uid").asText()).isEqualTo(uid);
      assertThat(b.get("type").asText()).isEqualTo("Normal");
      assertThat(b.get("at").asText()).isNotBlank();
    });
    assertThat(json.get(2).get("message").asText())
        .startsWith("Promoted: moved " + publicIp + " from 1.0.0 to 2.0.0");
    assertThat(json.get(3).get("message").asText())
        .startsWith("RetentionExpired: terminated 1 instance of 1.0.0");

    String prefix = "Cutover " + operator.getNamespace() + "/web: ";
    assertThat(slack()).extracting(b -> b.get("text").asText()).satisfiesExactly(
        t -> assertThat(t).startsWith(prefix + "Promoted — moved " + publicIp
            + " from nothing to 1.0.0"),
        t -> assertThat(t).startsWith(prefix + "AwaitingPromotion — Phase "),
        t -> assertThat(t).startsWith(prefix + "Promoted — moved " + publicIp
            + " from 1.0.0 to 2.0.0"),
        t -> assertThat(t).startsWith(prefix
            + "Terminated — RetentionExpired: terminated 1 instance of 1.0.0"));
  }

  private static List<JsonNode> json() {
    return received.stream().filter(r -> r.path().equals("/json")).map(Received::body).toList();
  }

  private static List<JsonNode> slack() {
    return received.stream().filter(r -> r.path().equals("/slack")).map(Received::body)
        .toList();
  }
}
