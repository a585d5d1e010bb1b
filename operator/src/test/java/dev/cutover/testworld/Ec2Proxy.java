package dev.cutover.testworld;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP proxy between an EC2 client and moto that counts every EC2 call by its Action, on the
 * wire (what the operator really sends, retries included), and can inject faults: throttling
 * (HTTP 503 RequestLimitExceeded with EC2's XML error body), InternalError (500), connection
 * resets and latency, per operation, at seeded rates so a failure is reproducible. Hooks run
 * right after a response of a given Action has been delivered (to kill the caller there).
 */
public final class Ec2Proxy implements AutoCloseable {

  private static final Set<String> HOP_BY_HOP = Set.of("host", "connection", "content-length",
      "transfer-encoding", "expect", "upgrade", "keep-alive");

  private final HttpServer server;
  private final URI target;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> injected = new ConcurrentHashMap<>();
  private final Map<String, java.util.function.Consumer<String>> afterResponse =
      new ConcurrentHashMap<>();
  private volatile Faults faults = Faults.NONE;

  /**
   * Fault rates (0..1) applied to the operations {@code appliesTo} accepts; draws come from one
   * seeded random source.
   */
  public record Faults(double throttle, double internalError, double reset, int latencyMillis,
      java.util.function.Predicate<String> appliesTo, java.util.Random random) {
    public static final Faults NONE = new Faults(0, 0, 0, 0, a -> false, new java.util.Random(0));

    public static Faults of(long seed, double throttle, double internalError, double reset,
        int latencyMillis) {
      return new Faults(throttle, internalError, reset, latencyMillis, a -> true,
          new java.util.Random(seed));
    }
  }

  public Ec2Proxy(URI target) {
    this.target = target;
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext("/", this::forward);
    server.start();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Calls so far by EC2 Action. */
  public Map<String, Long> calls() {
    Map<String, Long> snapshot = new TreeMap<>();
    calls.forEach((k, v) -> snapshot.put(k, v.get()));
    return snapshot;
  }

  public void reset() {
    calls.clear();
    injected.clear();
  }

  public void inject(Faults faults) {
    this.faults = faults;
  }

  /** Faults injected so far, by kind ("RequestLimitExceeded", "InternalError", "reset"). */
  public Map<String, Long> injected() {
    Map<String, Long> snapshot = new TreeMap<>();
    injected.forEach((k, v) -> snapshot.put(k, v.get()));
    return snapshot;
  }

  /** Runs {@code hook} once, right after the next successful response to {@code action}. */
  public void afterNextResponse(String action, java.util.function.Consumer<String> hook) {
    afterResponse.put(action, hook);
  }

  private String draw(String action) {
    Faults f = faults;
    if (!f.appliesTo().test(action)) {
      return null;
    }
    double r;
    synchronized (f.random()) {
      r = f.random().nextDouble();
    }
    if (r < f.throttle()) {
      return "RequestLimitExceeded";
    }
    if (r < f.throttle() + f.internalError()) {
      return "InternalError";
    }
    if (r < f.throttle() + f.internalError() + f.reset()) {
      return "reset";
    }
    return null;
  }

  private static final String ERROR_XML = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      + "<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors>"
      + "<RequestID>00000000-0000-0000-0000-000000000000</RequestID></Response>";

  private static void fail(HttpExchange exchange, int status, String code, String message)
      throws IOException {
    byte[] body = String.format(ERROR_XML, code, message).getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/xml;charset=UTF-8");
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  private void forward(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    String action = action(new String(body, StandardCharsets.UTF_8));
    calls.computeIfAbsent(action, k -> new AtomicLong()).incrementAndGet();
    if (faults.latencyMillis() > 0 && faults.appliesTo().test(action)) {
      // Injected latency is what this proxy is for, not a way to wait for something.
      java.util.concurrent.locks.LockSupport.parkNanos(faults.latencyMillis() * 1_000_000L);
    }
    String fault = draw(action);
    if (fault != null) {
      injected.computeIfAbsent(fault, k -> new AtomicLong()).incrementAndGet();
      switch (fault) {
        case "RequestLimitExceeded" -> fail(exchange, 503, fault, "Request limit exceeded.");
        case "InternalError" -> fail(exchange, 500, fault,
            "An internal error has occurred.");
        default -> exchange.close(); // the connection drops without an answer
      }
      return;
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(
            target.resolve(exchange.getRequestURI().toString()))
        .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
    exchange.getRequestHeaders().forEach((name, values) -> {
      if (!HOP_BY_HOP.contains(name.toLowerCase())) {
        values.forEach(v -> request.header(name, v));
      }
    });
    try {
      HttpResponse<byte[]> response = http.send(request.build(),
          HttpResponse.BodyHandlers.ofByteArray());
      response.headers().map().forEach((name, values) -> {
        if (!HOP_BY_HOP.contains(name.toLowerCase()) && !name.startsWith(":")) {
          values.forEach(v -> exchange.getResponseHeaders().add(name, v));
        }
      });
      exchange.sendResponseHeaders(response.statusCode(),
          response.body().length == 0 ? -1 : response.body().length);
      exchange.getResponseBody().write(response.body());
      exchange.getResponseBody().flush();
      if (response.statusCode() == 200) {
        var hook = afterResponse.remove(action);
        if (hook != null) {
          hook.accept(action);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exchange.sendResponseHeaders(502, -1);
    } finally {
      exchange.close();
    }
  }

  private static String action(String form) {
    for (String pair : form.split("&")) {
      if (pair.startsWith("Action=")) {
        return URLDecoder.decode(pair.substring(7), StandardCharsets.UTF_8);
      }
    }
    return "(unknown)";
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
