package dev.cutover.plugin;

import static dev.cutover.testworld.Ec2World.ids;
import static dev.cutover.testworld.ReleaseOps.active;
import static dev.cutover.testworld.ReleaseOps.ready;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cutover.api.Phase;
import dev.cutover.api.Promotion;
import dev.cutover.api.Release;
import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.testworld.Ec2World;
import dev.cutover.testworld.Operators;
import dev.cutover.testworld.Patience;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.ReleaseOps;
import dev.cutover.testworld.TestWorld;
import io.fabric8.kubernetes.api.model.NamedAuthInfoBuilder;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.api.model.NamedContextBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code kubectl cutover} as people and scripts run it: each command a process of its own with
 * a kubeconfig, against the real API server, with the operator (in this JVM) reconciling the
 * Releases against moto. Checks what each command changes, what it prints and its exit code.
 */
@ExtendWith(TestWorld.class)
class PluginIT {

  static final Ec2Gateway gateway = Operators.newGateway();

  @RegisterExtension
  static final LocallyRunOperatorExtension operator = Operators.inThisJvm(gateway);

  private final Ec2World ec2 = new Ec2World(TestWorld.ec2());
  private ReleaseOps releases;
  private Ec2World.Network network;
  private PluginProcess plugin;
  private String namespace;

  @BeforeAll
  static void trainingRun() {
    PluginProcess.train();
  }

  @BeforeEach
  void world() throws IOException {
    namespace = operator.getNamespace();
    releases = ReleaseOps.in(namespace);
    network = ec2.defaultNetwork();
    plugin = new PluginProcess(kubeconfig(Map.of()));
  }

  // ------------------------------------------------------------------ promote, undo, history

  @Test
  void aManualReleaseIsPromotedBySwitchedBackWithUndoAndItsHistoryRead() throws IOException {
    var missing = plugin.run("get", "storefront");
    assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(missing.stderr()).contains("Release storefront not found in namespace "
        + namespace);

    releases.create(release("storefront", "1.0.0", 2,
        r -> r.getSpec().promotion.mode = Promotion.Mode.Manual));
    releases.awaitPhase("storefront", Phase.AwaitingPromotion, r -> true);

    var staged = plugin.run("get", "storefront");
    assertThat(staged.exitCode()).as(staged.toString()).isZero();
    assertThat(staged.stdout()).contains("Release " + namespace + "/storefront  1.0.0  "
        + "AwaitingPromotion", "promotion Manual, nothing approved", "└─ staging   1.0.0",
        "running  slot 0", "running  slot 1", "Events", "Launched");

    var nothingToUndo = plugin.run("undo", "storefront");
    assertThat(nothingToUndo.exitCode()).isEqualTo(ExitCodes.NOT_POSSIBLE);
    assertThat(nothingToUndo.stderr()).contains("nothing retained to undo to");

    var otherVersion = plugin.run("promote", "storefront", "--version", "9.9.9");
    assertThat(otherVersion.exitCode()).isEqualTo(ExitCodes.NOT_POSSIBLE);
    assertThat(otherVersion.stderr()).contains("cannot approve 9.9.9");
    assertThat(releases.get("storefront").getSpec().promotion.approvedVersion).isNull();

    var promoted = plugin.run("promote", "storefront", "-o", "json");
    assertThat(promoted.exitCode()).as(promoted.toString()).isZero();
    assertThat(json(promoted.stdout())).containsEntry("succeeded", true)
        .containsEntry("exitCode", 0).containsEntry("release", "storefront");
    Release live = releases.awaitPhase("storefront", Phase.Live, r -> ready(r)
        && active(r, "1.0.0"));
    assertThat(live.getSpec().promotion.approvedVersion).isEqualTo("1.0.0");
    List<String> v1 = ids(ec2.alive(releases.key("storefront"), "1.0.0"));
    assertThat(eipHolder()).isIn(v1);

    // A new version, as a commit would bring it; the plugin approves it.
    releases.update("storefront", r -> r.getSpec().version = "2.0.0");
    releases.awaitPhase("storefront", Phase.AwaitingPromotion,
        r -> "2.0.0".equals(r.getStatus().stagingFleet.version));
    assertThat(plugin.run("promote", "storefront").stdout())
        .contains("2.0.0 approved for Release storefront");
    releases.awaitPhase("storefront", Phase.Live, r -> ready(r) && active(r, "2.0.0")
        && r.getStatus().previousFleet != null);

    var both = plugin.run("get", "storefront");
    assertThat(both.stdout()).contains("├─ active    2.0.0", "└─ retained  1.0.0",
        "expires in", "← " + address().publicIp());

    Map<String, Long> before = gateway.callCounts();
    var undo = plugin.run("undo", "storefront");
    assertThat(undo.exitCode()).as(undo.toString()).isZero();
    assertThat(undo.stdout()).contains("switching Release storefront back from 2.0.0 to 1.0.0");
    Release back = releases.awaitPhase("storefront", Phase.Live,
        r -> ready(r) && active(r, "1.0.0"));
    assertThat(back.getSpec().version).isEqualTo("1.0.0");
    assertThat(eipHolder()).as("the address is on the retained fleet again").isIn(v1);
    assertThat(calls(before, "RunInstances/ok")).as("nothing launched").isZero();

    var history = plugin.run("history", "storefront", "-o", "json");
    assertThat(history.exitCode()).isZero();
    assertThat(jsonList(history.stdout())).extracting(h -> h.get("from") + "->"
        + h.get("to") + " " + h.get("reason"))
        .containsExactly("null->1.0.0 Promoted", "1.0.0->2.0.0 Promoted",
            "2.0.0->1.0.0 SwitchedBack");
    assertThat(plugin.run("history", "storefront").stdout())
        .contains("FROM", "2.0.0  1.0.0  SwitchedBack");
  }

