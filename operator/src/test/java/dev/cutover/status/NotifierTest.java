package dev.cutover.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.cutover.api.Release;
import dev.cutover.sim.SimClock;
import dev.cutover.testworld.ReleaseBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Notifications sent to real HTTP servers on the loopback address. */
class NotifierTest {

  static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
  static final String PROMOTED = "Promoted: moved 203.0.113.7 from 1.0.0 to 2.0.0 (i-2)";

  /** What a receiver got: its path and the body. */
  record Received(String path, String contentType, String body) {}

  private HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  /** The statuses /flaky answers, one per call; 200 once they are used up. */
  private final Queue<Integer> flakyAnswers = new ConcurrentLinkedQueue<>();
  private final CountDownLatch unhang = new CountDownLatch(1);
  private final List<String> events = new CopyOnWriteArrayList<>();
  /** The Events as the delegate gets them: "type reason". */
  private final ReleaseEvents delegate = new ReleaseEvents() {
    @Override
    public void normal(Release release, String reason, String message) {
      events.add("Normal " + reason);
    }

    @Override
    public void warning(Release release, String reason, String message) {
      events.add("Warning " + reason);
    }
  };
  private final List<Notifier> notifiers = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    for (String path : List.of("/json", "/json-rotated", "/slack", "/broken", "/flaky")) {
      server.createContext(path, exchange -> {
        received.add(new Received(path, exchange.getRequestHeaders().getFirst("Content-Type"),
            new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
        Integer flaky = path.equals("/flaky") ? flakyAnswers.poll() : null;
        int status = path.equals("/broken") ? 500 : flaky == null ? 200 : flaky;
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
      });
    }
    server.createContext("/hang", exchange -> {
      received.add(new Received("/hang", null, null));
      try {
        unhang.await();
        exchange.sendResponseHeaders(200, -1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        exchange.close();
      }
    });
    server.setExecutor(Executors.newCachedThreadPool());
    server.start();
  }

  @AfterEach
  void stop() {
    notifiers.forEach(Notifier::close);
    unhang.countDown();
    server.stop(0);
  }

  @Test
  void theSixReasonsAreSentAsJsonAndAsSlackText() throws IOException {
    Notifier notifier = notifier(urls(List.of("/json"), List.of("/slack")));
    Release release = release();

    notifier.normal(release, "Promoted", PROMOTED);
    notifier.normal(release, "AwaitingPromotion", "Phase Verifying -> AwaitingPromotion: x");
    notifier.warning(release, "Reverted", "Reverted: moved 203.0.113.7 from 2.0.0 to 1.0.0");
    notifier.warning(release, "Failed", "Phase Verifying -> Failed: checks failed");
    notifier.normal(release, "SwitchedBack", "SwitchedBack: moved 203.0.113.7 back");
    notifier.normal(release, "Terminated", "Retention ended: terminated 2 instances of 1.0.0");

    await().until(() -> notifier.handled() == 6);
    assertThat(received).extracting(Received::path).containsExactly("/json", "/slack", "/json",
        "/slack", "/json", "/slack", "/json", "/slack", "/json", "/slack", "/json", "/slack");
    assertThat(received).extracting(Received::contentType).containsOnly("application/json");
    List<JsonNode> json = bodies("/json");
    assertThat(json).extracting(b -> b.get("event").asText()).containsExactly("Promoted",
        "AwaitingPromotion", "Reverted", "Failed", "SwitchedBack", "Terminated");
    assertThat(json).extracting(b -> b.get("type").asText()).containsExactly("Normal",
        "Normal", "Warning", "Warning", "Normal", "Normal");
    JsonNode promoted = json.get(0);
    assertThat(promoted.at("/release/namespace").asText()).isEqualTo("shop");
    assertThat(promoted.at("/release/name").asText()).isEqualTo("web");
    assertThat(promoted.at("/release/uid").asText()).isEqualTo("uid-1");
    assertThat(promoted.get("version").asText()).isEqualTo("2.0.0");
    assertThat(promoted.get("message").asText()).isEqualTo(PROMOTED);
    assertThat(promoted.get("at").asText()).isEqualTo(NOW.toString());
    assertThat(bodies("/slack")).extracting(b -> b.get("text").asText()).first()
        .isEqualTo("Cutover shop/web: Promoted — moved 203.0.113.7 from 1.0.0 to 2.0.0 (i-2)");
    assertThat(bodies("/slack").get(1).get("text").asText()).as("escaped as Slack asks")
        .isEqualTo("Cutover shop/web: AwaitingPromotion — Phase Verifying -&gt; "
            + "AwaitingPromotion: x");
    assertThat(bodies("/slack").get(0).size()).as("only text").isEqualTo(1);
  }

  @Test
  void otherReasonsBecomeEventsOnly() {
    Notifier notifier = notifier(urls(List.of("/json"), List.of()));
    Release release = release();

    notifier.normal(release, "Launched", "launched 2 instances");
    notifier.normal(release, "Live", "Phase Switching -> Live: serving");
    notifier.warning(release, "HookFailed", "the hook failed");
    notifier.normal(release, "Terminated", "terminated 2 instances");

    // One sending thread: had the first three been sent, they would be in before the last.
    await().until(() -> notifier.handled() == 1);
    assertThat(received).singleElement()
        .satisfies(r -> assertThat(r.body()).contains("\"event\":\"Terminated\""));
    assertThat(events).containsExactly("Normal Launched", "Normal Live", "Warning HookFailed",
        "Normal Terminated");
  }

  @Test
  void aHangingReceiverNeitherBlocksNorFailsTheCaller() {
    Notifier notifier = new Notifier(delegate, urls(List.of("/hang"), List.of()),
        Clock.fixed(NOW, ZoneOffset.UTC), 1, 2, Duration.ofSeconds(5), Duration.ZERO);
    notifiers.add(notifier);
    Release release = release();

    long started = System.nanoTime();
    for (int i = 0; i < 50; i++) {
      notifier.normal(release, "Promoted", PROMOTED);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    // 50 notifications while the one thread waits on the first: 2 queue, the rest are dropped.
    assertThat(took).isLessThan(Duration.ofMillis(500));
    assertThat(events).hasSize(50).containsOnly("Normal Promoted");
    await().until(() -> received.size() == 1);
    unhang.countDown();
    await().until(() -> notifier.handled() == 3);
    assertThat(received).extracting(Received::path).containsOnly("/hang").hasSize(3);
  }

  @Test
  void aReceiverThatDoesNotAnswerInTimeIsGivenUpWithoutASecondTry() {
    // A receiver that got the request may have acted on it: a second try could notify twice.
    Notifier notifier = new Notifier(delegate, urls(List.of("/hang", "/json"), List.of()),
        Clock.fixed(NOW, ZoneOffset.UTC), 1, 100, Duration.ofMillis(300), Duration.ZERO);
    notifiers.add(notifier);

    notifier.normal(release(), "Promoted", PROMOTED);

    await().until(() -> notifier.handled() == 1);
    assertThat(received).extracting(Received::path).containsExactly("/hang", "/json");
  }

  @Test
  void aServerErrorIsTriedOnceMoreAndAFailingReceiverDoesNotStopTheOthers() {
    flakyAnswers.add(503);
    Notifier notifier = notifier(urls(List.of("/broken", "/flaky", "/json"), List.of()));

    notifier.warning(release(), "Failed", "Phase Verifying -> Failed: checks failed");

    await().until(() -> notifier.handled() == 1);
    assertThat(received).extracting(Received::path)
        .containsExactly("/broken", "/broken", "/flaky", "/flaky", "/json");
  }

  @Test
  void aRefusedConnectionIsReportedNotThrown() throws IOException {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    NotificationUrls urls = new NotificationUrls(List.of(
        URI.create("http://127.0.0.1:" + closed + "/closed"), url("/json")), List.of());
    Notifier notifier = notifier(() -> urls);

    notifier.normal(release(), "Promoted", PROMOTED);

    await().until(() -> notifier.handled() == 1);
    assertThat(received).extracting(Received::path).containsExactly("/json");
  }

  @Test
  void aMissingSecretSendsNothing() {
    AtomicInteger reads = new AtomicInteger();
    NotificationSecret missing = new NotificationSecret("cutover-system/cutover-notifications",
        () -> {
          reads.incrementAndGet();
          return null;
        }, Clock.fixed(NOW, ZoneOffset.UTC), NotificationSecret.CACHE);
    Notifier notifier = notifier(missing);

    notifier.normal(release(), "Promoted", PROMOTED);
    notifier.normal(release(), "Terminated", "terminated 2 instances");

    await().until(() -> notifier.handled() == 2);
    assertThat(received).isEmpty();
    assertThat(reads).as("read once within the cache time").hasValue(1);
    assertThat(events).containsExactly("Normal Promoted", "Normal Terminated");
  }

  @Test
  void aRotatedSecretIsUsedOnceTheCacheTimeHasPassed() {
    SimClock clock = new SimClock(NOW);
    AtomicReference<Secret> stored = new AtomicReference<>(secret(Map.of(
        NotificationSecret.WEBHOOK_URLS, url("/json") + "\n")));
    AtomicInteger reads = new AtomicInteger();
    NotificationSecret secret = new NotificationSecret("ns/name", () -> {
      reads.incrementAndGet();
      return stored.get();
    }, clock, Duration.ofSeconds(30));

    assertThat(secret.get().webhooks()).containsExactly(url("/json"));
    stored.set(secret(Map.of(NotificationSecret.WEBHOOK_URLS, url("/json-rotated") + "\n")));
    clock.advance(Duration.ofSeconds(29));
    assertThat(secret.get().webhooks()).as("still cached").containsExactly(url("/json"));
    clock.advance(Duration.ofSeconds(1));
    assertThat(secret.get().webhooks()).containsExactly(url("/json-rotated"));
    assertThat(reads).hasValue(2);

    // And end to end: the Notifier asks for the URLs when it sends.
    Notifier notifier = notifier(secret);
    notifier.normal(release(), "Promoted", PROMOTED);
    await().until(() -> notifier.handled() == 1);
    assertThat(received).extracting(Received::path).containsExactly("/json-rotated");
  }

  @Test
  void theSecretListsOneUrlALineAndIgnoresBlankLinesCommentsAndOtherSchemes() {
    List<String> problems = new ArrayList<>();
    NotificationUrls urls = NotificationSecret.parse(secret(Map.of(
        NotificationSecret.WEBHOOK_URLS, "# ops\nhttps://hooks.example.com/a\n\n"
            + "  http://127.0.0.1:9/b  \r\nftp://example.com/c\nnot a url\n",
        NotificationSecret.SLACK_URLS, "https://hooks.slack.com/services/T/B/x"))
        .getData(), problems);

    assertThat(urls.webhooks()).containsExactly(URI.create("https://hooks.example.com/a"),
        URI.create("http://127.0.0.1:9/b"));
    assertThat(urls.slack()).containsExactly(
        URI.create("https://hooks.slack.com/services/T/B/x"));
    assertThat(problems).as("by line number, never by content").containsExactly(
        "webhook-urls line 5 (not an http or https URL)",
        "webhook-urls line 6 (not an http or https URL)");
    assertThat(NotificationUrls.host(urls.slack().get(0))).isEqualTo("hooks.slack.com");
  }

  @Test
  void aSecretWithoutTheKeysOrForbiddenMeansNoneAndAServerErrorKeepsTheLastUrls() {
    SimClock clock = new SimClock(NOW);
    AtomicReference<Object> answer = new AtomicReference<>(secret(Map.of("other", "x")));
    NotificationSecret secret = new NotificationSecret("ns/name", () -> {
      if (answer.get() instanceof KubernetesClientException e) {
        throw e;
      }
      return (Secret) answer.get();
    }, clock, Duration.ofSeconds(30));

    assertThat(secret.get().isEmpty()).as("no key").isTrue();
    answer.set(secret(Map.of(NotificationSecret.SLACK_URLS, url("/slack").toString())));
    clock.advance(Duration.ofSeconds(30));
    assertThat(secret.get().slack()).containsExactly(url("/slack"));
    answer.set(new KubernetesClientException("unavailable", 503, null));
    clock.advance(Duration.ofSeconds(30));
    assertThat(secret.get().slack()).as("API server away").containsExactly(url("/slack"));
    answer.set(new KubernetesClientException("forbidden", 403, null));
    clock.advance(Duration.ofSeconds(30));
    assertThat(secret.get().isEmpty()).as("forbidden").isTrue();
  }

  private Notifier notifier(java.util.function.Supplier<NotificationUrls> urls) {
    // One thread, so notifications arrive in the order they were made.
    Notifier notifier = new Notifier(delegate, urls, Clock.fixed(NOW, ZoneOffset.UTC), 1, 100,
        Duration.ofSeconds(5), Duration.ZERO);
    notifiers.add(notifier);
    return notifier;
  }

  private java.util.function.Supplier<NotificationUrls> urls(List<String> webhooks,
      List<String> slack) {
    NotificationUrls urls = new NotificationUrls(webhooks.stream().map(this::url).toList(),
        slack.stream().map(this::url).toList());
    return () -> urls;
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  private List<JsonNode> bodies(String path) {
    ObjectMapper mapper = new ObjectMapper();
    return received.stream().filter(r -> r.path().equals(path)).map(r -> {
      try {
        return mapper.readTree(r.body());
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + r.body(), e);
      }
    }).toList();
  }

  private static Secret secret(Map<String, String> text) {
    SecretBuilder builder = new SecretBuilder().withNewMetadata().withName("name").endMetadata();
    text.forEach((k, v) -> builder.addToData(k,
        Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return builder.build();
  }

  private static Release release() {
    Release r = ReleaseBuilder.named("web").version("2.0.0").build();
    r.getMetadata().setNamespace("shop");
    r.getMetadata().setUid("uid-1");
    return r;
  }
}
