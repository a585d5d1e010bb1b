package dev.cutover.plugin.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.plugin.Outcome;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The page's server as a browser or an attacker's page meets it: real HTTP requests, written
 * byte by byte on a socket (so that Host and Origin can be anything), to the server listening
 * on 127.0.0.1. What the page shows comes from a source held in memory; what the buttons do is
 * recorded.
 */
class DashboardServerTest {

  /** What the page shows: a snapshot, then whatever a test publishes. */
  static final class HeldSource implements ReleaseSource {
    final List<Consumer<Message>> listeners = new CopyOnWriteArrayList<>();
    volatile String snapshot = "{\"releases\":[],\"events\":[]}";

    @Override
    public String snapshot() {
      return snapshot;
    }

    @Override
    public AutoCloseable subscribe(Consumer<Message> listener) {
      listener.accept(new Message("snapshot", snapshot));
      listeners.add(listener);
      return () -> listeners.remove(listener);
    }

    void publish(String event, String json) {
      listeners.forEach(l -> l.accept(new Message(event, json)));
    }
  }

  /** The actions the page asked for, answered with {@link #answer}. */
  static final class RecordedCommands implements ReleaseCommands {
    final List<String> calls = new CopyOnWriteArrayList<>();
    volatile Outcome answer = Outcome.ok("done", List.of("owned by Argo CD"));

    @Override
    public Outcome promote(String namespace, String name, String version) {
      calls.add("promote " + namespace + "/" + name + " " + version);
      return answer;
    }

    @Override
    public Outcome abort(String namespace, String name) {
      calls.add("abort " + namespace + "/" + name);
      return answer;
    }

    @Override
    public Outcome undo(String namespace, String name) {
      calls.add("undo " + namespace + "/" + name);
      return answer;
    }
  }

