package dev.cutover.decide;

import dev.cutover.api.ElasticIpSpec;
import dev.cutover.api.ReleaseSpec;
import dev.cutover.api.RoleLayout;
import dev.cutover.ec2.ElasticIp;
import dev.cutover.ec2.ManagedInstance;
import dev.cutover.observe.Fleet;
import dev.cutover.observe.ObservedWorld;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The system's Elastic IPs. Address i of a role points at the instance in slot i of that role
 * (its home); while the home does not run, at another running instance of the role, preferring
 * one that is no other address's home. The first address of the first role with addresses is
 * the primary: the fleet it points at is production, and a switch moves it first, then the
 * others, so a switch cut short is finished by healing the others onto the primary's fleet.
 */
final class Addresses {

  private Addresses() {}

  /**
   * One address of the system as the spec binds it and EC2 shows it.
   *
   * @param address the address, empty while EC2 does not list it
   */
  record Binding(String role, int index, ElasticIpSpec spec, Optional<ElasticIp> address,
      boolean primary) {

    String holder() {
      return address.map(ElasticIp::instanceId).orElse(null);
    }

    /** How messages name it: its public IP, else its allocation id. */
    String label() {
      return address.map(ElasticIp::publicIp)
          .orElse(spec.allocationId == null ? "the Elastic IP" : spec.allocationId);
    }
  }

  /** Production's addresses in switch order: each role's in order, the primary first. */
  static List<Binding> bindings(ReleaseSpec spec, ObservedWorld world) {
    List<Binding> all = new ArrayList<>();
    for (RoleLayout role : spec.layout()) {
      for (int i = 0; i < role.addresses().size(); i++) {
        boolean primary = all.isEmpty();
        ElasticIpSpec s = role.addresses().get(i);
        // The primary may be one Cutover allocated (no id in the spec): the world found it.
        Optional<ElasticIp> seen = primary ? world.elasticIp()
            : Optional.ofNullable(world.addresses().get(s.allocationId));
        all.add(new Binding(role.name(), i, s, seen, primary));
      }
    }
    return List.copyOf(all);
  }

  static Optional<Binding> preview(ReleaseSpec spec, ObservedWorld world) {
    if (spec.preview == null || spec.preview.allocationId == null) {
      return Optional.empty();
    }
    RoleLayout entry = spec.layout().stream().filter(r -> !r.addresses().isEmpty()).findFirst()
        .orElse(spec.layout().get(0));
    return Optional.of(new Binding(entry.name(), 0, spec.preview,
        Optional.ofNullable(world.addresses().get(spec.preview.allocationId)), false));
  }

  /** The running instance of the fleet that address {@code b} goes to, if one is free. */
  static Optional<ManagedInstance> target(Draft d, Fleet fleet, Binding b, Set<String> leaving) {
    if (fleet == null) {
      return Optional.empty();
    }
    List<ManagedInstance> candidates = fleet.running().stream()
        .filter(i -> i.role().equals(b.role()) && !leaving.contains(i.id())
            && !d.terminating.contains(i.id()) && !holdsAnother(d, b, i.id()))
        .toList();
    return candidates.stream().filter(i -> i.slot() == b.index()).findFirst()
        .or(() -> candidates.stream().filter(i -> !homeOfAnother(d, b, i)).findFirst())
        .or(() -> candidates.stream().findFirst());
  }

