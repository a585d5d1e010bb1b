package dev.cutover.gates;

import com.sun.net.httpserver.HttpServer;
import dev.cutover.observe.CheckAddresses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real HTTP server on loopback per instance (version + slot), standing in for the
 * application on an EC2 instance, whose answer each test controls. {@link #addresses()} is the
 * seam that points Cutover's HTTP checks at them.
 */
final class InstanceServers implements AutoCloseable {

  enum Behaviour { HEALTHY, FAILING, SLOW, HANGING }

  private final class Server {
    final HttpServer http;
    volatile Behaviour behaviour = Behaviour.HEALTHY;
    final AtomicInteger requests = new AtomicInteger();

    Server() {
      try {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      http.setExecutor(pool);
      http.createContext("/", exchange -> {
        requests.incrementAndGet();
        try {
          switch (behaviour) {
            case HANGING -> released.await(60, TimeUnit.SECONDS);
            case SLOW -> released.await(150, TimeUnit.MILLISECONDS);
            default -> { }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        int status = behaviour == Behaviour.FAILING ? 500 : 200;
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
      });
      http.start();
    }
  }

  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final CountDownLatch released = new CountDownLatch(1);
  private final Map<String, Server> servers = new ConcurrentHashMap<>();

  private Server server(String version, int slot) {
    return servers.computeIfAbsent(version + "/" + slot, k -> new Server());
  }

  /** Every instance answers 200 again (each test starts from healthy applications). */
  void reset() {
    servers.values().forEach(s -> s.behaviour = Behaviour.HEALTHY);
  }

  void set(String version, int slot, Behaviour behaviour) {
    server(version, slot).behaviour = behaviour;
  }

  int requests(String version, int slot) {
    return server(version, slot).requests.get();
  }

  CheckAddresses addresses() {
    return (instance, check) -> Optional.of(URI.create("http://127.0.0.1:"
        + server(instance.version(), instance.slot()).http.getAddress().getPort()
        + (check.path == null ? "/" : check.path)));
  }

  @Override
  public void close() {
    released.countDown();
    servers.values().forEach(s -> s.http.stop(0));
    pool.shutdownNow();
  }
}
