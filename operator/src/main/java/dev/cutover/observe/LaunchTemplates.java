package dev.cutover.observe;

import dev.cutover.api.LaunchTemplateRef;
import dev.cutover.ec2.LaunchTemplateVersion;
import java.util.Map;
import java.util.Optional;

/**
 * The launch template versions a Release names, as EC2 showed them: each found version by the
 * key of what the Release asked for ({@link LaunchTemplateRef#key()}), and what EC2 answered
 * for the ones it did not show.
 */
public record LaunchTemplates(Map<String, LaunchTemplateVersion> found,
    Map<String, Problem> problems) {

  /** Why a version could not be read: the AWS code and message, and whether it may pass. */
  public record Problem(String code, String message, boolean retryable) {}

  public static final LaunchTemplates NONE = new LaunchTemplates(Map.of(), Map.of());

  public LaunchTemplates {
    found = Map.copyOf(found);
    problems = Map.copyOf(problems);
  }

  public Optional<LaunchTemplateVersion> version(LaunchTemplateRef ref) {
    return Optional.ofNullable(found.get(ref.key()));
  }

  public Optional<Problem> problem(LaunchTemplateRef ref) {
    return Optional.ofNullable(problems.get(ref.key()));
  }
}
