package dev.cutover;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cutover.ec2.Ec2Failure;
import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.observe.CheckAddresses;
import dev.cutover.status.NotificationSecret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator process: configuration, wiring, leader election, the HTTP endpoints
 * ({@code /healthz}, {@code /readyz}, {@code /metrics}) and graceful shutdown.
 */
public final class CutoverOperator implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(CutoverOperator.class);

  private final Operator operator;
  private final HttpServer endpoints;
  private final Ec2Gateway gateway;

  private CutoverOperator(Operator operator, HttpServer endpoints, Ec2Gateway gateway) {
    this.operator = operator;
    this.endpoints = endpoints;
    this.gateway = gateway;
  }

  public static void main(String[] args) {
    OperatorConfig config;
    try {
      config = OperatorConfig.fromEnvironment(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("cutover: " + e.getMessage());
      System.exit(2);
      return;
    }
    CutoverOperator running;
    try {
      Ec2Gateway gateway = Ec2Gateway.create(config.region(), config.ec2Endpoint());
      requireEc2(gateway, config, START_CHECK_WINDOW);
      running = start(config, new KubernetesClientBuilder().build(), gateway, Clock.systemUTC(),
          CheckAddresses.instanceIps(), Optional.empty(),
          config.healthPort() == 0 ? -1 : config.healthPort());
    } catch (RuntimeException e) {
      log.error("Cutover could not start: {}", e.getMessage(), e);
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(running::close, "cutover-shutdown"));
  }

  /** How long a start waits for EC2 to answer when the failures may pass (network, 5xx). */
  static final Duration START_CHECK_WINDOW = Duration.ofSeconds(20);

  /**
   * One read of EC2 before anything starts, so that a process that cannot work says so and
   * exits instead of serving /healthz while every poll fails: refused credentials or a missing
   * permission end it at once, an unreachable endpoint or a server error once
   * {@code window} has passed.
   */
  static void requireEc2(Ec2Gateway gateway, OperatorConfig config, Duration window) {
    Instant giveUpAt = Instant.now().plus(window);
    while (true) {
      try {
        gateway.describeAddresses();
        return;
      } catch (Ec2Failure e) {
        if (!e.retryable() || Instant.now().isAfter(giveUpAt)) {
          throw new IllegalStateException("EC2 in " + config.region() + " at "
              + config.ec2Endpoint().map(Object::toString).orElse("AWS") + " cannot be used"
              + (e.retryable() ? " (still failing after " + window.toSeconds() + " s)" : "")
              + ": " + e.getMessage(), e);
        }
        log.warn("EC2 not usable yet, trying again: {}", e.getMessage());
        try {
          Thread.sleep(2000);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for EC2", interrupted);
        }
      }
    }
  }

  /**
   * Starts the operator.
   *
   * @param identity leader-election identity; empty: the host name (a pod's name)
   * @param httpPort port of the endpoints; 0 picks a free one, below 0 disables them
   */
  public static CutoverOperator start(OperatorConfig config, KubernetesClient client,
      Ec2Gateway gateway, Clock clock, CheckAddresses addresses, Optional<String> identity,
      int httpPort) {
    Optional<NotificationSecret> notifications = config.notificationsSecret()
        .map(ref -> new NotificationSecret(client, ref.namespace()
            .orElseGet(() -> ownNamespace(client, ref)), ref.name(), clock));
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Several shards scraped by one Prometheus: each series says whose it is.
    config.shard().ifPresent(shard -> registry.config().commonTags("shard", shard));
    new JvmMemoryMetrics().bindTo(registry);
    Operator operator = new Operator(o -> {
      o.withKubernetesClient(client);
      o.withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry));
      if (config.leaderElection()) {
        var election = LeaderElectionConfigurationBuilder
            .aLeaderElectionConfiguration(config.leaseName());
        config.leaseNamespace().ifPresent(election::withLeaseNamespace);
        // In a test process several operators share the JVM: losing the lease stops only one.
        identity.ifPresent(id -> election.withIdentity(id).withExitOnStopLeading(false));
        o.withLeaderElectionConfiguration(election.build());
      }
    });
    ReleaseReconciler reconciler = Cutover.reconciler(client, gateway, clock,
        config.pollInterval(), addresses, new CutoverMetrics(registry), notifications,
        config.shard(), config.releaseSelector());
    operator.register(reconciler, o -> {
      if (!config.namespaces().isEmpty()) {
        o.settingNamespaces(config.namespaces());
      }
      // The informer lists and watches only the shard's Releases; every other event source
      // is keyed by them.
      config.releaseSelector().ifPresent(s -> o.withLabelSelector(s.toString()));
    });
    HttpServer endpoints = httpPort < 0 ? null : endpoints(httpPort, operator, registry);
    try {
      operator.start();
    } catch (RuntimeException e) {
      // A process that cannot work must not look healthy: no endpoints, and main exits.
      if (endpoints != null) {
        endpoints.stop(0);
      }
      throw e;
    }
    log.info("Cutover started as {}: shard {}, region {}, EC2 endpoint {}, poll every {}, "
            + "namespaces {}, Releases {}, leader election {}, notifications {}",
        config.instanceName(), config.shard().orElse("(none)"), config.region(),
        config.ec2Endpoint().map(Object::toString).orElse("AWS"), config.pollInterval(),
        config.namespaces().isEmpty() ? "all" : config.namespaces(),
        config.releaseSelector().map(s -> "selected by " + s).orElse("all"),
        config.leaderElection() ? "on (Lease " + config.leaseName() + ")" : "off",
        config.notificationsSecret().map(ref -> "from Secret " + ref).orElse("off"));
    return new CutoverOperator(operator, endpoints, gateway);
  }

  /**
   * The namespace a Secret named without one is in: the operator's own, which the client knows
   * from the pod's ServiceAccount (or the kubeconfig context outside a cluster).
   */
  private static String ownNamespace(KubernetesClient client, OperatorConfig.SecretRef ref) {
    String namespace = client.getNamespace();
    if (namespace == null || namespace.isBlank()) {
      throw new IllegalStateException("CUTOVER_NOTIFICATIONS_SECRET=\"" + ref + "\" names no "
          + "namespace and the operator's own is unknown here: write namespace/name");
    }
    return namespace;
  }

  /** The port of /healthz, /readyz and /metrics. */
  public int port() {
    return endpoints.getAddress().getPort();
  }

  public Ec2Gateway gateway() {
    return gateway;
  }

  @Override
  public void close() {
    log.info("shutting down");
    operator.stop();
    if (endpoints != null) {
      endpoints.stop(0);
    }
    gateway.close();
  }

  private static HttpServer endpoints(int port, Operator operator,
      PrometheusMeterRegistry registry) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
      server.createContext("/healthz", exchange -> respond(exchange, 200, "ok"));
      server.createContext("/readyz", exchange -> {
        boolean ready = operator.getRuntimeInfo().allEventSourcesAreHealthy();
        respond(exchange, ready ? 200 : 503, ready ? "ready" : "event sources not healthy");
      });
      server.createContext("/metrics", exchange -> respond(exchange, 200, registry.scrape()));
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve the endpoints on port " + port, e);
    }
  }

  private static void respond(HttpExchange exchange, int code, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(code, bytes.length);
    try (var out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
