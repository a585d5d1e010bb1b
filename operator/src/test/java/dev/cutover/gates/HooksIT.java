package dev.cutover.gates;

import static dev.cutover.testworld.ReleaseOps.active;
import static dev.cutover.testworld.ReleaseOps.ready;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.cutover.api.Hooks;
import dev.cutover.api.Phase;
import dev.cutover.api.Release;
import dev.cutover.api.Webhook;
import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.testworld.Ec2Proxy;
import dev.cutover.testworld.Ec2World;
import dev.cutover.testworld.Operators;
import dev.cutover.testworld.Patience;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.ReleaseOps;
import dev.cutover.testworld.TestWorld;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Lifecycle webhooks on the real API server + moto, received by a real HTTP server on
 * 127.0.0.1: preSwitch before the switch (a timeout retried, a 409 vetoing), postSwitch once
 * after it, preTerminate before the retained fleet's TerminateInstances.
 */
@ExtendWith(TestWorld.class)
class HooksIT {

  /** One call as the receiver got it. */
  record Received(Instant at, String path, String idempotencyKey, JsonNode body) {
    String version() {
      return body.path("fleet").path("version").asText();
    }
  }

  static final Ec2Proxy proxy = new Ec2Proxy(TestWorld.moto().endpoint());
  static final Ec2Gateway gateway = new Ec2Gateway(TestWorld.newEc2Client(proxy.endpoint()));

  @RegisterExtension
  static final LocallyRunOperatorExtension operator = Operators.inThisJvm(gateway);

  static HttpServer receiver;
  static final List<Received> received = new CopyOnWriteArrayList<>();
  /** The answers of /pre-switch by the version of the fleet it is about; 200 otherwise. */
  static final Map<String, Integer> preSwitchAnswers = new ConcurrentHashMap<>();
  /** Versions whose first preSwitch call gets no answer (it times out and is retried). */
  static final Map<String, AtomicInteger> hangFirst = new ConcurrentHashMap<>();
  static final CountDownLatch stopping = new CountDownLatch(1);

  private final Ec2World ec2 = new Ec2World(TestWorld.ec2());
  private ReleaseOps releases;
  private Ec2World.Network network;

  @BeforeAll
  static void startReceiver() throws IOException {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/", exchange -> {
      JsonNode body = new ObjectMapper().readTree(exchange.getRequestBody().readAllBytes());
      Received r = new Received(Instant.now(), exchange.getRequestURI().getPath(),
          exchange.getRequestHeaders().getFirst("Idempotency-Key"), body);
      received.add(r);
      int status = 200;
      if (r.path().equals("/pre-switch")) {
        AtomicInteger hang = hangFirst.get(r.version());
        if (hang != null && hang.getAndIncrement() == 0) {
          awaitStop();
          exchange.close();
          return;
        }
        status = preSwitchAnswers.getOrDefault(r.version(), 200);
      }
      byte[] answer = "{}".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    receiver.setExecutor(Executors.newCachedThreadPool());
    receiver.start();
  }

