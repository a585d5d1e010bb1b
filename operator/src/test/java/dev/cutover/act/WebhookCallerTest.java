package dev.cutover.act;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cutover.api.Hooks;
import dev.cutover.api.Release;
import dev.cutover.api.Webhook;
import dev.cutover.decide.Action.CallHook;
import dev.cutover.decide.Action.CallHook.Call;
import dev.cutover.ec2.ElasticIp;
import dev.cutover.ec2.InstanceState;
import dev.cutover.ec2.ManagedInstance;
import dev.cutover.testworld.ReleaseBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One webhook call against a real HTTP server on the loopback address. */
class WebhookCallerTest {

  static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

  /** What the server received: the Idempotency-Key header and the body. */
  record Received(String idempotencyKey, String contentType, String body) {}

  private LoopbackServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  /** The statuses the /hook endpoint answers, one per call; 200 once they are used up. */
  private final Queue<Integer> answers = new ConcurrentLinkedQueue<>();
  private final WebhookCaller caller = new WebhookCaller(Clock.fixed(NOW, ZoneOffset.UTC));

  @BeforeEach
  void start() {
    server = new LoopbackServer().handle("/hook", exchange -> {
      received.add(new Received(exchange.getRequestHeaders().getFirst("Idempotency-Key"),
          exchange.getRequestHeaders().getFirst("Content-Type"),
          new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
      Integer status = answers.poll();
      exchange.sendResponseHeaders(status == null ? 200 : status, -1);
      exchange.close();
    });
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void theBodyNamesTheReleaseTheFleetItsInstancesAndTheAddresses() throws IOException {
    Call call = caller.call(hook("/hook", 1), release());
    assertThat(call).isEqualTo(new Call("uid-1/preSwitch/f2/1", 200, null, true));
    assertThat(received).singleElement().satisfies(r -> {
      assertThat(r.idempotencyKey()).isEqualTo("uid-1/preSwitch/f2/1");
      assertThat(r.contentType()).isEqualTo("application/json");
    });
    JsonNode body = new ObjectMapper().readTree(received.get(0).body());
    assertThat(body.get("event").asText()).isEqualTo("preSwitch");
    assertThat(body.at("/release/namespace").asText()).isEqualTo("shop");
    assertThat(body.at("/release/name").asText()).isEqualTo("app");
    assertThat(body.at("/release/uid").asText()).isEqualTo("uid-1");
    assertThat(body.at("/release/generation").asLong()).isEqualTo(3);
    assertThat(body.get("version").asText()).isEqualTo("2.0.0");
    assertThat(body.get("fromVersion").asText()).isEqualTo("1.0.0");
    assertThat(body.at("/fleet/id").asText()).isEqualTo("f2");
    assertThat(body.at("/fleet/version").asText()).isEqualTo("2.0.0");
    assertThat(body.at("/fleet/instances/0/id").asText()).isEqualTo("i-1");
    assertThat(body.at("/fleet/instances/0/slot").asInt()).isEqualTo(0);
    assertThat(body.at("/fleet/instances/0/privateIp").asText()).isEqualTo("127.16.1.4");
    assertThat(body.at("/fleet/instances/1/id").asText()).isEqualTo("i-2");
    assertThat(body.at("/addresses/0/allocationId").asText()).isEqualTo("eipalloc-1");
    assertThat(body.at("/addresses/0/publicIp").asText()).isEqualTo("203.0.113.7");
    assertThat(body.get("attempt").asInt()).isEqualTo(1);
    assertThat(body.get("at").asText()).isEqualTo(NOW.toString());
  }

  @Test
  void aConflictIsARefusalThatIsNotRetried() {
    answers.add(409);
    assertThat(caller.call(hook("/hook", 1), release()))
        .isEqualTo(new Call("uid-1/preSwitch/f2/1", 409, "status 409", false));
  }

  @Test
  void aServerErrorAndTooManyRequestsMayBeRetried() {
    answers.add(503);
    answers.add(429);
    assertThat(caller.call(hook("/hook", 1), release()).retryable()).isTrue();
    assertThat(caller.call(hook("/hook", 2), release()))
        .isEqualTo(new Call("uid-1/preSwitch/f2/1", 429, "status 429", true));
  }

  @Test
  void noAnswerWithinTheTimeoutMayBeRetried() {
    CallHook hook = hook("/hang", 1);
    hook.hook().timeout = "300ms";
    assertThat(caller.call(hook, release()))
        .isEqualTo(new Call("uid-1/preSwitch/f2/1", null, "no answer within 300ms", true));
  }

  @Test
  void aClosedPortIsReportedNotThrown() throws IOException {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    CallHook hook = hook("/hook", 1);
    hook.hook().url = "http://127.0.0.1:" + closed + "/hook";
    assertThat(caller.call(hook, release())).satisfies(c -> {
      assertThat(c.succeeded()).isFalse();
      assertThat(c.retryable()).isTrue();
      assertThat(c.problem()).contains("ConnectException");
    });
  }

  @Test
  void aRetryCarriesTheSameKeyAndItsAttempt() throws IOException {
    answers.add(503);
    caller.call(hook("/hook", 1), release());
    caller.call(hook("/hook", 2), release());
    assertThat(received).extracting(Received::idempotencyKey)
        .containsExactly("uid-1/preSwitch/f2/1", "uid-1/preSwitch/f2/1");
    assertThat(new ObjectMapper().readTree(received.get(1).body()).get("attempt").asInt())
        .isEqualTo(2);
  }

  private CallHook hook(String path, int attempt) {
    Webhook w = new Webhook();
    w.url = "http://127.0.0.1:" + server.port() + path;
    return new CallHook(Hooks.Event.preSwitch, w, "f2", "2.0.0", "1.0.0",
        List.of(instance("i-1", 0, "127.16.1.4"), instance("i-2", 1, "127.16.1.5")),
        List.of(new ElasticIp("eipalloc-1", "203.0.113.7", null, null, null, "uid-1",
            "shop/app")),
        "uid-1/preSwitch/f2/1", attempt, null, false);
  }

  private static Release release() {
    Release r = ReleaseBuilder.named("app").build();
    r.getMetadata().setNamespace("shop");
    r.getMetadata().setUid("uid-1");
    r.getMetadata().setGeneration(3L);
    return r;
  }

  private static ManagedInstance instance(String id, int slot, String privateIp) {
    return new ManagedInstance(id, "uid-1", "shop/app", "f2", "2.0.0", slot,
        InstanceState.RUNNING, privateIp, null, Instant.EPOCH, ManagedInstance.StatusChecks.OK);
  }
}
