package dev.cutover.plugin.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cutover.plugin.ExitCodes;
import dev.cutover.plugin.Outcome;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The page's HTTP server: the JDK's own, bound to 127.0.0.1 only. It serves the page and its
 * static files, a Server-Sent Events stream of the Releases (the whole state, then each change
 * as the cluster reports it), and one POST endpoint per action. Every request passes the
 * {@link RequestGuard}; no response ever carries a CORS header.
 */
final class DashboardServer implements AutoCloseable {

  /** A page that stops reading is dropped after this many unsent messages (it reconnects). */
  static final int STREAM_BACKLOG = 1000;
  /** A comment line this often keeps the stream open and finds pages that went away. */
  static final long KEEP_ALIVE_SECONDS = 15;
  static final int MAX_ACTION_BODY = 4096;

  private static final String RESOURCES = "/dev/cutover/plugin/dashboard/";
  private static final Map<String, String> STATIC = Map.of(
      "/static/dashboard.js", "text/javascript; charset=utf-8",
      "/static/dashboard.css", "text/css; charset=utf-8",
      "/static/favicon.svg", "image/svg+xml");
  private static final String PAGE_POLICY = "default-src 'none'; script-src 'self'; "
      + "style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; "
      + "form-action 'none'; frame-ancestors 'none'";
  private static final Pattern ACTION = Pattern.compile(
      "/api/releases/([a-z0-9]([-a-z0-9]*[a-z0-9])?)/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)"
          + "/(promote|abort|undo)");
  private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,127}");
  private static final ReleaseSource.Message STOP = new ReleaseSource.Message("", "");

  private final HttpServer http;
  private final ExecutorService threads;
  private final RequestGuard guard;
  private final String token;
  private final ReleaseSource source;
  private final ReleaseCommands commands;
  private final PrintStream log;
  private final ObjectMapper json = new ObjectMapper();
  private final Set<BlockingQueue<ReleaseSource.Message>> streams = ConcurrentHashMap.newKeySet();
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();

  private DashboardServer(HttpServer http, ExecutorService threads, String token,
      ReleaseSource source, ReleaseCommands commands, PrintStream log) {
    this.http = http;
    this.threads = threads;
    this.token = token;
    this.guard = new RequestGuard(token, http.getAddress().getPort());
    this.source = source;
    this.commands = commands;
    this.log = log;
  }

  /**
   * Listens on 127.0.0.1:{@code port} (0: a free port the system picks) with a new token.
   * {@code log} gets one line per action taken.
   */
  static DashboardServer start(int port, ReleaseSource source, ReleaseCommands commands,
      PrintStream log) {
    HttpServer http;
    try {
      // Loopback only: the page acts with the user's credentials and is for this machine.
      http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port + ": "
          + e.getMessage(), e);
    }
    AtomicInteger n = new AtomicInteger();
    ExecutorService threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "dashboard-http-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    DashboardServer server = new DashboardServer(http, threads, RequestGuard.newToken(), source,
        commands, log);
    http.setExecutor(threads);
    http.createContext("/", server::handle);
    http.start();
    return server;
  }

  int port() {
    return http.getAddress().getPort();
  }

  /** Where it listens: 127.0.0.1 and the port. */
  InetSocketAddress address() {
    return http.getAddress();
  }

  String token() {
    return token;
  }

  /** The address to open: the page with this run's token. */
  String url() {
    return "http://127.0.0.1:" + port() + "/?token=" + token;
  }

  @Override
  public void close() {
    streams.forEach(q -> q.offer(STOP));
    http.stop(0);
    threads.shutdownNow();
  }

  // ------------------------------------------------------------------ routing

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Optional<RequestGuard.Refusal> refused =
          guard.checkHost(exchange.getRequestHeaders().getFirst("Host"));
      if (refused.isPresent()) {
        refuse(exchange, refused.get());
        return;
      }
      String path = exchange.getRequestURI().getRawPath();
      String method = exchange.getRequestMethod();
      if (method.equals("POST")) {
        Matcher action = ACTION.matcher(path);
        if (!action.matches()) {
          text(exchange, 404, "no such action: " + path);
          return;
        }
        act(exchange, action.group(1), action.group(3), action.group(5));
        return;
      }
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD, POST");
        text(exchange, 405, method + " is not served here");
        return;
      }
      if (STATIC.containsKey(path)) {
        // The same for everyone and free of cluster data: no token needed.
        send(exchange, 200, STATIC.get(path), resource(path.substring("/static/".length())));
        return;
      }
      if (path.equals("/favicon.ico")) {
        exchange.sendResponseHeaders(204, -1);
        return;
      }
      refused = guard.checkQueryToken(exchange.getRequestURI().getRawQuery());
      if (refused.isPresent()) {
        refuse(exchange, refused.get());
        return;
      }
      switch (path) {
        case "/" -> {
          exchange.getResponseHeaders().set("Content-Security-Policy", PAGE_POLICY);
          send(exchange, 200, "text/html; charset=utf-8", resource("index.html"));
        }
        case "/api/state" -> send(exchange, 200, "application/json",
            source.snapshot().getBytes(StandardCharsets.UTF_8));
        case "/api/stream" -> stream(exchange);
        default -> text(exchange, 404, "not found: " + path);
      }
    } catch (IOException | RuntimeException e) {
      // The page went away mid-answer, or a bug: the server keeps serving the others.
      if (!(e instanceof IOException)) {
        log.println("dashboard: " + e);
      }
    }
  }

  // ------------------------------------------------------------------ the event stream

  private void stream(HttpExchange exchange) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
    securityHeaders(exchange);
    exchange.sendResponseHeaders(200, 0);
    BlockingQueue<ReleaseSource.Message> queue = new LinkedBlockingQueue<>(STREAM_BACKLOG + 1);
    streams.add(queue);
    try (AutoCloseable subscription = source.subscribe(m -> {
      if (!queue.offer(m)) {
        // Too far behind: end this stream; the page reconnects and starts from a snapshot.
        queue.clear();
        queue.offer(STOP);
      }
    })) {
      OutputStream out = exchange.getResponseBody();
      out.write("retry: 2000\n\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
      while (true) {
        ReleaseSource.Message message = queue.poll(KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
        if (message == STOP) {
          return;
        }
        String frame = message == null ? ": keep-alive\n\n"
            : "event: " + message.event() + "\ndata: " + message.json() + "\n\n";
        out.write(frame.getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // The page was closed.
    } catch (Exception e) {
      log.println("dashboard: event stream: " + e);
    } finally {
      streams.remove(queue);
    }
  }

  // ------------------------------------------------------------------ actions

  private void act(HttpExchange exchange, String namespace, String name, String action)
      throws IOException {
    var headers = exchange.getRequestHeaders();
    Optional<RequestGuard.Refusal> refused = guard.checkAction(
        headers.getFirst(RequestGuard.TOKEN_HEADER), headers.getFirst("Origin"));
    if (refused.isPresent()) {
      refuse(exchange, refused.get());
      return;
    }
    String type = headers.getFirst("Content-Type");
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      text(exchange, 415, "actions take application/json");
      return;
    }
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readNBytes(MAX_ACTION_BODY + 1);
    }
    if (body.length > MAX_ACTION_BODY) {
      text(exchange, 413, "request body over " + MAX_ACTION_BODY + " bytes");
      return;
    }
    String version = null;
    if (body.length > 0) {
      JsonNode request;
      try {
        request = json.readTree(body);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        text(exchange, 400, "the request body is not JSON: " + e.getOriginalMessage());
        return;
      }
      JsonNode v = request == null ? null : request.get("version");
      if (v != null && !v.isNull()) {
        if (!v.isTextual() || !VERSION.matcher(v.asText()).matches()) {
          text(exchange, 400, "version must be a version such as 2.4.1");
          return;
        }
        version = v.asText();
      }
    }
    Outcome result;
    try {
      result = switch (action) {
        case "promote" -> commands.promote(namespace, name, version);
        case "abort" -> commands.abort(namespace, name);
        default -> commands.undo(namespace, name);
      };
    } catch (RuntimeException e) {
      result = new Outcome(ExitCodes.API_ERROR, action + " failed: " + e.getMessage(),
          java.util.List.of());
    }
    log.println(action + " " + namespace + "/" + name + (version == null ? "" : " " + version)
        + ": " + result.message());
    result.warnings().forEach(w -> log.println("  warning: " + w));
    ObjectNode answer = json.createObjectNode();
    answer.put("ok", result.succeeded());
    answer.put("exitCode", result.exitCode());
    answer.put("message", result.message());
    var warnings = answer.putArray("warnings");
    result.warnings().forEach(warnings::add);
    send(exchange, 200, "application/json", json.writeValueAsBytes(answer));
  }

  // ------------------------------------------------------------------ answers

  private byte[] resource(String name) {
    return files.computeIfAbsent(name, n -> {
      try (InputStream in = DashboardServer.class.getResourceAsStream(RESOURCES + n)) {
        if (in == null) {
          throw new IllegalStateException("missing resource " + RESOURCES + n);
        }
        return in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  private void refuse(HttpExchange exchange, RequestGuard.Refusal refusal) throws IOException {
    text(exchange, refusal.status(), refusal.message());
  }

  private void text(HttpExchange exchange, int status, String message) throws IOException {
    send(exchange, status, "text/plain; charset=utf-8",
        (message + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    securityHeaders(exchange);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      exchange.getResponseBody().write(body);
    }
  }

  private static void securityHeaders(HttpExchange exchange) {
    var headers = exchange.getResponseHeaders();
    headers.set("Cache-Control", "no-store");
    headers.set("X-Content-Type-Options", "nosniff");
    // The token is in the page's URL: never send it on to another site.
    headers.set("Referrer-Policy", "no-referrer");
    headers.set("X-Frame-Options", "DENY");
  }
}