  private static void awaitStop() {
    try {
      stopping.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @BeforeEach
  void network() {
    proxy.reset();
    releases = ReleaseOps.in(operator.getNamespace());
    network = ec2.defaultNetwork();
  }

  @AfterAll
  static void stop() {
    stopping.countDown();
    receiver.stop(0);
    proxy.close();
  }

  @Test
  void preSwitchIsRetriedAfterATimeoutThenPostSwitchOnceAndPreTerminateBeforeTermination() {
    hangFirst.put("2.0.0", new AtomicInteger());
    releases.create(release("hooked", "1.0.0"));
    releases.awaitLive("hooked", "1.0.0");
    List<String> old = Ec2World.ids(ec2.alive(releases.key("hooked"), "1.0.0"));
    proxy.reset();
    releases.update("hooked", r -> r.getSpec().version = "2.0.0");
    releases.awaitPhase("hooked", Phase.Live, r -> ready(r) && active(r, "2.0.0"));
    await().atMost(Patience.RECONCILE).untilAsserted(() ->
        assertThat(ec2.alive(releases.key("hooked"), "1.0.0")).isEmpty());
    String uid = releases.get("hooked").getMetadata().getUid();

    List<Received> preSwitch = calls("/pre-switch", uid, "2.0.0");
    assertThat(preSwitch).as("a timeout, then the retry").hasSize(2);
    assertThat(preSwitch).extracting(Received::idempotencyKey).doesNotContainNull()
        .containsOnly(preSwitch.get(0).idempotencyKey());
    JsonNode body = preSwitch.get(1).body();
    assertThat(body.get("event").asText()).isEqualTo("preSwitch");
    assertThat(body.at("/release/name").asText()).isEqualTo("hooked");
    assertThat(body.at("/release/namespace").asText()).isEqualTo(operator.getNamespace());
    assertThat(body.get("version").asText()).isEqualTo("2.0.0");
    assertThat(body.get("fromVersion").asText()).isEqualTo("1.0.0");
    assertThat(body.at("/fleet/instances")).hasSize(2);
    assertThat(body.at("/addresses/0/allocationId").asText()).isEqualTo(network.allocationId());
    assertThat(body.get("attempt").asInt()).isEqualTo(2);

    Instant allowed = preSwitch.get(1).at();
    List<Ec2Proxy.Call> switches = proxy.log().stream()
        .filter(c -> c.action().equals("AssociateAddress")).toList();
    assertThat(switches).as("the switch to 2.0.0").isNotEmpty()
        .allSatisfy(c -> assertThat(c.at()).isAfter(allowed));

    assertThat(calls("/post-switch", uid, "2.0.0")).as("postSwitch once").singleElement()
        .satisfies(r -> assertThat(r.body().get("fromVersion").asText()).isEqualTo("1.0.0"));
    List<Received> preTerminate = calls("/pre-terminate", uid, "1.0.0");
    assertThat(preTerminate).singleElement().satisfies(r -> assertThat(
        r.body().at("/fleet/instances").findValuesAsText("id")).containsExactlyInAnyOrderElementsOf(old));
    List<Ec2Proxy.Call> terminations = proxy.log().stream()
        .filter(c -> c.action().equals("TerminateInstances")
            && c.list("InstanceId").stream().anyMatch(old::contains)).toList();
    assertThat(terminations).isNotEmpty().allSatisfy(c ->
        assertThat(c.at()).isAfter(preTerminate.get(0).at()));
    assertThat(releases.eventReasons("hooked")).contains("HookCalled", "HookFailed");
  }

  @Test
  void aVetoFailsTheNewVersionAndLeavesProductionUntouched() {
    preSwitchAnswers.put("3.0.0", 409);
    releases.create(release("vetoed", "1.0.0"));
    releases.awaitLive("vetoed", "1.0.0");
    String serving = ec2.address(network.allocationId()).instanceId();
    proxy.reset();
    releases.update("vetoed", r -> r.getSpec().version = "3.0.0");
    Release failed = releases.awaitPhase("vetoed", Phase.Failed, r -> r.getStatus().lastFailure
        != null && "3.0.0".equals(r.getStatus().lastFailure.version));
    assertThat(failed.getStatus().lastFailure.reason).isEqualTo("PreSwitchHookVetoed");
    assertThat(failed.getStatus().lastFailure.message).contains("preSwitch hook",
        "status 409");
    assertThat(failed.getStatus().activeFleet.version).isEqualTo("1.0.0");
    String uid = failed.getMetadata().getUid();
    assertThat(calls("/pre-switch", uid, "3.0.0")).as("a refusal is not retried").hasSize(1);
    assertThat(proxy.log()).noneMatch(c -> c.action().equals("AssociateAddress"));
    assertThat(ec2.address(network.allocationId()).instanceId()).isEqualTo(serving);
  }

  private static List<Received> calls(String path, String uid, String version) {
    return received.stream().filter(r -> r.path().equals(path)
        && uid.equals(r.body().at("/release/uid").asText()) && r.version().equals(version))
        .toList();
  }

  private Release release(String name, String version) {
    String base = "http://127.0.0.1:" + receiver.getAddress().getPort();
    return ReleaseBuilder.named(name).version(version).fleetSize(2).network(network)
        .previousFleetTTL("3s").with(r -> {
          r.getSpec().hooks = new Hooks();
          r.getSpec().hooks.preSwitch = webhook(base + "/pre-switch");
          r.getSpec().hooks.preSwitch.timeout = "1s";
          r.getSpec().hooks.postSwitch = webhook(base + "/post-switch");
          r.getSpec().hooks.preTerminate = webhook(base + "/pre-terminate");
        }).build();
  }

  private static Webhook webhook(String url) {
    Webhook w = new Webhook();
    w.url = url;
    return w;
  }
}
