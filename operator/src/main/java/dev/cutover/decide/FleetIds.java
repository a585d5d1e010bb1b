package dev.cutover.decide;

import dev.cutover.api.FleetId;
import dev.cutover.api.InstanceTemplate;
import dev.cutover.api.ReleaseSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fleet ids as the policy uses them: the hash of version and template that {@link FleetId}
 * defines, with launch templates pinned to the number this pass resolved them to.
 */
public final class FleetIds {

  private FleetIds() {}

  /** A launch template pinned to a version: its id and number stand in for what was asked. */
  public record Pin(String templateId, long number) {}

  /** The fleet the spec names, for a spec without launch templates. */
  public static String of(ReleaseSpec spec) {
    return of(spec, Map.of());
  }

  /** The fleet the spec names, its launch templates pinned by role ({@link FleetId#of}). */
  public static String of(ReleaseSpec spec, Map<String, Pin> pins) {
    Map<String, FleetId.Pin> byRole = new LinkedHashMap<>();
    pins.forEach((role, pin) -> byRole.put(role, new FleetId.Pin(pin.templateId(),
        pin.number())));
    return FleetId.of(spec, byRole);
  }

  /**
   * A digest of the whole spec with {@code paused} left out: two specs with the same digest ask
   * for the same thing, whether paused or not (an abort outlives pausing and resuming).
   */
  static String specDigest(ReleaseSpec spec) {
    return FleetId.specDigest(spec);
  }

  public static String fleetId(String version, InstanceTemplate template) {
    return FleetId.of(version, template);
  }
}
