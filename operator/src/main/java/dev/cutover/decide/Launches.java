package dev.cutover.decide;

import dev.cutover.act.LaunchRequest;
import dev.cutover.api.InstanceTemplate;
import dev.cutover.decide.Action.Launch;
import dev.cutover.observe.Fleet;
import dev.cutover.observe.ManagedInstance;
import dev.cutover.observe.Tags;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * How missing slots of a fleet become RunInstances calls: one per subnet (or one per slot when
 * userData names ${SLOT}), tagged at launch, with a ClientToken that names the fleet, the slots
 * and the instances that died in them, and nothing else, so the same launch decided again (after
 * a crash, a lost response, a new generation of the spec) carries the same token and AWS returns
 * the instances it already launched.
 */
final class Launches {

  private Launches() {}

  /** Plans the launches; false (nothing planned) when a recent refusal holds them back. */
  static boolean launch(Draft d, Fleet fleet, String fleetId, String version, List<Integer> slots,
      String purpose) {
    if (slots.isEmpty()) {
      return true;
    }
    if (d.held("RunInstances/" + fleetId)) {
      return false;
    }
    InstanceTemplate t = d.spec.template;
    boolean perSlot = t.userData != null && t.userData.contains("${SLOT}");
    List<List<Integer>> groups = new ArrayList<>();
    if (perSlot) {
      slots.forEach(slot -> groups.add(List.of(slot)));
    } else {
      Map<String, List<Integer>> bySubnet = new TreeMap<>();
      for (int slot : slots) {
        bySubnet.computeIfAbsent(subnetOf(t, slot), s -> new ArrayList<>()).add(slot);
      }
      groups.addAll(bySubnet.values());
    }
    List<String> dead = deadInSlots(fleet, slots);
    for (List<Integer> group : groups) {
      String token = FleetIds.clientToken(d.release.getMetadata().getUid(), fleetId,
          group.toString(), String.join(",", dead));
      d.actions.add(new Launch(new LaunchRequest(token, t.imageId, t.instanceType,
          subnetOf(t, group.get(0)), t.securityGroupIds, t.keyName, t.iamInstanceProfile,
          userData(d, t.userData, version, fleetId, perSlot ? group.get(0) : null),
          tags(d, t, fleetId, version, group), group.size()), fleetId, version, group, purpose));
    }
    return true;
  }

  private static String subnetOf(InstanceTemplate t, int slot) {
    return t.subnetIds.get(slot % t.subnetIds.size());
  }

  private static Map<String, String> tags(Draft d, InstanceTemplate t, String fleetId,
      String version, List<Integer> group) {
    Map<String, String> tags = new LinkedHashMap<>();
    if (t.tags != null) {
      tags.putAll(t.tags);
    }
    tags.put(Tags.NAME, d.release.getMetadata().getName() + " " + version);
    tags.put(Tags.MANAGED_BY, Tags.MANAGED_BY_VALUE);
    tags.put(Tags.RELEASE_UID, d.release.getMetadata().getUid());
    tags.put(Tags.RELEASE, d.releaseKey());
    tags.put(Tags.FLEET, fleetId);
    tags.put(Tags.VERSION, version);
    tags.put(Tags.SLOT, group.stream().map(String::valueOf).collect(Collectors.joining(",")));
    return tags;
  }

  private static String userData(Draft d, String template, String version, String fleetId,
      Integer slot) {
    if (template == null) {
      return null;
    }
    String data = template.replace("${VERSION}", version).replace("${RELEASE}", d.releaseKey())
        .replace("${FLEET}", fleetId);
    return slot == null ? data : data.replace("${SLOT}", String.valueOf(slot));
  }

  /** Instances that held these slots and died: part of the launch token of their replacement. */
  private static List<String> deadInSlots(Fleet fleet, List<Integer> slots) {
    if (fleet == null) {
      return List.of();
    }
    return fleet.instances().stream()
        .filter(i -> !i.state().isAlive() && slots.contains(i.slot()))
        .map(ManagedInstance::id).sorted().toList();
  }
}
