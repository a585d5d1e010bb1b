package dev.cutover.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.CutoverOperator;
import dev.cutover.OperatorConfig;
import dev.cutover.api.Release;
import dev.cutover.testworld.Crds;
import dev.cutover.testworld.Ec2World;
import dev.cutover.testworld.KubeControlPlane;
import dev.cutover.testworld.Namespaces;
import dev.cutover.testworld.Operators;
import dev.cutover.testworld.Patience;
import dev.cutover.testworld.ReleaseBuilder;
import dev.cutover.testworld.ReleaseOps;
import dev.cutover.testworld.TestWorld;
import dev.cutover.status.NotificationSecret;
import dev.cutover.status.NotificationUrls;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * What users install, checked against the real API server: the kustomize base and the Helm
 * chart render objects the server accepts, and the operator running under the ServiceAccount
 * and RBAC they grant completes a blue/green and is refused anything else.
 */
@ExtendWith(TestWorld.class)
class DeploymentArtifactsIT {

  static final String NAMESPACE = "cutover-system";
  static final String SERVICE_ACCOUNT = "system:serviceaccount:cutover-system:cutover-operator";

  @BeforeAll
  static void crdAndNamespace() {
    Crds.installReleaseCrd(TestWorld.client());
    Namespaces.create(NAMESPACE);
  }

  @Test
  void kustomizeBaseBuildsAndTheApiServerAcceptsEveryObject() throws Exception {
    String applied = dryRun(TestWorld.kube().kubectl("kustomize", "../deploy/base"));
    assertThat(applied).contains("namespace/cutover-system",
        "customresourcedefinition.apiextensions.k8s.io/releases.cutover.dev",
        "serviceaccount/cutover-operator", "clusterrole.rbac.authorization.k8s.io/",
        "role.rbac.authorization.k8s.io/", "deployment.apps/", "service/",
        "validatingadmissionpolicy.admissionregistration.k8s.io/cutover-release-allowance",
        "validatingadmissionpolicybinding.admissionregistration.k8s.io/cutover-release-allowance");
  }

  @Test
  void helmChartLintsAndRendersObjectsTheApiServerAccepts() throws Exception {
    Path helm = KubeControlPlane.helm();
    assertThat(TestWorld.kube().run(helm, "lint", "../helm/cutover"))
        .contains("1 chart(s) linted, 0 chart(s) failed");
    String rendered = TestWorld.kube().run(helm, "template", "cutover", "../helm/cutover",
        "--namespace", NAMESPACE, "--include-crds");
    assertThat(dryRun(rendered)).contains("deployment.apps/", "serviceaccount/",
        "clusterrole.rbac.authorization.k8s.io/", "rolebinding.rbac.authorization.k8s.io/",
        "validatingadmissionpolicy.admissionregistration.k8s.io/cutover-release-allowance",
        "validatingadmissionpolicybinding.admissionregistration.k8s.io/cutover-release-allowance");
    assertThatThrownBy(() -> TestWorld.kube().run(helm, "template", "cutover",
        "../helm/cutover", "--set", "leaderElection.enabled=maybe"))
        .as("values.schema.json refuses a wrong type").hasMessageContaining("leaderElection");
  }

  @Test
  void helmRendersTheJvmFlagsOfItsJvmOptionsFileAndLetsThemBeReplacedOrExtended()
      throws Exception {
    Path helm = KubeControlPlane.helm();
    String flags = String.join(" ", JvmOptionsTest.flags());
    Deployment byDefault = deployment(TestWorld.kube().run(helm, "template", "cutover",
        "../helm/cutover", "--namespace", NAMESPACE));
    assertThat(env(byDefault)).as("the file's flags, comments dropped")
        .containsEntry("JDK_JAVA_OPTIONS", flags).doesNotContainKey("JAVA_TOOL_OPTIONS");
    assertThat(byDefault.getSpec().getTemplate().getSpec().getContainers().get(0)
        .getResources().getLimits().get("memory").toString())
        .as("the limit the heap is a share of").isEqualTo("512Mi");

    Deployment extended = deployment(TestWorld.kube().run(helm, "template", "cutover",
        "../helm/cutover", "--namespace", NAMESPACE, "--set", "jvm.extraOptions=-Xlog:gc",
        "--set", "javaToolOptions=-Dfile.encoding=UTF-8"));
    assertThat(env(extended)).containsEntry("JDK_JAVA_OPTIONS", flags + " -Xlog:gc")
        .containsEntry("JAVA_TOOL_OPTIONS", "-Dfile.encoding=UTF-8");

    Deployment replaced = deployment(TestWorld.kube().run(helm, "template", "cutover",
        "../helm/cutover", "--namespace", NAMESPACE, "--set",
        "jvm.options=-XX:MaxRAMPercentage=50 -XX:+UseSerialGC"));
    assertThat(env(replaced)).containsEntry("JDK_JAVA_OPTIONS",
        "-XX:MaxRAMPercentage=50 -XX:+UseSerialGC");

    assertThatThrownBy(() -> TestWorld.kube().run(helm, "template", "cutover",
        "../helm/cutover", "--set", "jvm.heap=300m"))
        .as("values.schema.json refuses an unknown jvm value").hasMessageContaining("heap");
  }

