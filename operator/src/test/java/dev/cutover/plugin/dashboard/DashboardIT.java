package dev.cutover.plugin.dashboard;

import static dev.cutover.gates.InstanceServers.Behaviour.FAILING;
import static dev.cutover.gates.InstanceServers.Behaviour.HEALTHY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.cutover.api.HttpCheck;
import dev.cutover.api.Phase;
import dev.cutover.api.Promotion;
import dev.cutover.api.Release;
import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.gates.InstanceServers;
import dev.cutover.testworld.Ec2World;
import dev.cutover.testworld.HeadlessChromium;
import dev.cutover.testworld.Operators;
import dev.cutover.testworld.Patience;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.ReleaseOps;
import dev.cutover.testworld.TestWorld;
import dev.cutover.plugin.ExitCodes;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code kubectl cutover dashboard} in a real headless Chromium, against the real API server,
 * moto and the operator: the command runs as a user runs it (its printed URL is the one the
 * browser opens), the page follows a Release through staging to Live as the cluster changes,
 * with no reload, and its Promote button (with the in-page confirmation) promotes a Manual
 * Release. The instances' applications are real HTTP servers on their loopback private IPs, so
 * their checks fail or pass on cue.
 *
 * <p>Saves a screenshot of the page to target/dashboard.png, and to docs/images/dashboard.png
 * (the README's) with {@code -Dcutover.writeDocs=true}.
 */
@ExtendWith(TestWorld.class)
class DashboardIT {

  static final Path SCREENSHOT = Path.of("target", "dashboard.png");
  static final Path DOCS_SCREENSHOT = Path.of("..", "docs", "images", "dashboard.png");
  /** The page shows a change the cluster made within this. */
  static final Duration PAGE = Duration.ofSeconds(20);
  static final Pattern URL = Pattern.compile("http://127\\.0\\.0\\.1:\\d+/\\?token=[A-Za-z0-9_-]+");

  static final InstanceServers servers = new InstanceServers(TestWorld.ec2());
  static final Ec2Gateway gateway = Operators.newGateway();

  @RegisterExtension
  static final LocallyRunOperatorExtension operator = Operators.inThisJvm(gateway);

  static final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  static final AtomicReference<Thread> command = new AtomicReference<>();
  static final CompletableFuture<Integer> exit = new CompletableFuture<>();
  static HeadlessChromium browser;
  static String url;

  private final Ec2World ec2 = new Ec2World(TestWorld.ec2());
  private ReleaseOps releases;
  private Ec2World.Network network;

  @BeforeAll
  static void startTheCommandAndTheBrowser() {
    String namespace = operator.getNamespace();
    PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    Thread thread = new Thread(() -> exit.complete(
        Dashboard.run(TestWorld.client(), List.of("-n", namespace, "--no-open"), out)),
        "kubectl-cutover-dashboard");
    thread.setDaemon(true);
    command.set(thread);
    thread.start();
    url = await().atMost(Patience.API_SERVER).until(() -> {
      Matcher m = URL.matcher(printed());
      return m.find() ? m.group() : null;
    }, u -> u != null);
    assertThat(printed()).contains("Cutover releases (namespace " + namespace);
    browser = HeadlessChromium.start(1400, 1000);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    Thread thread = command.get();
    if (thread != null) {
      thread.interrupt();
      assertThat(exit.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join())
          .as("the command ends when stopped").isZero();
    }
    servers.close();
  }

  /**
   * One story on one moto world (moto is reset before each test method, and a Release must
   * not outlive its instances): every step uses Releases of its own names, and later steps see
   * the earlier ones' Releases beside theirs, as a user's page would.
   */
  @TestFactory
  Stream<DynamicTest> theReleasePage() {
    releases = ReleaseOps.in(operator.getNamespace());
    network = ec2.loopbackNetwork(InstanceServers.VPC_CIDR, InstanceServers.CIDR);
    servers.useSubnet(network.subnetId());
    return Stream.of(
        dynamicTest("follows a Release through staging to Live",
            this::followsAReleaseThroughStagingToLive),
        dynamicTest("promotes a Manual Release with its Promote button",
            this::promotesAManualReleaseWithItsButton),
        dynamicTest("shows what the API says as text, never as markup",
            this::showsTextNeverMarkup),
        dynamicTest("shows every namespace when none is named",
            this::showsEveryNamespaceWhenNoneIsNamed),
        dynamicTest("acts with the user's own permissions",
            this::actsWithTheUsersOwnPermissions));
  }

  void followsAReleaseThroughStagingToLive() {
    browser.navigate(url);
    awaitPage(() -> browser.executeText("return document.body.innerText"),
        "No Releases in namespace " + releases.namespace());
    browser.execute("window.loadedOnce = 'yes'");

    create("storefront", "1.0.0", 2, r -> { });
    awaitField("storefront", "phase", "Live");
    awaitField("storefront", "active-version", "1.0.0");

    servers.set("2.0.0", 0, FAILING);
    releases.update("storefront", r -> r.getSpec().version = "2.0.0");
    awaitField("storefront", "phase", "Verifying");
    awaitField("storefront", "staging-version", "2.0.0");
    awaitCard("storefront", "http 0/2 (status 500)");
    assertThat(field("storefront", "active-version")).as("production untouched")
        .isEqualTo("1.0.0");

    servers.set("2.0.0", 0, HEALTHY);
    awaitField("storefront", "phase", "Live");
    awaitField("storefront", "active-version", "2.0.0");
    awaitField("storefront", "retained-version", "1.0.0");
    awaitCard("storefront", "1.0.0 → 2.0.0");
    assertThat(field("storefront", "timeline")).contains("Promoted");
    assertThat(browser.executeText("return window.loadedOnce"))
        .as("every change reached the page while it stayed loaded").isEqualTo("yes");
    assertThat(browser.executeText("return document.getElementById('connection').textContent"))
        .isEqualTo("live");
  }

  void promotesAManualReleaseWithItsButton() {
    create("checkout", "1.0.0", 2, r -> {
      r.getSpec().promotion.mode = Promotion.Mode.Manual;
      r.getSpec().promotion.approvedVersion = "1.0.0";
    });
    releases.awaitLive("checkout", "1.0.0");
    releases.update("checkout", r -> r.getSpec().version = "2.0.0");
    releases.awaitPhase("checkout", Phase.AwaitingPromotion, r -> true);

    browser.navigate(url);
    awaitField("checkout", "phase", "AwaitingPromotion");
    awaitField("checkout", "staging-version", "2.0.0");
    awaitCard("checkout", "http 2/2");
    awaitField("storefront", "retained-version", "1.0.0");
    String promote = "[data-release=\"" + releases.key("checkout") + "\"] "
        + "button[data-action=promote]";
    await().atMost(PAGE).until(() -> browser.executeText(
        "const b = document.querySelector(arguments[0]); return b && !b.disabled ? "
            + "b.textContent : ''", promote), "Promote 2.0.0"::equals);
    screenshot();

    browser.click(promote);
    await().atMost(PAGE).until(() -> browser.executeText(
        "return document.getElementById('confirm-dialog').open ? 'open' : ''"), "open"::equals);
    assertThat(browser.executeText("return document.getElementById('confirm-title').textContent"))
        .isEqualTo("Promote checkout to 2.0.0?");
    browser.screenshot(Path.of("target", "dashboard-confirm.png"));
    assertThat(releases.get("checkout").getSpec().promotion.approvedVersion)
        .as("nothing happens before the confirmation").isEqualTo("1.0.0");
    browser.click("#confirm-ok");

    Release live = releases.awaitLive("checkout", "2.0.0");
    assertThat(live.getSpec().promotion.approvedVersion).isEqualTo("2.0.0");
    awaitField("checkout", "phase", "Live");
    awaitField("checkout", "active-version", "2.0.0");
    awaitField("checkout", "retained-version", "1.0.0");
    awaitField("checkout", "notice", "2.0.0 approved for Release checkout");
    assertThat(browser.executeText("const b = document.querySelector(arguments[0]); "
        + "return b.disabled ? 'disabled' : b.textContent", promote.replace("promote", "undo")))
        .as("what was production is retained: one click away").isEqualTo("Undo to 1.0.0");
    assertThat(printed()).as("the command logs what the page did")
        .contains("promote " + releases.key("checkout") + " 2.0.0: 2.0.0 approved");
  }

  void showsTextNeverMarkup() {
    create("markup", "1.0.0", 1, r -> r.getSpec().paused = true);
    String markup = "<img src=x onerror=\"document.title='pwned'\"><script>"
        + "document.title='pwned'</script><b>bold</b>";
    Release release = releases.get("markup");
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    TestWorld.client().v1().events().inNamespace(releases.namespace()).resource(new EventBuilder()
        .withNewMetadata().withName("markup.probe").endMetadata()
        .withNewInvolvedObject().withApiVersion("cutover.dev/v1alpha1").withKind("Release")
        .withName("markup").withNamespace(releases.namespace())
        .withUid(release.getMetadata().getUid()).endInvolvedObject()
        .withType("Warning").withReason("Probe").withMessage(markup)
        .withFirstTimestamp(now).withLastTimestamp(now).withCount(3)
        .build()).create();

    awaitCard("markup", markup);
    awaitCard("markup", "Probe ×3");
    assertThat(browser.executeText("return String(document.querySelectorAll('main img, "
        + "main script, main b').length)")).isEqualTo("0");
    assertThat(browser.executeText("return document.title")).isEqualTo("Cutover releases");

    releases.delete("markup");
    await().atMost(Patience.RECONCILE).until(() -> cardText("markup"), String::isEmpty);
  }

  void showsEveryNamespaceWhenNoneIsNamed() {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (Dashboard everywhere = Dashboard.start(TestWorld.client(),
        DashboardOptions.parse(List.of("--no-open")), ReleaseCommands.of(TestWorld.client()),
        new PrintStream(log, true, StandardCharsets.UTF_8))) {
      HttpClient http = HttpClient.newHttpClient();
      String state = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + everywhere.port() + "/api/state?token=" + everywhere.token())).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(state);
      assertThat(json.path("scope").path("description").asText()).isEqualTo("all namespaces");
      assertThat(json.path("releases").findValuesAsText("namespace"))
          .contains(releases.namespace());
      assertThat(json.path("releases").findValuesAsText("name"))
          .contains("storefront", "checkout");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /**
   * A user who may read the Releases of one namespace and nothing else: the page falls back to
   * that namespace, says that Events are not shown, and a button's action is refused by the API
   * server with the user's own identity.
   */
  void actsWithTheUsersOwnPermissions() throws Exception {
    String user = "reader-" + releases.namespace();
    var admin = TestWorld.client();
    admin.resource(new RoleBuilder().withNewMetadata().withName("release-reader")
        .withNamespace(releases.namespace()).endMetadata()
        .addNewRule().withApiGroups("cutover.dev").withResources("releases")
        .withVerbs("get", "list", "watch").endRule().build()).serverSideApply();
    admin.resource(new RoleBindingBuilder().withNewMetadata().withName("release-reader")
        .withNamespace(releases.namespace()).endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "Role", "release-reader")
        .addNewSubject().withKind("User").withName(user).endSubject().build())
        .serverSideApply();
    Config config = Config.fromKubeconfig(TestWorld.kube().kubeConfigYaml());
    config.setImpersonateUsername(user);
    config.setImpersonateGroups("system:authenticated");
    config.setNamespace(releases.namespace());
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (KubernetesClient reader = new KubernetesClientBuilder().withConfig(config).build();
        Dashboard page = Dashboard.start(reader, DashboardOptions.parse(List.of("--no-open")),
            ReleaseCommands.of(reader), new PrintStream(log, true, StandardCharsets.UTF_8))) {
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + page.port();
      var json = new com.fasterxml.jackson.databind.ObjectMapper();
      var state = json.readTree(http.send(HttpRequest.newBuilder(URI.create(base
          + "/api/state?token=" + page.token())).build(),
          HttpResponse.BodyHandlers.ofString()).body());
      assertThat(state.path("scope").path("description").asText())
          .isEqualTo("namespace " + releases.namespace());
      assertThat(state.path("scope").path("note").asText())
          .contains("You may not list Releases in all namespaces");
      assertThat(state.path("eventsNote").asText()).isEqualTo("Events are not shown: you may "
          + "not list and watch events in namespace " + releases.namespace() + ".");
      assertThat(state.path("releases").findValuesAsText("name")).contains("checkout");

      var answer = json.readTree(http.send(HttpRequest.newBuilder(URI.create(base
          + "/api/releases/" + releases.namespace() + "/checkout/undo"))
          .header("X-Cutover-Token", page.token()).header("Origin", base)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
          HttpResponse.BodyHandlers.ofString()).body());
      assertThat(answer.path("ok").asBoolean()).isFalse();
      assertThat(answer.path("exitCode").asInt()).isEqualTo(ExitCodes.FORBIDDEN);
      assertThat(answer.path("message").asText()).contains(user);
      assertThat(releases.get("checkout").getSpec().version).isEqualTo("2.0.0");
    }
  }

  // ------------------------------------------------------------------ helpers

  private void create(String name, String version, int size, Consumer<Release> tweak) {
    HttpCheck http = InstanceServers.healthCheck(servers.port());
    // Each Release has an Elastic IP of its own: one address serves one Release.
    String address = releases.list().isEmpty() ? network.allocationId() : ec2.allocateAddress();
    releases.create(ReleaseBuilder.named(name).version(version).fleetSize(size)
        .subnet(network.subnetId()).elasticIp(address)
        .previousFleetTTL("2h").promotion(p -> { }).postSwitch(p -> { })
        .verification(v -> {
          v.http = http;
          v.deadline = "10m";
        }).with(tweak).build());
  }

  /** The rendered text of one field of a Release's card ("" while there is none). */
  private String field(String name, String field) {
    return browser.executeText("const e = document.querySelector('[data-release=\"' + "
        + "arguments[0] + '\"] [data-field=\"' + arguments[1] + '\"]'); "
        + "return e ? e.innerText : ''", releases.key(name), field);
  }

  private void awaitField(String name, String field, String expected) {
    List<String> seen = new ArrayList<>();
    try {
      await().atMost(PAGE).pollInterval(Duration.ofMillis(100)).until(() -> {
        String now = field(name, field);
        if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(now)) {
          seen.add(now);
        }
        return now.contains(expected);
      });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("the page never showed " + field + " '" + expected + "' for "
          + name + "; it showed " + seen + "; the card: " + cardText(name), e);
    }
  }

  private void awaitCard(String name, String expected) {
    awaitPage(() -> cardText(name), expected);
  }

  private static void awaitPage(java.util.function.Supplier<String> text, String expected) {
    AtomicReference<String> last = new AtomicReference<>("");
    try {
      await().atMost(PAGE).pollInterval(Duration.ofMillis(100)).until(() -> {
        last.set(text.get());
        return last.get().contains(expected);
      });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("the page never showed '" + expected + "'; it showed:\n"
          + last.get(), e);
    }
  }

  private String cardText(String name) {
    return browser.executeText("const c = document.querySelector('[data-release=\"' + "
        + "arguments[0] + '\"]'); return c ? c.innerText : ''", releases.key(name));
  }

  private static void screenshot() {
    if (Boolean.getBoolean("cutover.writeDocs")) {
      browser.screenshot(SCREENSHOT, DOCS_SCREENSHOT);
    } else {
      browser.screenshot(SCREENSHOT);
    }
  }

  private static String printed() {
    return printed.toString(StandardCharsets.UTF_8);
  }
}
