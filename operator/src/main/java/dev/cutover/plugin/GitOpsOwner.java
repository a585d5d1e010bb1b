package dev.cutover.plugin;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The GitOps controller that owns an object's spec, read from its labels, annotations and
 * managed fields: a spec change made by hand is reverted at its next sync, so a command that
 * changes the spec says what to commit instead.
 *
 * @param controller "Argo CD" or "Flux"
 * @param evidence what shows it, e.g. "label kustomize.toolkit.fluxcd.io/name=apps"
 */
public record GitOpsOwner(String controller, String evidence) {

  static final String ARGO_INSTANCE_LABEL = "app.kubernetes.io/instance";
  static final String ARGO_TRACKING_ANNOTATION = "argocd.argoproj.io/tracking-id";
  static final List<String> ARGO_MANAGERS =
      List.of("argocd-controller", "argocd-application-controller");
  static final List<String> FLUX_LABELS =
      List.of("kustomize.toolkit.fluxcd.io/name", "helm.toolkit.fluxcd.io/name");
  static final List<String> FLUX_MANAGERS = List.of("kustomize-controller", "helm-controller");

  /** The controller that owns {@code object}, if any. */
  public static Optional<GitOpsOwner> of(HasMetadata object) {
    ObjectMeta meta = object.getMetadata();
    Map<String, String> labels = meta.getLabels() == null ? Map.of() : meta.getLabels();
    Map<String, String> annotations =
        meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
    if (annotations.containsKey(ARGO_TRACKING_ANNOTATION)) {
      return Optional.of(new GitOpsOwner("Argo CD", "annotation " + ARGO_TRACKING_ANNOTATION
          + "=" + annotations.get(ARGO_TRACKING_ANNOTATION)));
    }
    if (labels.containsKey(ARGO_INSTANCE_LABEL) && labels.get(ARGO_INSTANCE_LABEL) != null
        && annotations.keySet().stream().anyMatch(k -> k.startsWith("argocd.argoproj.io/"))) {
      return Optional.of(new GitOpsOwner("Argo CD", "label " + ARGO_INSTANCE_LABEL + "="
          + labels.get(ARGO_INSTANCE_LABEL)));
    }
    for (String label : FLUX_LABELS) {
      if (labels.containsKey(label)) {
        return Optional.of(new GitOpsOwner("Flux", "label " + label + "=" + labels.get(label)));
      }
    }
    List<ManagedFieldsEntry> managed =
        meta.getManagedFields() == null ? List.of() : meta.getManagedFields();
    for (ManagedFieldsEntry entry : managed) {
      String manager = entry.getManager();
      if (ARGO_MANAGERS.contains(manager)) {
        return Optional.of(new GitOpsOwner("Argo CD", "field manager " + manager));
      }
      if (FLUX_MANAGERS.contains(manager)) {
        return Optional.of(new GitOpsOwner("Flux", "field manager " + manager));
      }
    }
    return Optional.empty();
  }

  /**
   * The warning for a spec change of {@code fields} (each "path: value" as it belongs in the
   * manifest in Git).
   */
  public String warning(String release, List<String> fields) {
    return "Release " + release + " is managed by " + controller + " (" + evidence + "): "
        + controller + " will revert this change at its next sync. Commit it to the Git "
        + "repository instead: " + String.join(", ", fields);
  }
}