  private static Deployment deployment(String rendered) {
    return TestWorld.client().load(new ByteArrayInputStream(rendered.getBytes(
            StandardCharsets.UTF_8))).items().stream().filter(o -> o instanceof Deployment)
        .map(o -> (Deployment) o).findFirst().orElseThrow();
  }

  private static Map<String, String> env(Deployment deployment) {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()
        .forEach(e -> env.put(e.getName(), e.getValue()));
    return env;
  }

  @Test
  void underItsServiceAccountTheOperatorCompletesABlueGreenAndIsRefusedTheRest(Ec2Client ec2)
      throws Exception {
    KubernetesClient admin = TestWorld.client();
    List<HasMetadata> rbac = admin.load(new ByteArrayInputStream(TestWorld.kube()
            .kubectl("kustomize", "../deploy/base").getBytes(StandardCharsets.UTF_8))).items()
        .stream().filter(o -> Set.of("ServiceAccount", "ClusterRole", "ClusterRoleBinding",
            "Role", "RoleBinding").contains(o.getKind())).toList();
    rbac.forEach(o -> admin.resource(o).forceConflicts().serverSideApply());
    String ns = Namespaces.fresh("rbac");
    Ec2World.Network network = new Ec2World(ec2).defaultNetwork();

    Config config = Config.fromKubeconfig(TestWorld.kube().kubeConfigYaml());
    config.setImpersonateUsername(SERVICE_ACCOUNT);
    config.setImpersonateGroups("system:serviceaccounts",
        "system:serviceaccounts:cutover-system", "system:authenticated");
    KubernetesClient asOperator = new KubernetesClientBuilder().withConfig(config).build();
    OperatorConfig operatorConfig = OperatorConfig.fromEnvironment(Operators.settings(Map.of(
        "CUTOVER_LEADER_ELECTION", "true", "CUTOVER_LEASE_NAMESPACE", NAMESPACE,
        "CUTOVER_LEASE_NAME", "cutover-" + ns)));
    try (CutoverOperator operator = Operators.start(operatorConfig, asOperator, "rbac", -1)) {
      ReleaseOps releases = ReleaseOps.in(ns);
      releases.create(ReleaseBuilder.named("least").fleetSize(2).network(network).build());
      releases.awaitLive("least", "2.4.1");
      releases.update("least", r -> r.getSpec().version = "2.5.0");
      Release live = releases.awaitLive("least", "2.5.0");
      assertThat(ArgoHealth.of(live)).as("Argo CD health of a real status")
          .containsEntry("status", "Healthy");

      assertThatThrownBy(() -> asOperator.secrets().inNamespace(ns).list())
          .isInstanceOfSatisfying(KubernetesClientException.class,
              e -> assertThat(e.getCode()).isEqualTo(403));
      assertThatThrownBy(() -> asOperator.resources(Release.class).inNamespace(ns)
          .withName("least").delete())
          .isInstanceOfSatisfying(KubernetesClientException.class,
              e -> assertThat(e.getCode()).isEqualTo(403));

      // Deleted while its operator runs, so the finalizer is removed (also with RBAC only).
      releases.delete("least");
      releases.awaitGone("least", Patience.LONG);
    }
  }

