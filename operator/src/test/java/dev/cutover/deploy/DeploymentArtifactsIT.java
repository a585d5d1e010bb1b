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
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
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