  // ------------------------------------------------------------------ Auto, pause, GitOps

  @Test
  void anAutoReleaseHasNothingToApproveAndPauseAndResumeWarnWhenFluxOwnsIt() {
    releases.create(release("catalog", "1.0.0", 1, r -> r.getMetadata().setLabels(
        Map.of("kustomize.toolkit.fluxcd.io/name", "apps"))));
    releases.awaitPhase("catalog", Phase.Live, ReleaseOps::ready);

    var list = plugin.run("get", "-o", "json");
    assertThat(list.exitCode()).as(list.toString()).isZero();
    assertThat(json(list.stdout())).containsEntry("kind", "List");
    assertThat(json(list.stdout()).get("items").toString()).contains("name=catalog",
        "phase=Live");

    var notManual = plugin.run("promote", "catalog");
    assertThat(notManual.exitCode()).isEqualTo(ExitCodes.NOT_POSSIBLE);
    assertThat(notManual.stderr()).contains("not in Manual mode");

    var paused = plugin.run("pause", "catalog");
    assertThat(paused.exitCode()).as(paused.toString()).isZero();
    assertThat(paused.stdout()).contains("paused Release catalog");
    assertThat(paused.stderr()).contains("Warning: Release catalog is managed by Flux "
        + "(label kustomize.toolkit.fluxcd.io/name=apps)", "Flux will revert this change",
        "spec.paused: true");
    assertThat(releases.get("catalog").getSpec().paused).isTrue();
    assertThat(plugin.run("get", "catalog").stdout()).contains("PAUSED");

    var resumed = plugin.run("resume", "catalog", "-o", "json");
    assertThat(resumed.exitCode()).isZero();
    assertThat(json(resumed.stdout()).get("warnings").toString())
        .contains("spec.paused: false");
    assertThat(releases.get("catalog").getSpec().paused).isFalse();

    var noFailure = plugin.run("retry", "catalog");
    assertThat(noFailure.exitCode()).isEqualTo(ExitCodes.NOT_POSSIBLE);
    assertThat(noFailure.stderr()).contains("nothing to retry").doesNotContain("Warning");
    var nothingStaged = plugin.run("abort", "catalog");
    assertThat(nothingStaged.exitCode()).isEqualTo(ExitCodes.NOT_POSSIBLE);
    assertThat(nothingStaged.stderr()).contains("nothing to abort");
  }

  // ------------------------------------------------------------------ abort, retry