  @Test
  void helmGrantsGetOnTheNotificationsSecretOnlyWhenOneIsNamedAndNothingElse() throws Exception {
    Path helm = KubeControlPlane.helm();
    String without = TestWorld.kube().run(helm, "template", "cutover", "../helm/cutover",
        "--namespace", NAMESPACE);
    assertThat(without).doesNotContain("CUTOVER_NOTIFICATIONS_SECRET", "secrets",
        "-notifications");
    String with = TestWorld.kube().run(helm, "template", "cutover", "../helm/cutover",
        "--namespace", NAMESPACE, "--set", "notifications.secretName=cutover-notifications");
    assertThat(dryRun(with)).contains("role.rbac.authorization.k8s.io/cutover-notifications",
        "rolebinding.rbac.authorization.k8s.io/cutover-notifications");

    KubernetesClient admin = TestWorld.client();
    List<HasMetadata> rendered = admin.load(new ByteArrayInputStream(
        with.getBytes(StandardCharsets.UTF_8))).items();
    List<PolicyRule> secretRules = rendered.stream().flatMap(o -> o instanceof Role r
            ? r.getRules().stream() : o instanceof ClusterRole c ? c.getRules().stream()
            : java.util.stream.Stream.<PolicyRule>empty())
        .filter(rule -> rule.getResources() != null && rule.getResources().contains("secrets"))
        .toList();
    assertThat(secretRules).as("the only rule on secrets, in any Role or ClusterRole")
        .singleElement().satisfies(rule -> {
          assertThat(rule.getApiGroups()).containsExactly("");
          assertThat(rule.getResourceNames()).containsExactly("cutover-notifications");
          assertThat(rule.getVerbs()).containsExactly("get");
        });
    assertThat(rendered).filteredOn(o -> o instanceof Role
            && o.getMetadata().getName().equals("cutover-notifications"))
        .singleElement().extracting(o -> o.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
    assertThat(rendered).filteredOn(o -> o instanceof Deployment).singleElement()
        .satisfies(d -> assertThat(((Deployment) d).getSpec().getTemplate().getSpec()
            .getContainers().get(0).getEnv())
            .contains(new EnvVar("CUTOVER_NOTIFICATIONS_SECRET",
                NAMESPACE + "/cutover-notifications", null)));

    // What the grant allows, asked of the API server as the chart's ServiceAccount.
    rendered.stream().filter(o -> o.getKind().equals("ServiceAccount")
            || Set.of("Role", "RoleBinding").contains(o.getKind())
            && o.getMetadata().getName().equals("cutover-notifications"))
        .forEach(o -> admin.resource(o).forceConflicts().serverSideApply());
    for (String name : List.of("cutover-notifications", "not-for-cutover")) {
      admin.resource(new SecretBuilder().withNewMetadata().withName(name)
          .withNamespace(NAMESPACE).endMetadata()
          .addToStringData(NotificationSecret.SLACK_URLS, "http://127.0.0.1:9/" + name)
          .build()).createOr(NonDeletingOperation::update);
    }
    KubernetesClient asOperator = impersonating("system:serviceaccount:" + NAMESPACE
        + ":cutover");
    NotificationUrls urls = new NotificationSecret(asOperator, NAMESPACE,
        "cutover-notifications", java.time.Clock.systemUTC()).get();
    assertThat(urls.slack()).extracting(java.net.URI::getPath)
        .containsExactly("/cutover-notifications");
    assertThatThrownBy(() -> asOperator.secrets().inNamespace(NAMESPACE)
        .withName("not-for-cutover").get())
        .isInstanceOfSatisfying(KubernetesClientException.class,
            e -> assertThat(e.getCode()).isEqualTo(403));
    assertThatThrownBy(() -> asOperator.secrets().inNamespace(NAMESPACE).list())
        .isInstanceOfSatisfying(KubernetesClientException.class,
            e -> assertThat(e.getCode()).isEqualTo(403));
  }

  @Test
  void kustomizeNotificationsComponentBuildsOnTheBaseAndTheApiServerAcceptsIt()
      throws Exception {
    // An overlay as a user writes it, beside the build's other output.
    Path overlay = Files.createDirectories(Path.of("target", "kustomize-notifications"));
    Files.writeString(overlay.resolve("kustomization.yaml"), String.join("\n",
        "resources:", "  - ../../../deploy/base", "components:",
        "  - ../../../deploy/notifications", ""));
    String built = TestWorld.kube().kubectl("kustomize", overlay.toString());
    assertThat(built).contains("name: CUTOVER_NOTIFICATIONS_SECRET");
    assertThat(dryRun(built)).contains(
        "role.rbac.authorization.k8s.io/cutover-operator-notifications",
        "rolebinding.rbac.authorization.k8s.io/cutover-operator-notifications");
  }

  private static KubernetesClient impersonating(String serviceAccount) {
    Config config = Config.fromKubeconfig(TestWorld.kube().kubeConfigYaml());
    config.setImpersonateUsername(serviceAccount);
    config.setImpersonateGroups("system:serviceaccounts",
        "system:serviceaccounts:" + NAMESPACE, "system:authenticated");
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  private static String dryRun(String manifests) throws Exception {
    Path file = Files.createTempFile("manifests-", ".yaml");
    Files.writeString(file, manifests);
    try {
      return TestWorld.kube().kubectl("apply", "--dry-run=server", "-f", file.toString());
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
