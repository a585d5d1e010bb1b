package dev.cutover.observe;

import dev.cutover.api.LaunchTemplateRef;
import dev.cutover.api.Release;
import dev.cutover.api.RoleLayout;
import dev.cutover.ec2.Ec2Failure;
import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.ec2.LaunchTemplateVersion;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads the launch template versions Releases name (DescribeLaunchTemplateVersions), at most
 * once per template, version asked for and account/region every {@link #FRESH_FOR}: $Latest may
 * move at any time, and the fleet id follows it, but a Release reconciled many times a minute
 * must not cost a call each time.
 */
public final class LaunchTemplateLookups {

  /** How long an answer (or a refusal) is reused. */
  public static final Duration FRESH_FOR = Duration.ofSeconds(10);

  private record Answer(LaunchTemplateVersion version, LaunchTemplates.Problem problem,
      Instant at) {}

  private final Clock clock;
  /** Answers by gateway (one per account and region), then by template and version. */
  private final Map<Ec2Gateway, Map<String, Answer>> answers = new ConcurrentHashMap<>();

  public LaunchTemplateLookups(Clock clock) {
    this.clock = clock;
  }

  /** The versions the Release's roles name, through the gateway of its account and region. */
  public LaunchTemplates lookUp(Release release, Ec2Gateway gateway) {
    Map<String, LaunchTemplateVersion> found = new HashMap<>();
    Map<String, LaunchTemplates.Problem> problems = new HashMap<>();
    release.getSpec().layout().stream().map(RoleLayout::template).filter(Objects::nonNull)
        .map(t -> t.launchTemplate).filter(Objects::nonNull).forEach(ref -> {
          if (found.containsKey(ref.key()) || problems.containsKey(ref.key())) {
            return;
          }
          Answer a = answer(ref, gateway);
          if (a.version() != null) {
            found.put(ref.key(), a.version());
          } else {
            problems.put(ref.key(), a.problem());
          }
        });
    return found.isEmpty() && problems.isEmpty() ? LaunchTemplates.NONE
        : new LaunchTemplates(found, problems);
  }

  private Answer answer(LaunchTemplateRef ref, Ec2Gateway gateway) {
    Map<String, Answer> known = answers.computeIfAbsent(gateway, g -> new ConcurrentHashMap<>());
    String key = ref.key();
    Instant now = clock.instant();
    Answer cached = known.get(key);
    if (cached != null && now.isBefore(cached.at().plus(FRESH_FOR))) {
      return cached;
    }
    Answer fresh;
    try {
      fresh = new Answer(gateway.describeLaunchTemplateVersion(ref.id, ref.name,
          ref.versionOrDefault()), null, now);
    } catch (Ec2Failure e) {
      fresh = new Answer(null, new LaunchTemplates.Problem(e.code(), e.awsMessage(),
          e.retryable()), now);
    }
    known.put(key, fresh);
    return fresh;
  }
}