  @Test
  void abortGivesTheStagedVersionUpWithoutTouchingTheSpecAndRetryStagesItAgain() {
    releases.create(release("orders", "1.0.0", 2, r -> {
      r.getSpec().promotion.mode = Promotion.Mode.Manual;
      r.getSpec().promotion.approvedVersion = "1.0.0";
      r.getMetadata().setAnnotations(Map.of("argocd.argoproj.io/tracking-id",
          "shop:cutover.dev/Release:" + namespace + "/orders"));
    }));
    releases.awaitPhase("orders", Phase.Live, ReleaseOps::ready);
    String production = eipHolder();
    releases.update("orders", r -> r.getSpec().version = "2.0.0");
    Release staged = releases.awaitPhase("orders", Phase.AwaitingPromotion,
        r -> "2.0.0".equals(r.getStatus().stagingFleet.version));
    List<String> firstAttempt = ids(ec2.alive(releases.key("orders"), "2.0.0"));
    assertThat(firstAttempt).hasSize(2);

    var abort = plugin.run("abort", "orders");
    assertThat(abort.exitCode()).as(abort.toString()).isZero();
    assertThat(abort.stdout()).contains("aborting 2.0.0 of Release orders",
        "production (1.0.0) stays as it is");
    assertThat(abort.stderr()).as("an annotation: nothing for Argo CD to revert").isEmpty();
    Release aborted = releases.await("orders", r -> ReleaseOps.stalled(r)
        && "Aborted".equals(ReleaseOps.reason(r, "Stalled")));
    assertThat(aborted.getMetadata().getAnnotations()).containsEntry(
        ReleaseActions.ABORT_ANNOTATION, String.valueOf(staged.getMetadata().getGeneration()));
    assertThat(aborted.getMetadata().getGeneration()).as("the spec is as Git has it")
        .isEqualTo(staged.getMetadata().getGeneration());
    await().atMost(Patience.RECONCILE)
        .until(() -> ec2.alive(releases.key("orders"), "2.0.0").isEmpty());
    assertThat(eipHolder()).as("production untouched").isEqualTo(production);
    assertThat(plugin.run("get", "orders").stdout()).contains("aborted at generation",
        "failed   2.0.0 Aborted", "Stalled=True Aborted");
    assertThat(plugin.run("abort", "orders").stdout()).contains("already aborted");

    var retry = plugin.run("retry", "orders", "-o", "json");
    assertThat(retry.exitCode()).as(retry.toString()).isZero();
    assertThat(json(retry.stdout())).containsEntry("succeeded", true);
    assertThat(retry.stderr()).isEmpty();
    Release retried = releases.awaitPhase("orders", Phase.AwaitingPromotion,
        r -> r.getStatus().stagingFleet != null && r.getStatus().lastRetry != null);
    assertThat(retried.getMetadata().getAnnotations())
        .doesNotContainKey(ReleaseActions.ABORT_ANNOTATION)
        .hasEntrySatisfying(ReleaseActions.RETRY_ANNOTATION,
            at -> assertThat(Times.parse(at)).isNotNull());
    assertThat(retried.getStatus().lastRetry.failure).isEqualTo("Aborted");
    assertThat(ids(ec2.alive(releases.key("orders"), "2.0.0"))).as("staged from scratch")
        .hasSize(2).doesNotContainAnyElementsOf(firstAttempt);
    assertThat(retried.getSpec().version).isEqualTo("2.0.0");

    var again = plugin.run("retry", "orders");
    assertThat(again.exitCode()).isEqualTo(ExitCodes.NOT_POSSIBLE);
    assertThat(again.stderr()).contains("nothing to retry");
  }

  // ------------------------------------------------------------------ get --watch

