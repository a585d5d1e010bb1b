package dev.cutover;

import com.sun.net.httpserver.HttpServer;
import dev.cutover.act.Ec2Gateway;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The operator process: configuration, wiring, health endpoints, graceful shutdown. */
public final class CutoverOperator {

  private static final Logger log = LoggerFactory.getLogger(CutoverOperator.class);

  private CutoverOperator() {}

  public static void main(String[] args) throws IOException {
    OperatorConfig config;
    try {
      config = OperatorConfig.fromEnvironment(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("cutover: " + e.getMessage());
      System.exit(2);
      return;
    }
    KubernetesClient client = new KubernetesClientBuilder().build();
    Ec2Gateway gateway = Ec2Gateway.create(config.region(), config.ec2Endpoint());
    Operator operator = new Operator(o -> {
      o.withKubernetesClient(client);
      if (config.leaderElection()) {
        var election = LeaderElectionConfigurationBuilder
            .aLeaderElectionConfiguration(config.leaseName());
        config.leaseNamespace().ifPresent(election::withLeaseNamespace);
        o.withLeaderElectionConfiguration(election.build());
      }
    });
    operator.register(Cutover.reconciler(client, gateway, Clock.systemUTC(),
        config.pollInterval()), o -> {
          if (!config.namespaces().isEmpty()) {
            o.settingNamespaces(config.namespaces());
          }
        });
    HttpServer health = config.healthPort() > 0 ? startHealth(config.healthPort(), operator)
        : null;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("shutting down");
      operator.stop();
      if (health != null) {
        health.stop(0);
      }
      gateway.close();
    }, "cutover-shutdown"));
    operator.start();
    log.info("Cutover started: region {}, EC2 endpoint {}, poll every {}, namespaces {}",
        config.region(), config.ec2Endpoint().map(Object::toString).orElse("AWS"),
        config.pollInterval(), config.namespaces().isEmpty() ? "all" : config.namespaces());
  }

  private static HttpServer startHealth(int port, Operator operator) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
    server.createContext("/healthz", exchange -> respond(exchange, 200, "ok"));
    server.createContext("/readyz", exchange -> {
      boolean ready = operator.getRuntimeInfo().allEventSourcesAreHealthy();
      respond(exchange, ready ? 200 : 503, ready ? "ready" : "event sources not healthy");
    });
    server.start();
    return server;
  }

  private static void respond(com.sun.net.httpserver.HttpExchange exchange, int code,
      String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(code, bytes.length);
    try (var out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
