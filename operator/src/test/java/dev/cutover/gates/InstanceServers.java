package dev.cutover.gates;

import static dev.cutover.testworld.Ec2World.tag;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cutover.ec2.Tags;
import dev.cutover.testworld.Ec2World;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;

/**
 * The applications on the EC2 instances, played by real HTTP servers on the instances' own
 * private addresses. The tests launch instances in a moto subnet of loopback addresses
 * ({@link #CIDR}), so the private IP moto gives an instance (127.16.1.4, .5, ...) is an address of
 * this machine: Cutover's production address code ({@code CheckAddresses.instanceIps()}) sends
 * each check to http://&lt;private ip&gt;:{@link #port()}&lt;path&gt;, and it arrives here.
 *
 * <p>One server listens on every address the subnet may hand out ({@link #FIRST_HOST} to
 * {@link #LAST_HOST}), all on one free port chosen per JVM. A server finds which instance owns
 * the address it was hit on by asking moto (DescribeInstances in the current subnet), then
 * answers as the test wants that instance (version + slot) to answer. Requests and the local
 * addresses they arrived on are recorded per instance.
 *
 * <p>Public for the tests and benchmarks of other packages that need instances whose checks pass
 * or fail on cue (the release page's browser test; {@code make bench} times its gate latency
 * from the requests recorded here).
 */
public final class InstanceServers implements AutoCloseable {

  public enum Behaviour { HEALTHY, FAILING, SLOW, HANGING }

  /** The VPC and subnet the tests create in moto: loopback addresses on Linux. */
  public static final String VPC_CIDR = "127.16.0.0/16";
  public static final String CIDR = "127.16.1.0/24";
  static final String PREFIX = "127.16.1.";
  /** moto hands out .4 first (.1–.3 are reserved, as on AWS), then in order. */
  static final int FIRST_HOST = 4;
  static final int LAST_HOST = 63;

  private static final int PORT_ATTEMPTS = 20;

  /** An instance as the servers know it: who answers on its address. */
  record Owner(String instanceId, String version, int slot) {
    String key() {
      return key(version, slot);
    }

    static String key(String version, int slot) {
      return version + "/" + slot;
    }
  }

