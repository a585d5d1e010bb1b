package dev.cutover.decide;

import dev.cutover.api.InstanceTemplate;
import dev.cutover.api.RoleLayout;
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

  /** How soon a launch held back by an unread launch template looks again. */
  static final java.time.Duration TEMPLATE_RECHECK = java.time.Duration.ofSeconds(10);

  private Launches() {}

  /** Plans the launches of one role's slots (see below). */
  static boolean launch(Draft d, Fleet fleet, String fleetId, String version, List<Integer> slots,
      String purpose) {
    return launch(d, fleet, fleetId, version, Map.of(RoleLayout.SINGLE, slots), purpose);
  }

  /**
   * Plans the launches of the missing slots of each role; false (nothing planned) when a recent
   * refusal or the account's rules hold them back. One gate for the whole fleet: a system is
   * launched whole or not at all.
   */
  static boolean launch(Draft d, Fleet fleet, String fleetId, String version,
      Map<String, List<Integer>> slotsByRole, String purpose) {
    int count = slotsByRole.values().stream().mapToInt(List::size).sum();
    if (count == 0) {
      return true;
    }
    if (!d.templates.launchable()) {
      // The launch template was not read this pass: its settings are not known.
      d.templateHeld = true;
      d.wakeAt(d.now.plus(TEMPLATE_RECHECK));
      return false;
    }
    if (d.held("RunInstances/" + fleetId) || d.launchUnseen(fleetId)
        || d.viewTooNewToLaunch() || !Tenants.mayLaunch(d, count)) {
      return false;
    }
    slotsByRole.forEach((roleName, slots) -> {
      RoleLayout role = d.role(roleName);
      if (role != null && !slots.isEmpty()) {
        planRole(d, fleet, fleetId, version, role, slots, purpose);
      }
    });
    return true;
  }

  private static void planRole(Draft d, Fleet fleet, String fleetId, String version,
      RoleLayout role, List<Integer> slots, String purpose) {
    InstanceTemplate t = role.template();
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
    List<String> dead = deadInSlots(d, fleet, role.name(), slots);
    String attempt = Retries.attempt(d, fleetId);
    var launchTemplate = d.templates.of(role.name()).map(Templates.Pinned::version)
        .orElse(null);
    for (List<Integer> group : groups) {
      String subnet = subnetOf(t, group.get(0));
      d.actions.add(new Launch(fleetId, version, group, subnet, dead, purpose, role.name(),
          InstanceTypes.choose(t, d.unavailableTypes, fleetId, role.name(), subnet),
          launchTemplate, attempt));
    }
  }

  static String subnetOf(InstanceTemplate t, int slot) {
    return t.subnetIds.get(slot % t.subnetIds.size());
  }

  /**
   * Instances that held these slots and died: part of the launch token of their replacement.
   * Those of an attempt a retry replaced are left out: the retry's own token tells the new
   * attempt apart, and they stop being listed after a while, which must not change the token.
   */
  private static List<String> deadInSlots(Draft d, Fleet fleet, String role,
      List<Integer> slots) {
    if (fleet == null) {
      return List.of();
    }
    return fleet.instances().stream()
        .filter(i -> !i.state().isAlive() && i.role().equals(role) && slots.contains(i.slot())
            && !Retries.ofReplacedAttempt(d, fleet, i))
        .map(ManagedInstance::id).sorted().toList();
  }
}