  @Test
  void getWatchRecordsABlueGreenWithAManualPromotionAsText() throws Exception {
    releases.create(release("web", "1.0.0", 2, r -> {
      r.getSpec().promotion.mode = Promotion.Mode.Manual;
      r.getSpec().promotion.approvedVersion = "1.0.0";
    }));
    releases.awaitPhase("web", Phase.Live, ReleaseOps::ready);
    Path recording = Path.of("target", "plugin-watch.txt");
    Process watch = plugin.start(List.of("get", "web", "--watch"),
        ProcessBuilder.Redirect.to(recording.toFile()));
    try {
      awaitRecorded(recording, "web  1.0.0  Live");
      // A new version, as a commit brings it; the watch shows it staged, approved, switched.
      releases.update("web", r -> r.getSpec().version = "2.0.0");
      awaitRecorded(recording, "web  2.0.0  AwaitingPromotion");
      var promoted = plugin.run("promote", "web");
      assertThat(promoted.exitCode()).as(promoted.toString()).isZero();
      releases.awaitPhase("web", Phase.Live, r -> ready(r) && active(r, "2.0.0")
          && r.getStatus().previousFleet != null);
      awaitRecorded(recording, "Ready=True Live: 2.0.0 serves");
    } finally {
      watch.destroy();
      watch.waitFor();
    }
    String text = Files.readString(recording);
    List<String> trees = List.of(text.split("(?m)^──── \\+[0-9.]+s ────$"));
    assertThat(trees.size()).as("a tree per change: " + text).isGreaterThanOrEqualTo(4);
    assertThat(text).contains("staging   2.0.0", "promotion Manual, approved 2.0.0",
        "Promoted", "├─ active    2.0.0", "└─ retained  1.0.0").doesNotContain("\033[");
    // Each drawing after the first follows a change: no two in a row are the same.
    for (int i = 2; i < trees.size(); i++) {
      assertThat(trees.get(i)).isNotEqualTo(trees.get(i - 1));
    }
    if (Boolean.getBoolean("cutover.writeDocs")) {
      Files.writeString(Path.of("..", "docs", "plugin-watch.txt"), """
          # kubectl cutover get web --watch, recorded by PluginIT (make test writes it to
          # operator/target/plugin-watch.txt; -Dcutover.writeDocs=true to docs/): Release web
          # serves 1.0.0 under manual promotion; its spec is set to 2.0.0; the new fleet is
          # staged and verified beside production; `kubectl cutover promote web` approves it;
          # the Elastic IP moves and 1.0.0 is retained. The operator runs against moto, so the
          # phases take seconds, not minutes. Each tree follows the time since the watch began.
          """ + text);
    }
  }

  private static void awaitRecorded(Path recording, String text) {
    await().atMost(Patience.RECONCILE).until(() -> Files.exists(recording)
        && Files.readString(recording).contains(text));
  }

  // ------------------------------------------------------------------ errors

