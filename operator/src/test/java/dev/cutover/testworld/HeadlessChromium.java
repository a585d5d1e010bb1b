package dev.cutover.testworld;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * A real headless Chromium, driven through chromedriver with the W3C WebDriver protocol (plain
 * JSON over HTTP on 127.0.0.1): new session, navigate, find, click, run a script, screenshot.
 * Debian's {@code chromium} and {@code chromium-driver} packages, installed by
 * {@code hack/install-chromium.sh} ({@code make tools-chromium}).
 */
public final class HeadlessChromium implements AutoCloseable {

  public static final Path CHROMIUM = Path.of(setting("cutover.chromium", "CHROMIUM",
      "/usr/bin/chromium"));
  public static final Path CHROMEDRIVER = Path.of(setting("cutover.chromedriver",
      "CHROMEDRIVER", "/usr/bin/chromedriver"));

  /** The key under which WebDriver names an element. */
  private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final Process driver;
  private final Path profile;
  private final Path driverLog;
  private final URI base;
  private final String session;

  /** An element of the current page, as WebDriver names it. */
  public record Element(String id) {}

  private HeadlessChromium(int width, int height) throws IOException {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      throw new IllegalStateException("headless Chromium is needed for this test, but "
          + (Files.isExecutable(CHROMIUM) ? CHROMEDRIVER : CHROMIUM) + " is missing: run "
          + "`make tools-chromium` (hack/install-chromium.sh installs Debian's chromium and "
          + "chromium-driver; it needs root), or point -Dcutover.chromium and "
          + "-Dcutover.chromedriver at an installed pair");
    }
    int port = freePort();
    profile = Files.createTempDirectory("cutover-chromium-");
    driverLog = profile.resolveSibling(profile.getFileName() + ".chromedriver.log");
    driver = new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port,
        "--allowed-ips=127.0.0.1")
        .redirectErrorStream(true).redirectOutput(driverLog.toFile()).start();
    base = URI.create("http://127.0.0.1:" + port);
    try {
      Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
          .ignoreExceptions().until(() -> {
            if (!driver.isAlive()) {
              throw new IllegalStateException("chromedriver exited: " + log());
            }
            return call("GET", "/status", null).path("ready").asBoolean();
          });
      ObjectNode options = json.createObjectNode();
      options.put("binary", CHROMIUM.toString());
      var args = options.putArray("args");
      for (String arg : List.of("--headless=new", "--no-sandbox", "--disable-gpu",
          "--disable-quic", "--no-first-run", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
          "--user-data-dir=" + profile, "--window-size=" + width + "," + height)) {
        args.add(arg);
      }
      ObjectNode always = json.createObjectNode();
      always.put("browserName", "chrome");
      always.set("goog:chromeOptions", options);
      ObjectNode body = json.createObjectNode();
      body.putObject("capabilities").set("alwaysMatch", always);
      session = call("POST", "/session", body).path("sessionId").asText();
      if (session.isEmpty()) {
        throw new IllegalStateException("chromedriver gave no session: " + log());
      }
    } catch (RuntimeException e) {
      stopDriver();
      throw e;
    }
  }

  /** Starts chromedriver and a headless Chromium with a fresh profile and this window size. */
  public static HeadlessChromium start(int width, int height) {
    try {
      return new HeadlessChromium(width, height);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void navigate(String url) {
    ObjectNode body = json.createObjectNode();
    body.put("url", url);
    sessionCall("POST", "/url", body);
  }

  /** The first element matching the CSS selector; fails when there is none. */
  public Element find(String css) {
    ObjectNode body = json.createObjectNode();
    body.put("using", "css selector");
    body.put("value", css);
    return new Element(sessionCall("POST", "/element", body).path(ELEMENT).asText());
  }

  public void click(Element element) {
    sessionCall("POST", "/element/" + element.id() + "/click", json.createObjectNode());
  }

  /** Finds and clicks in one go (a page that redraws may replace the element in between). */
  public void click(String css) {
    Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .ignoreExceptions().until(() -> {
          click(find(css));
          return true;
        });
  }

  /** The rendered text of the element. */
  public String text(Element element) {
    return sessionCall("GET", "/element/" + element.id() + "/text", null).asText();
  }

  /** Runs {@code script} (a function body: use {@code return}) with {@code args}. */
  public JsonNode execute(String script, Object... args) {
    ObjectNode body = json.createObjectNode();
    body.put("script", script);
    var list = body.putArray("args");
    for (Object arg : args) {
      list.add(json.valueToTree(arg));
    }
    return sessionCall("POST", "/execute/sync", body);
  }

  /** The script's result as text ("" for null or undefined). */
  public String executeText(String script, Object... args) {
    JsonNode result = execute(script, args);
    return result == null || result.isNull() || result.isMissingNode() ? "" : result.asText();
  }

  /** A PNG of the window, written to each of {@code files}. */
  public void screenshot(Path... files) {
    byte[] png = Base64.getDecoder().decode(sessionCall("GET", "/screenshot", null).asText());
    for (Path file : files) {
      try {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, png);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Override
  public void close() {
    try {
      sessionCall("DELETE", "", null);
    } catch (RuntimeException e) {
      // The browser may be gone already; chromedriver is stopped below either way.
    }
    stopDriver();
  }

  private void stopDriver() {
    driver.destroy();
    try {
      if (!driver.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        driver.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      Files.deleteIfExists(driverLog);
    } catch (IOException e) {
      // A temporary directory left behind is harmless.
    }
  }

  // ------------------------------------------------------------------ the protocol

  private JsonNode sessionCall(String method, String path, JsonNode body) {
    return call(method, "/session/" + session + path, body);
  }

  /** One WebDriver command; returns its {@code value}, or throws with WebDriver's error. */
  private JsonNode call(String method, String path, JsonNode body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
        .timeout(CALL_TIMEOUT)
        .header("Content-Type", "application/json; charset=utf-8");
    request = body == null ? request.method(method, HttpRequest.BodyPublishers.noBody())
        : request.method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
    try {
      HttpResponse<String> response = http.send(request.build(),
          HttpResponse.BodyHandlers.ofString());
      JsonNode answer = json.readTree(response.body());
      JsonNode value = answer.path("value");
      if (response.statusCode() != 200) {
        throw new IllegalStateException("WebDriver " + method + " " + path + ": "
            + value.path("error").asText() + ": " + value.path("message").asText());
      }
      return value;
    } catch (IOException e) {
      throw new UncheckedIOException("WebDriver " + method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private String log() {
    try {
      List<String> lines = new ArrayList<>(Files.readAllLines(driverLog));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String setting(String property, String env, String fallback) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      value = System.getenv(env);
    }
    return value == null || value.isBlank() ? fallback : value;
  }
}
