package dev.cutover.decide;

import dev.cutover.api.LaunchTemplateRef;
import dev.cutover.api.LaunchTemplateStatus;
import dev.cutover.api.RoleLayout;
import dev.cutover.ec2.LaunchTemplateVersion;
import dev.cutover.observe.LaunchTemplates;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The launch template version each role launches from. EC2's answer of this pass comes first:
 * $Latest and $Default follow the template, and the fleet id follows the number. When EC2 did not
 * answer (throttled, a network error), the number status recorded for the same request stands in,
 * so a passing error never makes the fleet look superseded; nothing is launched on it, since
 * the template's own settings (its metadata options) are only known from EC2's answer.
 */
final class Templates {

  /**
   * One role's template version.
   *
   * @param version EC2's answer of this pass, or null when the number comes from status
   */
  record Pinned(String role, LaunchTemplateRef ref, String templateId, String templateName,
      long number, LaunchTemplateVersion version) {}

  /**
   * The versions of every role that names a template.
   *
   * @param problems why a role's version is not known from this pass, in words
   * @param unknown a role's version is known neither from EC2 nor from status: the fleet the
   *     spec names cannot be told
   */
  record Resolution(Map<String, Pinned> byRole, List<String> problems, boolean unknown,
      boolean retryable) {

    static final Resolution NONE = new Resolution(Map.of(), List.of(), false, true);

    /**
     * Whether a role asks for $Latest or $Default: a new version (or default) changes nothing
     * in the cluster or in EC2's instances, so the Release looks again every {@link #FOLLOW}.
     */
    boolean moving() {
      return byRole.values().stream().anyMatch(p -> p.ref().version == null
          || p.ref().version.startsWith("$"));
    }

    /** Launches need EC2's answer for every template. */
    boolean launchable() {
      return problems.isEmpty();
    }

    Optional<Pinned> of(String role) {
      return Optional.ofNullable(byRole.get(role));
    }

    Map<String, FleetIds.Pin> pins() {
      Map<String, FleetIds.Pin> pins = new LinkedHashMap<>();
      byRole.forEach((role, p) -> pins.put(role, new FleetIds.Pin(p.templateId(), p.number())));
      return pins;
    }

    /** What status shows: the resolved number of each role's template. */
    List<LaunchTemplateStatus> status() {
      return byRole.values().stream().map(p -> new LaunchTemplateStatus(
          p.role().isEmpty() ? null : p.role(), p.templateId(), p.templateName(),
          p.ref().versionOrDefault(), p.number())).toList();
    }
  }

  /** How often a Release that follows $Latest or $Default looks at its template again. */
  static final java.time.Duration FOLLOW = java.time.Duration.ofSeconds(15);

  private Templates() {}

  static Resolution resolve(List<RoleLayout> layout, LaunchTemplates seen,
      List<LaunchTemplateStatus> recorded) {
    Map<String, Pinned> byRole = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    boolean unknown = false;
    boolean retryable = true;
    for (RoleLayout role : layout) {
      LaunchTemplateRef ref = role.template() == null ? null : role.template().launchTemplate;
      if (ref == null) {
        continue;
      }
      Optional<LaunchTemplateVersion> v = seen.version(ref);
      if (v.isPresent()) {
        byRole.put(role.name(), new Pinned(role.name(), ref, v.get().templateId(),
            v.get().templateName(), v.get().number(), v.get()));
        continue;
      }
      Optional<LaunchTemplates.Problem> problem = seen.problem(ref);
      problems.add("launch template " + ref.label() + " (" + ref.versionOrDefault() + ")"
          + (role.name().isEmpty() ? "" : " of role " + role.name())
          + problem.map(p -> ": " + p.code() + ": " + p.message()).orElse(" was not read"));
      retryable &= problem.map(LaunchTemplates.Problem::retryable).orElse(true);
      Optional<LaunchTemplateStatus> before = recorded == null ? Optional.empty()
          : recorded.stream().filter(r -> role.name().equals(r.role == null ? "" : r.role)
              && ref.versionOrDefault().equals(r.requested) && r.version != null
              && (ref.id != null ? ref.id.equals(r.id) : ref.name.equals(r.name))).findFirst();
      if (before.isPresent()) {
        byRole.put(role.name(), new Pinned(role.name(), ref, before.get().id, before.get().name,
            before.get().version, null));
      } else {
        unknown = true;
      }
    }
    return byRole.isEmpty() && problems.isEmpty() ? Resolution.NONE
        : new Resolution(Map.copyOf(byRole), List.copyOf(problems), unknown, retryable);
  }
}