  /**
   * Whether a production address before {@code b} in switch order points at this instance, or
   * will once the plan's moves are done. EC2 gives an instance one Elastic IP: associating a
   * second one takes the first off. So an address may take the instance of one after it (which
   * then waits for a free instance), never of one before it: the primary is never taken off, and
   * two addresses never push each other off in turn. For the preview, every production address
   * comes before it.
   */
  static boolean holdsAnother(Draft d, Binding b, String instanceId) {
    for (Binding other : d.bindings) {
      if (other == b) {
        return false;
      }
      if (other.address().isEmpty()) {
        continue;
      }
      String id = other.address().get().allocationId();
      if (instanceId.equals(d.plannedHolders.getOrDefault(id, other.holder()))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the fleet has a live instance of the role the primary address serves (any live
   * instance in the single form): else switching back to it would wait for ever, and it is
   * relaunched instead.
   */
  static boolean hasEntryRole(Draft d, Fleet fleet) {
    String role = d.bindings.isEmpty() ? null : d.bindings.get(0).role();
    return fleet.alive().stream().anyMatch(i -> role == null || i.role().equals(role));
  }

  /** The instance production's entry (the primary address) goes to in this fleet. */
  static Optional<ManagedInstance> entry(Draft d, Fleet fleet) {
    return d.bindings.isEmpty() ? fleet.primary()
        : target(d, fleet, d.bindings.get(0), Set.of());
  }

  /** The slot of this instance is the home of another address of its role. */
  private static boolean homeOfAnother(Draft d, Binding b, ManagedInstance i) {
    return d.bindings.stream().anyMatch(other -> other != b && other.role().equals(i.role())
        && other.index() == i.slot());
  }

  /**
   * Whether address {@code b} stays where it is: on a running, staying instance of its role in
   * the fleet, and, in a system of roles, on its home slot or a stand-in while its home does not
   * run (a relaunched home gets its address back). The single form's one address stays on any
   * running instance, as it always did.
   */
  private static boolean stays(Draft d, Fleet fleet, Binding b, Set<String> leaving) {
    String holder = d.plannedHolders.getOrDefault(b.address().get().allocationId(), b.holder());
    Optional<ManagedInstance> on = fleet.running().stream()
        .filter(i -> i.id().equals(holder) && i.role().equals(b.role())
            && !leaving.contains(i.id()) && !d.terminating.contains(i.id()))
        .findFirst();
    if (on.isEmpty()) {
      return false;
    }
    if (on.get().slot() == b.index() || d.layout.get(0).single()) {
      return true;
    }
    return target(d, fleet, b, leaving).filter(t -> t.slot() == b.index()).isEmpty();
  }

  /**
   * Points every production address at a running, staying instance of the active fleet, when
   * it does not already. Returns the addresses for which no such instance exists (they stay
   * where they are). Addresses EC2 does not list, or that point at foreign instances, are left.
   */
  static List<Binding> keepOn(Draft d, Fleet active, Set<String> leaving) {
    List<Binding> unplaced = new ArrayList<>();
    for (Binding b : d.bindings) {
      if (b.address().isEmpty() || d.elsewhere.contains(b.address().get().allocationId())
          || stays(d, active, b, leaving)) {
        continue;
      }
      Optional<ManagedInstance> target = target(d, active, b, leaving);
      if (target.isPresent()) {
        d.associate(b, target.get().id(), d.versionOf(b.holder()), active.version(),
            SwitchReason.Healed);
      } else {
        unplaced.add(b);
      }
    }
    return unplaced;
  }

  /**
   * The switch: every production address to the fleet {@code to}, the primary first (one
   * AssociateAddress each). False, with nothing planned, when the primary cannot move; another
   * address that cannot move now is moved by healing once it can.
   */
  static boolean moveAll(Draft d, Fleet from, Fleet to, ManagedInstance entry,
      SwitchReason reason) {
    String fromVersion = from == null ? null : from.version();
    if (!d.associate(entry.id(), fromVersion, to.version(), reason)) {
      return false;
    }
    for (Binding b : d.bindings.subList(1, d.bindings.size())) {
      Optional<ManagedInstance> target = target(d, to, b, Set.of());
      if (target.isPresent() && !target.get().id().equals(b.holder())) {
        d.associate(b, target.get().id(), fromVersion, to.version(), reason);
      }
    }
    return true;
  }

  /**
   * While a staging fleet is Verifying or AwaitingPromotion, the preview address points at its
   * entry instance (one call when it does not yet).
   */
  static void preview(Draft d, Fleet staged) {
    if (d.preview.isEmpty() || d.preview.get().address().isEmpty()) {
      return;
    }
    Binding p = d.preview.get();
    if (d.elsewhere.contains(p.address().get().allocationId())) {
      return;
    }
    Optional<ManagedInstance> entry = entry(d, staged)
        .filter(i -> !holdsAnother(d, p, i.id()));
    if (entry.isPresent() && !entry.get().id().equals(p.holder())) {
      d.associate(p, entry.get().id(), d.versionOf(p.holder()), staged.version(),
          SwitchReason.Previewed);
    }
  }

  /**
   * The instances HTTP checks go to: every given instance; or, for a check through the preview
   * address, only the one it points at (after the plan), reached at the preview's public
   * address, and after the switch (which takes the preview off that instance) the one the
   * primary address points at, reached at the primary's public address. Empty while neither
   * points at any of them.
   */
  static List<ManagedInstance> checked(Draft d, List<ManagedInstance> instances) {
    var http = d.spec.verification.http;
    if (http == null || http.address != dev.cutover.api.HttpCheck.Address.Preview) {
      return instances;
    }
    Optional<ElasticIp> preview = d.preview.flatMap(Binding::address);
    if (preview.isEmpty()) {
      return List.of();
    }
    for (ElasticIp through : List.of(preview.get(),
        d.bindings.get(0).address().orElse(preview.get()))) {
      String holder = d.plannedHolders.getOrDefault(through.allocationId(), through.instanceId());
      List<ManagedInstance> reached = instances.stream().filter(i -> i.id().equals(holder))
          .map(i -> i.withPublicIp(through.publicIp())).toList();
      if (!reached.isEmpty()) {
        return reached;
      }
    }
    return List.of();
  }

  /** Every address after the plan: where it points once the plan's moves are done. */
  static List<Facts.AddressFact> after(Draft d) {
    List<Facts.AddressFact> facts = new ArrayList<>();
    for (Binding b : d.bindings) {
      b.address().ifPresent(a -> facts.add(new Facts.AddressFact(b.role(), b.index(), a,
          d.plannedHolders.getOrDefault(a.allocationId(), a.instanceId()), false)));
    }
    d.preview.flatMap(Binding::address).ifPresent(a -> facts.add(new Facts.AddressFact(
        "preview", 0, a, d.plannedHolders.getOrDefault(a.allocationId(), a.instanceId()), true)));
    return facts;
  }
}
