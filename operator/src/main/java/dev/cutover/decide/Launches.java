package dev.cutover.decide;

import dev.cutover.api.InstanceTemplate;
import dev.cutover.decide.Action.Launch;
import dev.cutover.observe.Fleet;
import dev.cutover.ec2.ManagedInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How missing slots of a fleet become RunInstances calls: one per subnet (or one per slot when
 * userData names ${SLOT}, since one call shares one userData), each naming the instances that
 * died in its slots, so a relaunch is told apart from the same launch decided again.
 */
final class Launches {

  private Launches() {}

  /** Plans the launches; false (nothing planned) when a recent refusal holds them back. */
  static boolean launch(Draft d, Fleet fleet, String fleetId, String version, List<Integer> slots,
      String purpose) {
    if (slots.isEmpty()) {
      return true;
    }
    if (d.held("RunInstances/" + fleetId) || d.launchUnseen(fleetId)
        || d.viewTooNewToLaunch() || !Tenants.mayLaunch(d, slots.size())) {
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
      d.actions.add(new Launch(fleetId, version, group, subnetOf(t, group.get(0)), dead,
          purpose));
    }
    return true;
  }

  static String subnetOf(InstanceTemplate t, int slot) {
    return t.subnetIds.get(slot % t.subnetIds.size());
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