  @Test
  void errorsHaveExitCodesAScriptCanUse() throws IOException {
    releases.create(release("secret", "1.0.0", 1, r -> { }));
    releases.awaitPhase("secret", Phase.Live, ReleaseOps::ready);
    String token = viewerToken();
    PluginProcess twoContexts = new PluginProcess(kubeconfig(Map.of("viewer", token)));

    var readable = twoContexts.run("get", "secret", "--context", "viewer");
    assertThat(readable.exitCode()).as(readable.toString()).isZero();
    assertThat(readable.stdout()).contains("Release " + namespace + "/secret  1.0.0  Live");

    var forbidden = twoContexts.run("pause", "secret", "--context", "viewer");
    assertThat(forbidden.exitCode()).as(forbidden.toString()).isEqualTo(ExitCodes.FORBIDDEN);
    assertThat(forbidden.stderr()).contains("forbidden: cannot patch releases.cutover.dev "
        + "secret in namespace " + namespace, "system:serviceaccount:" + namespace + ":viewer");
    assertThat(releases.get("secret").getSpec().paused).isNotEqualTo(Boolean.TRUE);

    var noSuchContext = twoContexts.run("get", "--context", "nowhere");
    assertThat(noSuchContext.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(noSuchContext.stderr()).contains("context \"nowhere\" is not in the kubeconfig");

    var otherNamespace = plugin.run("undo", "secret", "-n", "elsewhere");
    assertThat(otherNamespace.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(otherNamespace.stderr()).contains("Release secret not found in namespace "
        + "elsewhere");

    var usage = plugin.run("promote");
    assertThat(usage.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(usage.stderr()).contains("promote needs a Release");

    Path unreachable = Files.createTempFile("kubeconfig-unreachable", ".yaml");
    Files.writeString(unreachable, """
        apiVersion: v1
        kind: Config
        clusters: [{name: gone, cluster: {server: "https://127.0.0.1:1"}}]
        users: [{name: gone, user: {token: x}}]
        contexts: [{name: gone, context: {cluster: gone, user: gone}}]
        current-context: gone
        """);
    var noCluster = plugin.run("get", "--kubeconfig", unreachable.toString());
    assertThat(noCluster.exitCode()).isEqualTo(ExitCodes.API_ERROR);
    assertThat(noCluster.stderr()).contains("cannot reach the cluster", "127.0.0.1:1");

    var help = plugin.run("undo", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.stdout()).contains("Usage: kubectl cutover undo RELEASE", "Exit codes");
  }

  // ------------------------------------------------------------------ helpers

  private Release release(String name, String version, int size, Consumer<Release> tweak) {
    return ReleaseBuilder.named(name).version(version).fleetSize(size).network(network)
        .previousFleetTTL("10m").promotion(p -> { }).with(tweak).build();
  }

  private software.amazon.awssdk.services.ec2.model.Address address() {
    return ec2.address(network.allocationId());
  }

  private String eipHolder() {
    return address().instanceId();
  }

  private static long calls(Map<String, Long> before, String key) {
    return gateway.callCounts().getOrDefault(key, 0L) - before.getOrDefault(key, 0L);
  }

  /**
   * The test API server's kubeconfig with this class's namespace as its context's, plus a
   * context for each of {@code tokens} (user name to bearer token).
   */
  private Path kubeconfig(Map<String, String> tokens) throws IOException {
    io.fabric8.kubernetes.api.model.Config config = Serialization.unmarshal(
        TestWorld.kube().kubeConfigYaml(), io.fabric8.kubernetes.api.model.Config.class);
    NamedContext admin = config.getContexts().stream()
        .filter(c -> c.getName().equals(config.getCurrentContext())).findFirst().orElseThrow();
    admin.getContext().setNamespace(namespace);
    List<NamedContext> contexts = new ArrayList<>(config.getContexts());
    var users = new ArrayList<>(config.getUsers());
    tokens.forEach((user, token) -> {
      users.add(new NamedAuthInfoBuilder().withName(user).withNewUser().withToken(token)
          .endUser().build());
      contexts.add(new NamedContextBuilder().withName(user).withNewContext()
          .withCluster(admin.getContext().getCluster()).withUser(user)
          .withNamespace(namespace).endContext().build());
    });
    config.setUsers(users);
    config.setContexts(contexts);
    Path file = Files.createTempFile("kubeconfig-plugin", ".yaml");
    Files.writeString(file, Serialization.asYaml(config), StandardCharsets.UTF_8);
    return file;
  }

  /** A ServiceAccount that may read Releases (and Events) of the namespace, not change them. */
  private String viewerToken() {
    var client = TestWorld.client();
    client.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder()
        .withNewMetadata().withName("viewer").endMetadata().build()).create();
    client.rbac().roles().inNamespace(namespace).resource(new RoleBuilder().withNewMetadata()
        .withName("release-viewer").endMetadata().withRules(
            new PolicyRuleBuilder().withApiGroups("cutover.dev").withResources("releases")
                .withVerbs("get", "list", "watch").build(),
            new PolicyRuleBuilder().withApiGroups("").withResources("events")
                .withVerbs("get", "list", "watch").build()).build()).create();
    client.rbac().roleBindings().inNamespace(namespace).resource(new RoleBindingBuilder()
        .withNewMetadata().withName("release-viewer").endMetadata()
        .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role")
        .withName("release-viewer").endRoleRef()
        .withSubjects(new SubjectBuilder().withKind("ServiceAccount").withName("viewer")
            .withNamespace(namespace).build()).build()).create();
    return client.serviceAccounts().inNamespace(namespace).withName("viewer")
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L)
            .endSpec().build()).getStatus().getToken();
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /** The plugin's JSON output as an object. */
  static Map<String, Object> json(String text) {
    try {
      return MAPPER.readValue(text, new com.fasterxml.jackson.core.type.TypeReference<>() { });
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  /** The plugin's JSON output as a list of objects. */
  static List<Map<String, Object>> jsonList(String text) {
    try {
      return MAPPER.readValue(text, new com.fasterxml.jackson.core.type.TypeReference<>() { });
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }
}
