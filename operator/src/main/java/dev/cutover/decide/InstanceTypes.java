package dev.cutover.decide;

import dev.cutover.api.InstanceTemplate;
import dev.cutover.api.InstanceTypeRefusal;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.decide.Action.Launch;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Capacity fallback over template.instanceTypes. EC2 runs out of a type in one availability
 * zone at a time, so a refusal counts for one fleet, role and subnet: those slots are launched
 * with the next type, the other subnets keep the first. A refusal is remembered for
 * {@link #MEMORY}; after that the preferred type is tried again.
 */
final class InstanceTypes {

  /** How long a type EC2 had no capacity for is passed over in that subnet. */
  static final Duration MEMORY = Duration.ofMinutes(15);

  /** How soon a launch refused for capacity is tried with the next type. */
  static final Duration FALLBACK_PAUSE = Duration.ofSeconds(2);

  /** The codes that say "not this type here, now" (Unsupported: not offered in the zone). */
  static final Set<String> FALLBACK_CODES = Set.of("InsufficientInstanceCapacity",
      "InsufficientCapacity", "Unsupported");

  private InstanceTypes() {}

  /** Refusals status remembers that are still recent. */
  static List<InstanceTypeRefusal> recent(ReleaseStatus status, Instant now) {
    return status == null || status.unavailableInstanceTypes == null ? List.of()
        : status.unavailableInstanceTypes.stream()
            .filter(r -> r.at != null && now.isBefore(Instant.parse(r.at).plus(MEMORY)))
            .toList();
  }

  /**
   * The type to launch a fleet's role with in a subnet: the first of instanceTypes EC2 has not
   * refused there recently; the first again when it refused all (a retry from the top, after
   * the refusal's backoff); null without instanceTypes (the template's type stands).
   */
  static String choose(InstanceTemplate t, List<InstanceTypeRefusal> refused, String fleetId,
      String role, String subnetId) {
    if (t.instanceTypes == null || t.instanceTypes.isEmpty()) {
      return null;
    }
    return t.instanceTypes.stream()
        .filter(type -> !refusedHere(refused, fleetId, role, subnetId, type)).findFirst()
        .orElse(t.instanceTypes.get(0));
  }

  /** The next type after a refusal of this launch, if instanceTypes has one not refused yet. */
  static Optional<String> next(InstanceTemplate t, List<InstanceTypeRefusal> refused,
      Launch launch) {
    if (t == null || t.instanceTypes == null || launch.instanceType() == null) {
      return Optional.empty();
    }
    return t.instanceTypes.stream().filter(type -> !type.equals(launch.instanceType())
        && !refusedHere(refused, launch.fleetId(), launch.role(), launch.subnetId(), type))
        .findFirst();
  }

  /** The record of a refusal, for status. */
  static InstanceTypeRefusal refusal(Launch launch, String code, Instant now) {
    InstanceTypeRefusal r = new InstanceTypeRefusal();
    r.fleetId = launch.fleetId();
    r.role = launch.role().isEmpty() ? null : launch.role();
    r.subnetId = launch.subnetId();
    r.instanceType = launch.instanceType();
    r.code = code;
    r.at = now.toString();
    return r;
  }

  private static boolean refusedHere(List<InstanceTypeRefusal> refused, String fleetId,
      String role, String subnetId, String type) {
    return refused.stream().anyMatch(r -> fleetId.equals(r.fleetId)
        && role.equals(r.role == null ? "" : r.role) && subnetId.equals(r.subnetId)
        && type.equals(r.instanceType));
  }
}
