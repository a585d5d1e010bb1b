package dev.cutover.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.api.Release;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which GitOps controller owns a Release, from what Argo CD and Flux leave on it. */
class GitOpsOwnerTest {

  @Test
  void argoCdIsKnownByItsTrackingAnnotationOrItsInstanceLabelWithAnArgoAnnotation() {
    assertThat(owner(Map.of(), Map.of("argocd.argoproj.io/tracking-id",
        "shop:cutover.dev/Release:shop/storefront"), List.of()))
        .map(GitOpsOwner::controller).contains("Argo CD");
    assertThat(owner(Map.of("app.kubernetes.io/instance", "shop"),
        Map.of("argocd.argoproj.io/sync-options", "Prune=false"), List.of()))
        .map(GitOpsOwner::evidence).contains("label app.kubernetes.io/instance=shop");
  }

  @Test
  void fluxIsKnownByItsKustomizeOrHelmLabels() {
    assertThat(owner(Map.of("kustomize.toolkit.fluxcd.io/name", "apps"), Map.of(), List.of()))
        .map(GitOpsOwner::controller).contains("Flux");
    assertThat(owner(Map.of("helm.toolkit.fluxcd.io/name", "shop"), Map.of(), List.of()))
        .map(GitOpsOwner::controller).contains("Flux");
  }

  @Test
  void theFieldManagerOfServerSideApplyNamesTheControllerToo() {
    for (String manager : List.of("argocd-controller", "argocd-application-controller")) {
      assertThat(owner(Map.of(), Map.of(), List.of("kubectl", manager)))
          .map(GitOpsOwner::controller).contains("Argo CD");
    }
    for (String manager : List.of("kustomize-controller", "helm-controller")) {
      assertThat(owner(Map.of(), Map.of(), List.of(manager)))
          .map(GitOpsOwner::evidence).contains("field manager " + manager);
    }
  }

  @Test
  void aHelmInstanceLabelOrKubectlAloneIsNoGitOpsOwner() {
    assertThat(owner(Map.of("app.kubernetes.io/instance", "shop"),
        Map.of("meta.helm.sh/release-name", "shop"), List.of("helm", "kubectl-client-side-apply")))
        .isEmpty();
  }

  @Test
  void theWarningSaysWhatToCommitInstead() {
    GitOpsOwner flux = new GitOpsOwner("Flux", "label kustomize.toolkit.fluxcd.io/name=apps");
    assertThat(flux.warning("storefront", List.of("spec.version: 2.4.1")))
        .contains("Flux will revert this change").endsWith("instead: spec.version: 2.4.1");
  }

  private static Optional<GitOpsOwner> owner(Map<String, String> labels,
      Map<String, String> annotations, List<String> managers) {
    Release r = new Release();
    r.setMetadata(new ObjectMetaBuilder().withName("storefront").withLabels(labels)
        .withAnnotations(annotations).withManagedFields(managers.stream()
            .map(m -> new ManagedFieldsEntryBuilder().withManager(m).build()).toList())
        .build());
    return GitOpsOwner.of(r);
  }
}