  /** One HTTP answer. */
  record Answer(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private final HeldSource source = new HeldSource();
  private final RecordedCommands commands = new RecordedCommands();
  private DashboardServer server;
  private String here;

  @BeforeEach
  void start() {
    server = DashboardServer.start(0, source, commands,
        new PrintStream(OutputStream.nullOutputStream()));
    here = "127.0.0.1:" + server.port();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void listensOnLoopbackOnly() {
    assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();
    assertThat(server.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
    assertThat(server.url()).isEqualTo("http://127.0.0.1:" + server.port() + "/?token="
        + server.token());
  }

  @Test
  void eachRunHasItsOwnLongRandomToken() {
    try (DashboardServer other = DashboardServer.start(0, source, commands,
        new PrintStream(OutputStream.nullOutputStream()))) {
      assertThat(other.token()).isNotEqualTo(server.token());
    }
    assertThat(server.token()).matches("[A-Za-z0-9_-]{43}");
  }

  @Test
  void thePageNeedsTheToken() throws IOException {
    assertThat(get("/", here).status()).isEqualTo(403);
    assertThat(get("/?token=wrong", here).status()).isEqualTo(403);
    assertThat(get("/?token=" + server.token().substring(1), here).status()).isEqualTo(403);
    Answer wrong = get("/?token=" + server.token() + "x", here);
    assertThat(wrong.status()).isEqualTo(403);
    assertThat(wrong.body()).contains("open the URL that `kubectl cutover dashboard` printed");

    Answer page = get("/?token=" + server.token(), here);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("Content-Type")).startsWith("text/html");
    assertThat(page.body()).contains("<script src=\"/static/dashboard.js\"");
    assertThat(page.header("Content-Security-Policy"))
        .contains("script-src 'self'").contains("frame-ancestors 'none'");
    assertThat(page.header("Referrer-Policy")).isEqualTo("no-referrer");
    assertThat(page.header("Cache-Control")).isEqualTo("no-store");
  }

  @Test
  void theStateAndTheStreamNeedTheToken() throws IOException {
    source.snapshot = "{\"releases\":[{\"metadata\":{\"name\":\"shop\"}}],\"events\":[]}";
    assertThat(get("/api/state", here).status()).isEqualTo(403);
    assertThat(get("/api/stream?token=nope", here).status()).isEqualTo(403);
    assertThat(source.listeners).isEmpty();
    Answer state = get("/api/state?token=" + server.token(), here);
    assertThat(state.status()).isEqualTo(200);
    assertThat(state.body()).contains("\"shop\"");
  }

  @Test
  void staticFilesNeedNoTokenButTheRightHost() throws IOException {
    Answer script = get("/static/dashboard.js", here);
    assertThat(script.status()).isEqualTo(200);
    assertThat(script.header("Content-Type")).startsWith("text/javascript");
    assertThat(script.body()).contains("EventSource");
    assertThat(get("/static/dashboard.css", here).status()).isEqualTo(200);
    assertThat(get("/static/dashboard.js", "rebound.example:" + server.port()).status())
        .isEqualTo(403);
    assertThat(get("/static/other.js", here).status()).isEqualTo(403);
  }

  @Test
  void aRequestNamingAnotherHostIsRefusedEvenWithTheToken() throws IOException {
    // DNS rebinding: a site resolves its own name to 127.0.0.1; the browser sends that name.
    for (String host : List.of("attacker.example:" + server.port(), "attacker.example",
        "127.0.0.1", "127.0.0.1:" + (server.port() + 1), "0.0.0.0:" + server.port(),
        "localhost.attacker.example:" + server.port())) {
      Answer answer = get("/?token=" + server.token(), host);
      assertThat(answer.status()).as(host).isEqualTo(403);
      assertThat(answer.body()).as(host).contains("answers only to http://127.0.0.1:");
    }
    Answer noHost = exchange("GET /?token=" + server.token() + " HTTP/1.0\r\n\r\n");
    assertThat(noHost.status()).isEqualTo(403);
    assertThat(get("/?token=" + server.token(), "localhost:" + server.port()).status())
        .isEqualTo(200);
    assertThat(get("/?token=" + server.token(), "LOCALHOST:" + server.port()).status())
        .isEqualTo(200);
  }

  @Test
  void anActionNeedsTheTokenHeaderAndThisOrigin() throws IOException {
    String origin = "http://" + here;
    String path = "/api/releases/shop/storefront/promote";
    String body = "{\"version\":\"2.0.0\"}";

    assertThat(post(path, here, origin, null, body).status()).isEqualTo(403);
    assertThat(post(path, here, origin, "wrong", body).status()).isEqualTo(403);
    // The token in the URL is not enough for an action: only a header proves the page sent it.
    assertThat(post(path + "?token=" + server.token(), here, origin, null, body).status())
        .isEqualTo(403);
    Answer noOrigin = post(path, here, null, server.token(), body);
    assertThat(noOrigin.status()).isEqualTo(403);
    assertThat(noOrigin.body()).contains("only from this page (Origin was missing)");
    for (String foreign : List.of("http://attacker.example", "null", "https://" + here,
        "http://" + here + ".attacker.example", "http://127.0.0.1:" + (server.port() + 1))) {
      assertThat(post(path, here, foreign, server.token(), body).status()).as(foreign)
          .isEqualTo(403);
    }
    assertThat(post(path, "attacker.example:" + server.port(), origin, server.token(), body)
        .status()).isEqualTo(403);
    assertThat(commands.calls).as("no refused request reached the cluster").isEmpty();

    Answer done = post(path, here, origin, server.token(), body);
    assertThat(done.status()).isEqualTo(200);
    assertThat(done.header("Content-Type")).isEqualTo("application/json");
    assertThat(done.body()).contains("\"ok\":true").contains("\"message\":\"done\"")
        .contains("\"warnings\":[\"owned by Argo CD\"]");
    assertThat(post("/api/releases/shop/storefront/undo", here, "http://localhost:"
        + server.port(), server.token(), "{}").status()).isEqualTo(200);
    assertThat(commands.calls).containsExactly("promote shop/storefront 2.0.0",
        "undo shop/storefront");
  }

  @Test
  void anActionThatFailsReportsItsExitCodeAndMessage() throws IOException {
    commands.answer = Outcome.notPossible("Release storefront is not in Manual mode");
    Answer answer = post("/api/releases/shop/storefront/promote", here, "http://" + here,
        server.token(), "{}");
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body()).contains("\"ok\":false").contains("\"exitCode\":3")
        .contains("not in Manual mode");
    assertThat(commands.calls).containsExactly("promote shop/storefront null");
  }

  @Test
  void anActionRequestThatIsNotWellFormedIsRefused() throws IOException {
    String origin = "http://" + here;
    String token = server.token();
    // A form post cannot carry JSON's content type without a CORS preflight.
    assertThat(exchange("POST /api/releases/shop/storefront/abort HTTP/1.1\r\nHost: " + here
        + "\r\nOrigin: " + origin + "\r\nX-Cutover-Token: " + token
        + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 0\r\n"
        + "Connection: close\r\n\r\n").status()).isEqualTo(415);
    assertThat(post("/api/releases/shop/storefront/promote", here, origin, token, "{nope")
        .status()).isEqualTo(400);
    assertThat(post("/api/releases/shop/storefront/promote", here, origin, token,
        "{\"version\":\"2.0.0; rm -rf /\"}").status()).isEqualTo(400);
    assertThat(post("/api/releases/shop/storefront/promote", here, origin, token,
        "{\"version\":\"" + "1".repeat(5000) + "\"}").status()).isEqualTo(413);
    assertThat(post("/api/releases/Shop/storefront/promote", here, origin, token, "{}")
        .status()).isEqualTo(404);
    assertThat(post("/api/releases/shop/storefront/delete", here, origin, token, "{}")
        .status()).isEqualTo(404);
    assertThat(post("/api/releases/shop/../promote", here, origin, token, "{}").status())
        .isEqualTo(404);
    assertThat(commands.calls).isEmpty();
  }

  @Test
  void noCrossOriginRequestIsEverAllowed() throws IOException {
    Answer preflight = exchange("OPTIONS /api/releases/shop/storefront/promote HTTP/1.1\r\n"
        + "Host: " + here + "\r\nOrigin: http://attacker.example\r\n"
        + "Access-Control-Request-Method: POST\r\n"
        + "Access-Control-Request-Headers: x-cutover-token, content-type\r\n"
        + "Connection: close\r\n\r\n");
    assertThat(preflight.status()).isEqualTo(405);
    List<Answer> answers = new ArrayList<>(List.of(preflight,
        get("/?token=" + server.token(), here), get("/api/state?token=" + server.token(), here),
        post("/api/releases/shop/storefront/abort", here, "http://" + here, server.token(),
            "{}")));
    for (Answer answer : answers) {
      assertThat(answer.headers().keySet()).noneMatch(h -> h.startsWith("access-control-"));
      assertThat(answer.header("X-Frame-Options")).isEqualTo("DENY");
    }
  }

  @Test
  void theStreamSendsTheSnapshotThenEachChange() throws IOException {
    source.snapshot = "{\"releases\":[],\"events\":[],\"n\":1}";
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET /api/stream?token=" + server.token()
          + " HTTP/1.1\r\nHost: " + here + "\r\nAccept: text/event-stream\r\n\r\n")
          .getBytes(StandardCharsets.UTF_8));
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
          StandardCharsets.UTF_8));
      assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
      List<String> head = readUntilBlank(in);
      assertThat(head).anyMatch(h -> h.equalsIgnoreCase(
          "Content-Type: text/event-stream; charset=utf-8"));
      assertThat(dataLines(in, 1)).containsExactly(
          "event: snapshot", "data: {\"releases\":[],\"events\":[],\"n\":1}");
      source.publish("release", "{\"metadata\":{\"name\":\"storefront\"}}");
      assertThat(dataLines(in, 1)).containsExactly(
          "event: release", "data: {\"metadata\":{\"name\":\"storefront\"}}");
    }
  }

  // ------------------------------------------------------------------ raw HTTP

  private Answer get(String target, String host) throws IOException {
    return exchange("GET " + target + " HTTP/1.1\r\nHost: " + host
        + "\r\nConnection: close\r\n\r\n");
  }

  private Answer post(String target, String host, String origin, String token, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return exchange("POST " + target + " HTTP/1.1\r\nHost: " + host + "\r\n"
        + (origin == null ? "" : "Origin: " + origin + "\r\n")
        + (token == null ? "" : "X-Cutover-Token: " + token + "\r\n")
        + "Content-Type: application/json\r\nContent-Length: " + bytes.length
        + "\r\nConnection: close\r\n\r\n" + body);
  }

  /** Sends {@code request} as it is, reads the whole answer (the server closes after it). */
  private Answer exchange(String request) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
      String raw = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int end = raw.indexOf("\r\n\r\n");
      String[] head = raw.substring(0, end).split("\r\n");
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < head.length; i++) {
        int colon = head[i].indexOf(':');
        headers.put(head[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            head[i].substring(colon + 1).trim());
      }
      return new Answer(Integer.parseInt(head[0].split(" ")[1]), headers,
          raw.substring(end + 4));
    }
  }

  private static List<String> readUntilBlank(BufferedReader in) throws IOException {
    List<String> lines = new ArrayList<>();
    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
      lines.add(line);
    }
    return lines;
  }

  /** The next {@code frames} server-sent events (chunk sizes and retry/comment lines left out). */
  private static List<String> dataLines(BufferedReader in, int frames) throws IOException {
    List<String> lines = new ArrayList<>();
    int seen = 0;
    while (seen < frames) {
      String line = in.readLine();
      if (line == null) {
        break;
      }
      if (line.startsWith("event: ")) {
        lines.add(line);
      } else if (line.startsWith("data: ")) {
        lines.add(line);
        seen++;
      }
    }
    return lines;
  }
}
