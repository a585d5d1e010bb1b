package dev.cutover.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.cutover.decide.AllowanceCases;
import dev.cutover.decide.AllowanceCases.Case;
import dev.cutover.decide.AllowanceCases.Namespace;
import dev.cutover.testworld.Crds;
import dev.cutover.testworld.KubeControlPlane;
import dev.cutover.testworld.TestWorld;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The admission policy as shipped (deploy/admission/policy.yaml and binding.yaml, applied as
 * they are) on the real API server: each case of {@link AllowanceCases}, which AllowanceTest
 * holds the Java rules to, is refused with the same message or allowed. The policy, its binding
 * and the AwsAccounts are removed after the class, and the policy is seen to be inactive, so the
 * classes that share the API server are unaffected.
 */
@ExtendWith(TestWorld.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdmissionPolicyIT {

  static final Path ADMISSION = Path.of("..", "deploy", "admission");
  static final String POLICY = "cutover-release-allowance";
  static final String DENIED = "ValidatingAdmissionPolicy '" + POLICY + "' with binding '"
      + POLICY + "' denied request: ";
  /** A region no account lists: a Release naming an account the policy sees is refused. */
  static final String NO_ACCOUNTS_REGION = "zz-probe-1";
  /** A new policy, binding or AwsAccount reaches admission through informers: a moment. */
  static final Duration PATIENCE = Duration.ofSeconds(30);

  /** AwsAccounts this class created and has not deleted. */
  static final List<String> accounts = new ArrayList<>();

  @BeforeAll
  static void policyAndNamespaces() {
    KubernetesClient client = TestWorld.client();
    Crds.installReleaseCrd(client);
    for (Namespace ns : AllowanceCases.NAMESPACES) {
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata()
          .withName(ns.name()).withLabels(ns.ownLabels()).endMetadata().build())
          .forceConflicts().serverSideApply();
    }
    shipped().forEach(o -> client.resource(o).forceConflicts().serverSideApply());
  }

  @AfterAll
  static void removePolicyAndAccounts() {
    KubernetesClient client = TestWorld.client();
    shipped().forEach(o -> client.resource(o).delete());
    if (!accounts.isEmpty()) {
      // Refused while the policy acts; allowed once admission no longer has it.
      Release probe = release(AllowanceCases.TENANT_A, accounts.get(0), NO_ACCOUNTS_REGION);
      await().atMost(PATIENCE).pollDelay(Duration.ZERO)
          .until(() -> verdict(AllowanceCases.TENANT_A, probe).isEmpty());
    }
    deleteAccounts();
  }

  @Test
  @Order(1)
  void withNoAwsAccountAtAllEveryReleaseIsAllowed() {
    deleteAccounts();
    assertThat(TestWorld.client().resources(AwsAccount.class).list().getItems())
        .as("AwsAccounts left by other classes").isEmpty();
    // The policy acts: an account that selects no namespace refuses a Release that names it.
    AwsAccount probe = AllowanceCases.account("probe", spec -> {});
    createAccounts(List.of(probe));
    var refused = catchThrowableOfType(KubernetesClientException.class, () ->
        TestWorld.client().resources(Release.class).inNamespace(AllowanceCases.TENANT_A.name())
            .resource(release(AllowanceCases.TENANT_A, "probe", null)).dryRun().create());
    assertThat(refused).as("refused").isNotNull();
    assertThat(refused.getCode()).isEqualTo(403);
    assertThat(refused.getStatus().getMessage()).endsWith(DENIED
        + "AwsAccount probe does not allow namespace adm-tenant-a (namespaceSelector)");

    deleteAccounts();
    await().atMost(PATIENCE).pollDelay(Duration.ZERO).untilAsserted(() ->
        assertThat(verdict(AllowanceCases.UNLABELLED,
            release(AllowanceCases.UNLABELLED, "probe", NO_ACCOUNTS_REGION))).isEmpty());
    // A Release naming no account, or one that does not exist (the operator refuses that).
    assertThat(verdict(AllowanceCases.UNLABELLED,
        release(AllowanceCases.UNLABELLED, null, "us-west-2"))).isEmpty();
    assertThat(verdict(AllowanceCases.TENANT_A,
        release(AllowanceCases.TENANT_A, "team-z", null))).isEmpty();
  }

  static List<Case> cases() {
    return AllowanceCases.cases();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  @Order(2)
  void refusesWhatTheAccountDoesNotAllowWithTheMessageOfTheJavaRules(Case c) {
    createAccounts(AllowanceCases.ACCOUNTS);
    Release release = new Release();
    release.setMetadata(new ObjectMetaBuilder().withName("storefront")
        .withNamespace(c.namespace().name()).build());
    release.setSpec(c.spec());
    // Namespaces reach admission through an informer too: wait, but only for the outcome wanted.
    await().atMost(PATIENCE).pollDelay(Duration.ZERO).untilAsserted(() ->
        assertThat(verdict(c.namespace(), release)).as(c.description())
            .isEqualTo(c.expected()));
  }

  @Test
  @Order(3)
  void aReleaseAdmittedBeforeItsAccountNarrowedCanStillBeLabelledAndDeleted() {
    KubernetesClient client = TestWorld.client();
    Namespace ns = AllowanceCases.TENANT_A;
    AwsAccount account = AllowanceCases.account("narrowing", spec -> {
      spec.namespaceSelector = new io.fabric8.kubernetes.api.model.LabelSelectorBuilder()
          .withMatchLabels(Map.of("team", "a")).build();
      spec.allowed.instanceTypes = List.of("t3.*");
    });
    createAccounts(List.of(account));
    var releases = client.resources(Release.class).inNamespace(ns.name());
    Release admitted = release(ns, "narrowing", null);
    admitted.getMetadata().setName("admitted");
    releases.resource(admitted).create();

    account.getSpec().allowed.instanceTypes = List.of("m6i.large");
    client.resource(copy(account)).forceConflicts().serverSideApply();
    Release newVersion = releases.withName("admitted").get();
    newVersion.getSpec().version = "2.5.0";
    await().atMost(PATIENCE).pollDelay(Duration.ZERO).untilAsserted(() ->
        assertThat(refusal(() -> releases.resource(newVersion).dryRun().update()))
            .contains("AwsAccount narrowing does not allow instance type t3.small "
                + "(allowed.instanceTypes)"));

    // Only the spec is judged again: labels, finalizers and the deletion are not refused.
    Release labelled = releases.withName("admitted").get();
    labelled.getMetadata().setLabels(Map.of("owner", "shop"));
    labelled.getMetadata().setFinalizers(List.of("cutover.dev/test"));
    releases.resource(labelled).update();
    Release unfinalized = releases.withName("admitted").get();
    unfinalized.getMetadata().setFinalizers(List.of());
    releases.resource(unfinalized).update();
    releases.withName("admitted").delete();
    await().atMost(PATIENCE).until(() -> releases.withName("admitted").get() == null);
  }

  @Test
  @Order(4)
  void theHelmChartRendersTheSamePolicyAndBinding() throws IOException {
    String rendered = TestWorld.kube().run(KubeControlPlane.helm(), "template", "cutover",
        "../helm/cutover", "--namespace", "cutover-system");
    List<HasMetadata> fromChart = TestWorld.client().load(new java.io.ByteArrayInputStream(
            rendered.getBytes(java.nio.charset.StandardCharsets.UTF_8))).items().stream()
        .filter(o -> o.getKind().startsWith("ValidatingAdmissionPolicy")).toList();
    List<HasMetadata> shipped = shipped();
    assertThat(fromChart).hasSize(2);
    for (HasMetadata file : shipped) {
      HasMetadata chart = fromChart.stream().filter(o -> o.getKind().equals(file.getKind()))
          .findFirst().orElseThrow();
      assertThat(chart.getMetadata().getName()).isEqualTo(file.getMetadata().getName());
      assertThat(spec(chart)).as(file.getKind()).isEqualTo(spec(file));
    }
    String disabled = TestWorld.kube().run(KubeControlPlane.helm(), "template", "cutover",
        "../helm/cutover", "--set", "admissionPolicy.enabled=false");
    assertThat(disabled).doesNotContain("ValidatingAdmissionPolicy");
  }

  /** Empty when the API server accepts the Release (dry run); otherwise what it said. */
  static Optional<String> verdict(Namespace ns, Release release) {
    return refusal(() -> TestWorld.client().resources(Release.class).inNamespace(ns.name())
        .resource(release).dryRun().create());
  }

  /** The policy's message when it refused, the whole message when something else did. */
  static Optional<String> refusal(Runnable request) {
    try {
      request.run();
      return Optional.empty();
    } catch (KubernetesClientException e) {
      String message = e.getStatus() != null && e.getStatus().getMessage() != null
          ? e.getStatus().getMessage() : e.getMessage();
      int at = message.indexOf(DENIED);
      return Optional.of(at < 0 ? message : message.substring(at + DENIED.length()));
    }
  }

  static Release release(Namespace ns, String account, String region) {
    Release release = new Release();
    release.setMetadata(new ObjectMetaBuilder().withName("storefront")
        .withNamespace(ns.name()).build());
    release.setSpec(AllowanceCases.baseSpec());
    release.getSpec().account = account;
    release.getSpec().region = region;
    return release;
  }

  /**
   * Creates (or updates) the accounts and waits until admission sees each: a Release naming it
   * with a region no account lists is refused by it.
   */
  static void createAccounts(List<AwsAccount> wanted) {
    KubernetesClient client = TestWorld.client();
    List<AwsAccount> created = wanted.stream()
        .filter(a -> !accounts.contains(a.getMetadata().getName())).toList();
    for (AwsAccount account : created) {
      client.resource(copy(account)).forceConflicts().serverSideApply();
      accounts.add(account.getMetadata().getName());
    }
    for (AwsAccount account : created) {
      String name = account.getMetadata().getName();
      Release probe = release(AllowanceCases.TENANT_A, name, NO_ACCOUNTS_REGION);
      await().atMost(PATIENCE).pollDelay(Duration.ZERO).untilAsserted(() ->
          assertThat(verdict(AllowanceCases.TENANT_A, probe))
              .hasValueSatisfying(m -> assertThat(m).startsWith("AwsAccount " + name + " ")));
    }
  }

  static void deleteAccounts() {
    var all = TestWorld.client().resources(AwsAccount.class);
    accounts.forEach(name -> all.withName(name).delete());
    await().atMost(PATIENCE).until(() -> accounts.stream()
        .allMatch(name -> all.withName(name).get() == null));
    accounts.clear();
  }

  /** The policy and its binding as shipped in deploy/admission. */
  static List<HasMetadata> shipped() {
    List<HasMetadata> objects = new ArrayList<>();
    for (String file : List.of("policy.yaml", "binding.yaml")) {
      try (InputStream yaml = Files.newInputStream(ADMISSION.resolve(file))) {
        objects.addAll(TestWorld.client().load(yaml).items());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return objects;
  }

  private static AwsAccount copy(AwsAccount account) {
    return Serialization.clone(account);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(HasMetadata object) {
    return (Map<String, Object>) Serialization.unmarshal(Serialization.asJson(object), Map.class)
        .get("spec");
  }
}
