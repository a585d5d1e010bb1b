package dev.cutover.plugin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The training run of {@code make plugin}: the commands people run most, each against a loopback
 * server that answers as the API server would (a Release with three fleets, its Events, a
 * patch), so that the JVM records the classes they load in the plugin's class-data archive
 * ({@code -XX:ArchiveClassesAtExit}) without needing a cluster.
 *
 * <p>Arguments: a PKCS12 keystore (password "rehearsal") and its certificate in PEM, made for
 * the run by keytool, so that the server speaks TLS and the client verifies it as it verifies an
 * API server; without them the server speaks plain HTTP.
 */
public final class Rehearsal {

  private Rehearsal() {}

  public static void main(String[] args) throws IOException {
    String release = resource("rehearsal-release.json");
    String events = """
        {"apiVersion":"v1","kind":"EventList","metadata":{"resourceVersion":"1043"},"items":[
         {"metadata":{"name":"storefront.1","namespace":"default"},
          "involvedObject":{"apiVersion":"cutover.dev/v1alpha1","kind":"Release",
            "name":"storefront","namespace":"default"},
          "type":"Normal","reason":"Launched","message":"Launched 3 instances of 2.6.0.",
          "count":1,"firstTimestamp":"2025-01-01T10:40:00Z",
          "lastTimestamp":"2025-01-01T10:40:00Z"}]}""";
    String list = "{\"apiVersion\":\"cutover.dev/v1alpha1\",\"kind\":\"ReleaseList\","
        + "\"metadata\":{\"resourceVersion\":\"1043\"},\"items\":[" + release + "]}";
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    boolean tls = args.length == 2;
    HttpServer server = tls ? HttpsServer.create(loopback, 0) : HttpServer.create(loopback, 0);
    if (tls) {
      ((HttpsServer) server).setHttpsConfigurator(new HttpsConfigurator(
          serverContext(Path.of(args[0]))));
    }
    server.createContext("/", exchange -> answer(exchange, release, list, events));
    server.start();
    Path kubeconfig = Files.createTempFile("kubectl-cutover-rehearsal", ".yaml");
    try {
      Files.writeString(kubeconfig, """
          apiVersion: v1
          kind: Config
          clusters:
          - name: rehearsal
            cluster: {server: "%s://127.0.0.1:%d"%s}
          users:
          - name: rehearsal
            user: {token: rehearsal}
          contexts:
          - name: rehearsal
            context: {cluster: rehearsal, user: rehearsal, namespace: default}
          current-context: rehearsal
          """.formatted(tls ? "https" : "http", server.getAddress().getPort(), tls
              ? ", certificate-authority-data: " + Base64.getEncoder().encodeToString(
                  Files.readAllBytes(Path.of(args[1])))
              : ""));
      String config = kubeconfig.toString();
      PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true,
          StandardCharsets.UTF_8);
      Clock clock = Clock.fixed(Instant.parse("2025-01-01T10:43:00Z"), ZoneOffset.UTC);
      // Each command with the exit code it has here: a different one means the training ran
      // another path than people's commands do.
      Map<List<String>, Integer> commands = new LinkedHashMap<>();
      commands.put(List.of("get", "storefront"), ExitCodes.OK);
      commands.put(List.of("get"), ExitCodes.OK);
      commands.put(List.of("get", "storefront", "-o", "json"), ExitCodes.OK);
      commands.put(List.of("history", "storefront"), ExitCodes.OK);
      commands.put(List.of("promote", "storefront"), ExitCodes.OK);
      // The sample's retained fleet id is not the hash of its spec: undo refuses, as it must.
      commands.put(List.of("undo", "storefront", "-o", "json"), ExitCodes.NOT_POSSIBLE);
      commands.put(List.of("get", "nothing"), ExitCodes.NOT_FOUND);
      commands.put(List.of("get", "--help"), ExitCodes.OK);
      for (var command : commands.entrySet()) {
        String[] line = java.util.stream.Stream.concat(command.getKey().stream(),
            java.util.stream.Stream.of("--kubeconfig", config)).toArray(String[]::new);
        int exit = KubectlCutover.run(line, quiet, quiet, false, clock);
        if (exit != command.getValue()) {
          throw new IllegalStateException("kubectl cutover " + String.join(" ",
              command.getKey()) + " exited " + exit + ", not " + command.getValue());
        }
      }
    } finally {
      server.stop(0);
      Files.deleteIfExists(kubeconfig);
    }
  }

  private static void answer(HttpExchange exchange, String release, String list,
      String events) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String body;
    int code = 200;
    if (path.endsWith("/releases/storefront")) {
      body = release;
    } else if (path.endsWith("/releases")) {
      body = list;
    } else if (path.endsWith("/events")) {
      body = events;
    } else {
      code = 404;
      body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
          + "\"reason\":\"NotFound\",\"code\":404,\"message\":\"not found\"}";
    }
    exchange.getRequestBody().readAllBytes();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(code, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  private static SSLContext serverContext(Path keystore) throws IOException {
    char[] password = "rehearsal".toCharArray();
    try (InputStream in = Files.newInputStream(keystore)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
      KeyManagerFactory keys = KeyManagerFactory.getInstance(
          KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot use the keystore " + keystore, e);
    }
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = Rehearsal.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
