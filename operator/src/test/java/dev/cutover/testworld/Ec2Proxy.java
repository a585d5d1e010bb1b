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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP proxy between an EC2 client and moto that sees every EC2 call on the wire (what the
 * operator really sends, the AWS SDK's own retries included), logs it, and can break it.
 *
 * <p>Faults ({@link Fault}) come in two kinds. Before forwarding, the call never reaches moto:
 * throttling (HTTP 503 RequestLimitExceeded with EC2's XML error body), InternalError (500), or
 * a connection dropped without an answer. After forwarding, moto has applied the call and the
 * answer is lost: the connection drops without a response, or the caller gets a 500
 * InternalError instead of moto's answer. They are injected at seeded rates and, per operation,
 * as a script for the first calls ({@link Faults#failingFirst}), so a scenario can be sure that
 * every operation it performs was hit.
 *
 * <p>Hooks run once at a {@link Stage} of the next call of an Action: when the request arrives
 * (the hook runs and the call is dropped unforwarded: it never happened), after moto applied it
 * (the hook runs and the answer is dropped: it happened, the caller never learns), or after the
 * answer was delivered. Tests kill the operator there.
 */
public final class Ec2Proxy implements AutoCloseable {

  /** The EC2 Actions that change something; every other Action is a read. */
  public static final Set<String> MUTATING = Set.of("RunInstances", "AssociateAddress",
      "TerminateInstances", "AllocateAddress", "DisassociateAddress", "ReleaseAddress",
      "CreateTags", "DeleteTags", "StopInstances", "StartInstances", "ModifyInstanceAttribute");

  private static final Set<String> HOP_BY_HOP = Set.of("host", "connection", "content-length",
      "transfer-encoding", "expect", "upgrade", "keep-alive");
  private static final Pattern INSTANCE_ID = Pattern.compile("<instanceId>([^<]+)</instanceId>");
  private static final Pattern ALLOCATION_ID =
      Pattern.compile("<allocationId>([^<]+)</allocationId>");

  /** What can go wrong with one call. */
  public enum Fault {
    /** Not forwarded; HTTP 503 RequestLimitExceeded. */
    THROTTLE("RequestLimitExceeded", false),
    /** Not forwarded; HTTP 500 InternalError. */
    INTERNAL_ERROR("InternalError", false),
    /** Not forwarded; the connection closes without an answer. */
    RESET("reset", false),
    /** Forwarded and applied by moto; the connection closes without an answer. */
    LOST_RESPONSE("lost response", true),
    /** Forwarded and applied by moto; the caller gets HTTP 500 InternalError instead. */
    INTERNAL_ERROR_AFTER("InternalError after applying", true);

    private final String label;
    private final boolean afterForwarding;

    Fault(String label, boolean afterForwarding) {
      this.label = label;
      this.afterForwarding = afterForwarding;
    }

    /** How the fault is counted and reported. */
    public String label() {
      return label;
    }

    /** True when moto applies the call before the fault hides its answer. */
    public boolean afterForwarding() {
      return afterForwarding;
    }
  }

  /** Where in a call a hook runs. */
  public enum Stage {
    /** The request arrived; after the hook it is dropped without being forwarded. */
    ON_REQUEST,
    /** moto applied the call (HTTP 2xx); after the hook the answer is dropped. */
    AFTER_FORWARD,
    /** moto's successful answer reached the caller. */
    AFTER_RESPONSE
  }

  /**
   * Faults to inject: a rate (0..1) per {@link Fault} for the Actions {@code appliesTo} accepts,
   * drawn from one seeded random source, latency before each such call, and a script per Action:
   * its first calls get these faults in order (a null entry lets that call through), before the
   * rates apply.
   */
  public record Faults(Map<Fault, Double> rates, int latencyMillis, Predicate<String> appliesTo,
      Random random, Map<String, List<Fault>> firstCalls) {

    public static final Faults NONE = new Faults(Map.of(), 0, a -> false, new Random(0),
        Map.of());

    /** Throttling, InternalError and resets (all before forwarding) at these rates. */
    public static Faults of(long seed, double throttle, double internalError, double reset,
        int latencyMillis) {
      return seeded(seed).withRate(Fault.THROTTLE, throttle)
          .withRate(Fault.INTERNAL_ERROR, internalError).withRate(Fault.RESET, reset)
          .withLatency(latencyMillis);
    }

    /** No fault yet, every Action eligible, draws from {@code seed}. */
    public static Faults seeded(long seed) {
      return new Faults(Map.of(), 0, a -> true, new Random(seed), Map.of());
    }

    public Faults withRate(Fault fault, double rate) {
      Map<Fault, Double> r = new EnumMap<>(Fault.class);
      r.putAll(rates);
      r.put(fault, rate);
      return new Faults(Map.copyOf(r), latencyMillis, appliesTo, random, firstCalls);
    }

    public Faults withLatency(int millis) {
      return new Faults(rates, millis, appliesTo, random, firstCalls);
    }

    /** Rates and latency only for these Actions (scripts are per Action anyway). */
    public Faults onlyFor(Predicate<String> actions) {
      return new Faults(rates, latencyMillis, actions, random, firstCalls);
    }

    /** In words, for reports: the scripts, the rates and the latency. */
    public String describe() {
      List<String> parts = new ArrayList<>();
      Map<List<Fault>, List<String>> byScript = new LinkedHashMap<>();
      new TreeMap<>(firstCalls).forEach((action, script) ->
          byScript.computeIfAbsent(script, k -> new ArrayList<>()).add(action));
      byScript.forEach((script, actions) -> parts.add("the first " + script.size()
          + " calls of " + String.join(", ", actions) + ": " + String.join("; ", script.stream()
              .map(f -> f == null ? "let through" : f.label()
                  + (f.afterForwarding() ? " (applied)" : " (not forwarded)")).toList())));
      List<String> r = new ArrayList<>();
      rates.entrySet().stream().filter(e -> e.getValue() > 0)
          .sorted(Map.Entry.comparingByKey()).forEach(e -> r.add(e.getKey().label() + " "
              + java.math.BigDecimal.valueOf(e.getValue() * 100).stripTrailingZeros()
                  .toPlainString() + " %"));
      if (!r.isEmpty()) {
        parts.add("then, at seeded rates: " + String.join(", ", r));
      }
      if (latencyMillis > 0) {
        parts.add(latencyMillis + " ms latency before each call");
      }
      return parts.isEmpty() ? "none" : String.join("; ", parts);
    }

    /** The first calls of {@code action} get {@code faults} in order (null: let it through). */
    public Faults failingFirst(String action, Fault... faults) {
      Map<String, List<Fault>> f = new LinkedHashMap<>(firstCalls);
      f.put(action, java.util.Collections.unmodifiableList(Arrays.asList(faults.clone())));
      return new Faults(rates, latencyMillis, appliesTo, random, Map.copyOf(f));
    }
  }

  /**
   * One call as the proxy saw it.
   *
   * @param seq order of arrival
   * @param at when the request arrived
   * @param params the request's form parameters (for mutating Actions; reads keep none)
   * @param status moto's HTTP status; 0 when the call was not forwarded
   * @param fault what the proxy did to it: a {@link Fault#label()}, "kill on request",
   *     "kill after forward", or null
   * @param applied forwarded and answered 2xx by moto: the call took effect
   * @param answered moto's answer reached the caller
   * @param created ids moto returned (instances launched, address allocated)
   */
  public record Call(long seq, Instant at, String action, Map<String, String> params, int status,
      String fault, boolean applied, boolean answered, List<String> created) {

    /** A parameter, e.g. ClientToken, InstanceId, AllocationId. */
    public String param(String name) {
      return params.get(name);
    }

    /** Every value of a list parameter, e.g. "InstanceId" for InstanceId.1, InstanceId.2... */
    public List<String> list(String name) {
      List<String> values = new ArrayList<>();
      for (int n = 1; params.containsKey(name + "." + n); n++) {
        values.add(params.get(name + "." + n));
      }
      return values;
    }
  }

  private final HttpServer server;
  private final URI target;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
  private final Map<String, Map<Fault, AtomicLong>> injected = new ConcurrentHashMap<>();
  private final Map<String, Map<Stage, Consumer<String>>> hooks = new ConcurrentHashMap<>();
  private final List<RequestObserver> observers = new CopyOnWriteArrayList<>();
  private final List<Call> log = new CopyOnWriteArrayList<>();
  private final AtomicLong seq = new AtomicLong();
  private final Map<String, Deque<Fault>> scripts = new ConcurrentHashMap<>();
  private volatile Faults faults = Faults.NONE;

  /**
   * Sees each request of an Action, with its parameters, when it arrives, before anything else
   * happens to it (an observer that does not return holds the call there).
   */
  @FunctionalInterface
  public interface RequestObserver {
    void arrived(String action, Map<String, String> params);
  }

  private final List<Refusal> refusals = new CopyOnWriteArrayList<>();

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

  /** Every call so far, in order of arrival. */
  public List<Call> log() {
    return List.copyOf(log);
  }

  /** Forgets calls, faults injected, hooks and observers; injects nothing. */
  public void reset() {
    inject(Faults.NONE);
    calls.clear();
    injected.clear();
    hooks.clear();
    observers.clear();
    refusals.clear();
    log.clear();
  }

  public void inject(Faults faults) {
    scripts.clear();
    // A LinkedList keeps the null entries (let that call through).
    faults.firstCalls().forEach((action, script) -> scripts.put(action,
        new java.util.LinkedList<>(script)));
    this.faults = faults;
  }

  /** Faults injected so far, by kind ({@link Fault#label()}). */
  public Map<String, Long> injected() {
    Map<String, Long> snapshot = new TreeMap<>();
    injected.values().forEach(byFault -> byFault.forEach((f, n) ->
        snapshot.merge(f.label(), n.get(), Long::sum)));
    return snapshot;
  }

  /** Faults injected so far by Action, then by kind ({@link Fault#label()}). */
  public Map<String, Map<String, Long>> injectedByAction() {
    Map<String, Map<String, Long>> snapshot = new TreeMap<>();
    injected.forEach((action, byFault) -> byFault.forEach((f, n) -> snapshot
        .computeIfAbsent(action, k -> new TreeMap<>()).put(f.label(), n.get())));
    return snapshot;
  }

  /**
   * An answer EC2 gives for reasons of its own (no capacity for a type in a zone, a quota):
   * every call of {@code action} whose parameters match is answered with this error, unforwarded.
   */
  public record Refusal(String action, Predicate<Map<String, String>> when, int status,
      String code, String message) {}

  /** Answers matching calls with the refusal's error until {@link #reset()}. */
  public void refuse(Refusal refusal) {
    refusals.add(refusal);
  }

  /** Runs {@code hook} once, right after the next successful response to {@code action}. */
  public void afterNextResponse(String action, Consumer<String> hook) {
    onNext(action, Stage.AFTER_RESPONSE, hook);
  }

  /** Runs {@code hook} once at {@code stage} of the next call of {@code action}. */
  public void onNext(String action, Stage stage, Consumer<String> hook) {
    hooks.computeIfAbsent(action, k -> new ConcurrentHashMap<>()).put(stage, hook);
  }

  /** Shows every request to {@code observer} as it arrives, until {@link #reset()}. */
  public void observe(RequestObserver observer) {
    observers.add(observer);
  }

  private Consumer<String> takeHook(String action, Stage stage) {
    Map<Stage, Consumer<String>> forAction = hooks.get(action);
    return forAction == null ? null : forAction.remove(stage);
  }

  private boolean hasHook(String action, Stage stage) {
    Map<Stage, Consumer<String>> forAction = hooks.get(action);
    return forAction != null && forAction.containsKey(stage);
  }

  /** A fault for one call, and whether it came from a script. */
  private record Drawn(Fault fault, boolean scripted) {}

  private static final Drawn NO_FAULT = new Drawn(null, false);

  /** The scripted fault for this call, else a draw at the configured rates. */
  private Drawn nextFault(String action) {
    Deque<Fault> script = scripts.get(action);
    if (script != null) {
      synchronized (script) {
        if (!script.isEmpty()) {
          return new Drawn(script.pollFirst(), true);
        }
      }
    }
    Faults f = faults;
    if (!f.appliesTo().test(action) || f.rates().isEmpty()) {
      return NO_FAULT;
    }
    double r;
    synchronized (f.random()) {
      r = f.random().nextDouble();
    }
    double cumulative = 0;
    for (Fault fault : Fault.values()) {
      cumulative += f.rates().getOrDefault(fault, 0.0);
      if (r < cumulative) {
        return new Drawn(fault, false);
      }
    }
    return NO_FAULT;
  }

  /** A scripted after-forwarding fault that found nothing applied waits for the next call. */
  private void giveBack(String action, Fault fault) {
    Deque<Fault> script = scripts.get(action);
    if (script != null) {
      synchronized (script) {
        script.addFirst(fault);
      }
    }
  }

  private void count(String action, Fault fault) {
    injected.computeIfAbsent(action, k -> new ConcurrentHashMap<>())
        .computeIfAbsent(fault, k -> new AtomicLong()).incrementAndGet();
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

  /** Closes the connection without an answer (no response headers were sent). */
  private static void drop(HttpExchange exchange) {
    exchange.close();
  }

  private void forward(HttpExchange exchange) throws IOException {
    Instant arrived = Instant.now();
    long n = seq.incrementAndGet();
    byte[] body = exchange.getRequestBody().readAllBytes();
    Map<String, String> form = form(new String(body, StandardCharsets.UTF_8));
    String action = form.getOrDefault("Action", "(unknown)");
    Map<String, String> params = MUTATING.contains(action) ? paramsOf(form) : Map.of();
    calls.computeIfAbsent(action, k -> new AtomicLong()).incrementAndGet();
    HttpResponse<byte[]> response = null;
    try {
      // Observers see every Action's parameters, reads' too (the log keeps only writes').
      Map<String, String> seen = observers.isEmpty() || MUTATING.contains(action) ? params
          : paramsOf(form);
      for (RequestObserver observer : observers) {
        try {
          observer.arrived(action, seen);
        } catch (RuntimeException e) {
          // An observer's own trouble must not change what the caller sees.
        }
      }

      Consumer<String> onRequest = takeHook(action, Stage.ON_REQUEST);
      if (onRequest != null) {
        onRequest.accept(action);
        log.add(new Call(n, arrived, action, params, 0, "kill on request", false, false,
            List.of()));
        drop(exchange);
        return;
      }

      for (Refusal refusal : refusals) {
        if (refusal.action().equals(action) && refusal.when().test(params)) {
          log.add(new Call(n, arrived, action, params, refusal.status(), refusal.code(), false,
              false, List.of()));
          fail(exchange, refusal.status(), refusal.code(), refusal.message());
          return;
        }
      }

      Faults f = faults;
      if (f.latencyMillis() > 0 && f.appliesTo().test(action)) {
        // Injected latency is what this proxy is for, not a way to wait for something.
        LockSupport.parkNanos(f.latencyMillis() * 1_000_000L);
      }
      Drawn drawn = nextFault(action);
      Fault fault = drawn.fault();
      if (fault != null && !fault.afterForwarding()) {
        count(action, fault);
        log.add(new Call(n, arrived, action, params, 0, fault.label(), false, false, List.of()));
        switch (fault) {
          case THROTTLE -> fail(exchange, 503, "RequestLimitExceeded", "Request limit exceeded.");
          case INTERNAL_ERROR -> fail(exchange, 500, "InternalError",
              "An internal error has occurred.");
          default -> drop(exchange);
        }
        return;
      }

      response = send(exchange, body);
      boolean applied = response.statusCode() / 100 == 2;
      List<String> created = applied ? created(action, response.body()) : List.of();

      if (applied && hasHook(action, Stage.AFTER_FORWARD)) {
        takeHook(action, Stage.AFTER_FORWARD).accept(action);
        log.add(new Call(n, arrived, action, params, response.statusCode(), "kill after forward",
            true, false, created));
        drop(exchange);
        return;
      }
      if (fault != null) {
        if (applied) {
          count(action, fault);
          log.add(new Call(n, arrived, action, params, response.statusCode(), fault.label(),
              true, false, created));
          if (fault == Fault.LOST_RESPONSE) {
            drop(exchange);
          } else {
            fail(exchange, 500, "InternalError", "An internal error has occurred.");
          }
          return;
        }
        if (drawn.scripted()) {
          giveBack(action, fault);
        }
      }

      response.headers().map().forEach((name, values) -> {
        if (!HOP_BY_HOP.contains(name.toLowerCase()) && !name.startsWith(":")) {
          values.forEach(v -> exchange.getResponseHeaders().add(name, v));
        }
      });
      exchange.sendResponseHeaders(response.statusCode(),
          response.body().length == 0 ? -1 : response.body().length);
      exchange.getResponseBody().write(response.body());
      exchange.getResponseBody().flush();
      log.add(new Call(n, arrived, action, params, response.statusCode(), null, applied, true,
          created));
      if (response.statusCode() == 200) {
        Consumer<String> afterResponse = takeHook(action, Stage.AFTER_RESPONSE);
        if (afterResponse != null) {
          afterResponse.accept(action);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.add(new Call(n, arrived, action, params, 0, "proxy interrupted", false, false,
          List.of()));
      drop(exchange);
    } catch (IOException | RuntimeException e) {
      // moto unreachable, or the caller went away (killed) while it was answered.
      if (log.stream().noneMatch(c -> c.seq() == n)) {
        boolean applied = response != null && response.statusCode() / 100 == 2;
        log.add(new Call(n, arrived, action, params, response == null ? 0
            : response.statusCode(), "proxy error: " + e, applied, false,
            applied ? created(action, response.body()) : List.of()));
      }
      drop(exchange);
    } finally {
      exchange.close();
    }
  }

  private HttpResponse<byte[]> send(HttpExchange exchange, byte[] body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(
            target.resolve(exchange.getRequestURI().toString()))
        .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
    exchange.getRequestHeaders().forEach((name, values) -> {
      if (!HOP_BY_HOP.contains(name.toLowerCase())) {
        values.forEach(v -> request.header(name, v));
      }
    });
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static List<String> created(String action, byte[] body) {
    Pattern p = switch (action) {
      case "RunInstances" -> INSTANCE_ID;
      case "AllocateAddress" -> ALLOCATION_ID;
      default -> null;
    };
    if (p == null) {
      return List.of();
    }
    List<String> ids = new ArrayList<>();
    Matcher m = p.matcher(new String(body, StandardCharsets.UTF_8));
    while (m.find()) {
      if (!ids.contains(m.group(1))) {
        ids.add(m.group(1));
      }
    }
    return List.copyOf(ids);
  }

  private static Map<String, String> paramsOf(Map<String, String> form) {
    Map<String, String> params = new TreeMap<>(form);
    params.remove("UserData");
    params.remove("Version");
    return java.util.Collections.unmodifiableMap(params);
  }

  private static Map<String, String> form(String body) {
    Map<String, String> form = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return form;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