  private final Ec2World ec2;
  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "instance-server");
    t.setDaemon(true);
    return t;
  });
  private final CountDownLatch released = new CountDownLatch(1);
  private final List<HttpServer> servers;
  private final int port;

  private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> localAddresses = new ConcurrentHashMap<>();
  private final Map<String, List<Received>> received = new ConcurrentHashMap<>();

  /** One request as it arrived: method, path and when. */
  public record Received(String method, String path, java.time.Instant at) {}

  /** Private IP → instance, for the current subnet; cleared when the subnet changes. */
  private final Map<String, Owner> owners = new ConcurrentHashMap<>();
  private volatile String subnetId;
  private final AtomicInteger generation = new AtomicInteger();

  public InstanceServers(Ec2Client ec2) {
    this.ec2 = new Ec2World(ec2);
    List<HttpServer> bound = null;
    int chosen = -1;
    BindException last = null;
    for (int attempt = 0; attempt < PORT_ATTEMPTS && bound == null; attempt++) {
      chosen = freePort();
      try {
        bound = bindAll(chosen);
      } catch (BindException e) {
        last = e;
      }
    }
    if (bound == null) {
      throw new IllegalStateException("no port free on every address " + PREFIX + FIRST_HOST
          + "-" + LAST_HOST + " after " + PORT_ATTEMPTS + " attempts", last);
    }
    this.servers = bound;
    this.port = chosen;
  }

  /**
   * The HTTP check the tests give their Releases: /healthz on this port, fast enough for a test
   * (every 200 ms, 1 s timeout, 2 successes to pass).
   */
  public static dev.cutover.api.HttpCheck healthCheck(int port) {
    var http = new dev.cutover.api.HttpCheck();
    http.port = port;
    http.path = "/healthz";
    http.interval = "200ms";
    http.timeout = "1s";
    http.successThreshold = 2;
    return http;
  }

  /** The port every instance's application listens on: the Release's check port. */
  public int port() {
    return port;
  }

  /** Every address a server listens on. */
  List<String> addresses() {
    List<String> all = new ArrayList<>();
    for (int host = FIRST_HOST; host <= LAST_HOST; host++) {
      all.add(PREFIX + host);
    }
    return all;
  }

  /**
   * A new test: instances live in this moto subnet; every instance answers 200 again, and
   * nothing is counted yet.
   */
  public void useSubnet(String subnet) {
    generation.incrementAndGet();
    subnetId = subnet;
    owners.clear();
    behaviours.clear();
    requests.clear();
    localAddresses.clear();
    received.clear();
  }

  public void set(String version, int slot, Behaviour behaviour) {
    behaviours.put(Owner.key(version, slot), behaviour);
  }

  /** Requests that reached the instance of this version and slot. */
  int requests(String version, int slot) {
    AtomicInteger n = requests.get(Owner.key(version, slot));
    return n == null ? 0 : n.get();
  }

  /** Every request that reached the instance of this version and slot, in order. */
  public List<Received> received(String version, int slot) {
    return List.copyOf(received.getOrDefault(Owner.key(version, slot), List.of()));
  }

  /** The local addresses the requests for this version and slot arrived on. */
  Set<String> localAddresses(String version, int slot) {
    return Set.copyOf(localAddresses.getOrDefault(Owner.key(version, slot), Set.of()));
  }

  /** The slot of an instance, as Cutover reads it: the slot tag's entry at its launch index. */
  static int slotOf(Instance instance) {
    String slots = tag(instance, Tags.SLOT);
    int index = instance.amiLaunchIndex() == null ? 0 : instance.amiLaunchIndex();
    if (slots == null || slots.isBlank()) {
      return index;
    }
    return Tags.slotAt(slots, index);
  }

  @Override
  public void close() {
    released.countDown();
    servers.forEach(s -> s.stop(0));
    pool.shutdownNow();
  }

  // ---------------------------------------------------------------- serving

  private void handle(HttpExchange exchange) throws IOException {
    try {
      String local = exchange.getLocalAddress().getAddress().getHostAddress();
      Optional<Owner> owner = ownerOf(local);
      if (owner.isEmpty()) {
        // No instance of this test holds the address (a check left over from another test).
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      String key = owner.get().key();
      requests.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      localAddresses.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(local);
      received.computeIfAbsent(key, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
          .add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
              java.time.Instant.now()));
      Behaviour behaviour = behaviours.getOrDefault(key, Behaviour.HEALTHY);
      try {
        switch (behaviour) {
          case HANGING -> released.await(60, TimeUnit.SECONDS);
          case SLOW -> released.await(150, TimeUnit.MILLISECONDS);
          default -> { }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      // The behaviour may have changed while the request hung: answer as set now.
      behaviour = behaviours.getOrDefault(key, Behaviour.HEALTHY);
      exchange.sendResponseHeaders(behaviour == Behaviour.FAILING ? 500 : 200, -1);
    } finally {
      exchange.close();
    }
  }

  /** The instance of the current subnet whose private IP is {@code ip}, asking moto once. */
  private Optional<Owner> ownerOf(String ip) {
    Owner known = owners.get(ip);
    if (known != null) {
      return Optional.of(known);
    }
    String subnet = subnetId;
    if (subnet == null) {
      return Optional.empty();
    }
    int asked = generation.get();
    Map<String, Owner> found = new HashMap<>();
    ec2.inSubnet(subnet).forEach(i -> {
      String version = tag(i, Tags.VERSION);
      boolean gone = i.state() != null && (i.state().name() == InstanceStateName.TERMINATED
          || i.state().name() == InstanceStateName.SHUTTING_DOWN);
      if (i.privateIpAddress() != null && version != null
          && (!gone || !found.containsKey(i.privateIpAddress()))) {
        found.put(i.privateIpAddress(), new Owner(i.instanceId(), version, slotOf(i)));
      }
    });
    // Only what the current test's subnet says: a lookup that raced a new test is dropped.
    if (generation.get() == asked) {
      owners.putAll(found);
    }
    return Optional.ofNullable(found.get(ip));
  }

  // ---------------------------------------------------------------- binding

  private List<HttpServer> bindAll(int port) throws BindException {
    List<HttpServer> bound = new ArrayList<>();
    try {
      for (String address : addresses()) {
        HttpServer http = HttpServer.create(
            new InetSocketAddress(InetAddress.getByName(address), port), 0);
        http.setExecutor(pool);
        http.createContext("/", this::handle);
        http.start();
        bound.add(http);
      }
      return Collections.unmodifiableList(bound);
    } catch (BindException e) {
      bound.forEach(s -> s.stop(0));
      throw e;
    } catch (IOException e) {
      bound.forEach(s -> s.stop(0));
      throw new IllegalStateException("cannot listen on " + PREFIX + "x:" + port, e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
