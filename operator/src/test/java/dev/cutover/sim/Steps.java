package dev.cutover.sim;

import dev.cutover.sim.SimulatedEc2.Fault;
import dev.cutover.sim.Simulation.Role;
import dev.cutover.sim.Simulation.World;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * What can happen in a history, as a catalog the seeded generator draws from: each kind of step
 * takes two small numbers (a in [0, as), b in [0, bs)) that pick its details, the simplest
 * first, so minimising a failing history can simplify a step by lowering its numbers. A system
 * of roles ({@link World#SYSTEM}) has its own catalog: the same, except that the address steps
 * name which of its addresses (and the preview address comes and goes instead of allocate).
 */
final class Steps {

  /** One step of a history: its kind and numbers, a sentence, and what it does. */
  record Step(Kind kind, int a, int b, String description, Consumer<Simulation> apply) {
    @Override
    public String toString() {
      return description;
    }
  }

  @FunctionalInterface
  interface Maker {
    Step make(int a, int b);
  }

  record Kind(String name, int weight, int as, int bs, Maker maker) {
    Step make(int a, int b) {
      int x = Math.floorMod(a, as);
      int y = Math.floorMod(b, bs);
      Step made = maker.make(x, y);
      return new Step(this, x, y, made.description(), made.apply());
    }
  }

  record Wait(Duration duration, String why) {}

  static final List<Wait> WAITS = List.of(
      new Wait(Duration.ofSeconds(2), "a moment"),
      new Wait(Duration.ofSeconds(5), "an HTTP check interval"),
      new Wait(Duration.ofSeconds(12), "past boot"),
      new Wait(Duration.ofSeconds(25), "past the EC2 status checks"),
      new Wait(Duration.ofSeconds(65), "past the post-switch window"),
      new Wait(Duration.ofSeconds(330), "past the verification deadline"),
      new Wait(Duration.ofSeconds(630), "past the retention TTL"));

  static final List<Role> ROLES = List.of(Role.ACTIVE, Role.STAGING, Role.RETAINED, Role.HOLDER,
      Role.ANY);
  static final List<Role> FLEET_ROLES = List.of(Role.STAGING, Role.ACTIVE, Role.RETAINED);
  static final List<String> OPERATIONS = List.of("RunInstances", "AssociateAddress",
      "TerminateInstances", "DescribeInstances", "DescribeAddresses", "DescribeInstanceStatus",
      "AllocateAddress");
  static final List<Fault> FAULTS = List.of(Fault.throttle(), Fault.internalError(),
      Fault.lostResponse());
  /** Calls after which the operator process may die in the middle of a plan. */
  static final List<String> DYING_AFTER = List.of("AssociateAddress", "TerminateInstances",
      "RunInstances");

  static final List<Kind> KINDS = List.of(
      new Kind("reconcile", 30, 1, 1, (a, b) -> step("reconcile", Simulation::reconcile)),
      new Kind("advance", 24, WAITS.size(), 1, (a, b) -> {
        Wait w = WAITS.get(a);
        return step("advance " + Story.duration(w.duration()) + " (" + w.why() + ")",
            s -> s.advance(w.duration(), w.why()));
      }),
      new Kind("settle", 3, 1, 1, (a, b) -> step("settle", s -> s.settle(60, 5))),
      new Kind("live", 0, 1, 1, (a, b) -> step("bring 1.0.0 live (settle until it serves)",
          s -> s.rollOut("1.0.0"))),
      new Kind("version", 5, Simulation.VERSIONS.size(), 1, (a, b) -> {
        String v = Simulation.VERSIONS.get((a + 1) % Simulation.VERSIONS.size());
        return step("spec.version " + v, s -> s.setVersion(v));
      }),
      new Kind("rollout", 8, Simulation.VERSIONS.size(), 1, (a, b) -> {
        String v = Simulation.VERSIONS.get((a + 1) % Simulation.VERSIONS.size());
        return step("roll out " + v + " (spec.version, then settle until it serves)",
            s -> s.rollOut(v));
      }),
      new Kind("fleetSize", 3, 4, 1, (a, b) -> step("spec.fleetSize " + (a + 1),
          s -> s.setFleetSize(a + 1))),
      new Kind("paused", 3, 2, 1, (a, b) -> step("spec.paused " + (a == 0),
          s -> s.setPaused(a == 0))),
      new Kind("promotion", 2, 2, 1, (a, b) -> step("promotion " + (a == 0 ? "Manual"
          : "Auto"), s -> s.setManualPromotion(a == 0))),
      new Kind("approve", 2, 1, 1, (a, b) -> step("approve", Simulation::approve)),
      new Kind("previousFleetSize", 2, 3, 1, (a, b) -> step("retention.previousFleetSize "
          + (a + 1) % 3, s -> s.setPreviousFleetSize((a + 1) % 3))),
      // Never drawn (weight 0, so the other histories stay as they were): a third of the
      // histories start with it (SeededHistories).
      new Kind("drain", 0, 3, 1, (a, b) -> {
        String timeout = new String[] {"20s", "0s", null}[a];
        return step("drain " + (timeout == null ? "off" : timeout), s -> s.setDrain(timeout));
      }),
      new Kind("types", 0, 2, 1, (a, b) -> step(a == 0 ? "instanceTypes fallback"
          : "one instanceType", s -> s.setInstanceTypes(a == 0))),
      // Never drawn either: a quarter of the histories start with an approval timeout (half
      // of those with Manual promotion), a third with keepFailedFor (SeededHistories).
      new Kind("approvalTimeout", 0, 2, 1, (a, b) -> {
        String timeout = new String[] {"30s", "5m"}[a];
        return step("promotion.approvalTimeout " + timeout + " (with Manual promotion)",
            s -> s.setApprovalTimeout(timeout));
      }),
      new Kind("keepFailedFor", 0, 2, 1, (a, b) -> {
        String keep = new String[] {"45s", "8m"}[a];
        return step("verification.keepFailedFor " + keep, s -> s.setKeepFailedFor(keep));
      }),
      // Never drawn either: a quarter of the histories start with it (SeededHistories).
      new Kind("lateRefreshes", 0, 1, 1, (a, b) -> step("refreshes of EC2 land late",
          Simulation::setLateRefreshes)),
      // Never drawn either: a quarter of the histories start with it (SeededHistories).
      new Kind("hooks", 0, 3, 1, (a, b) -> {
        SimulatedHooks.Mood mood = SimulatedHooks.Mood.values()[a];
        return step("hooks, the receiver " + mood.name().toLowerCase(java.util.Locale.ROOT)
            .replace('_', ' '), s -> s.setHooks(mood));
      }),
      // Never drawn either: a quarter of the histories abort once, in the middle, half of
      // those retrying some steps later (SeededHistories).
      new Kind("abort", 0, 1, 1, (a, b) -> step("abort (annotation)", Simulation::abort)),
      new Kind("retry", 0, 2, 1, (a, b) -> step("retry (annotation" + (a == 0
          ? ", abort removed)" : ", abort kept)"), s -> s.retry(a != 0))),
      new Kind("soak", 1, 2, 1, (a, b) -> {
        String soak = a == 0 ? "30s" : "0s";
        return step("promotion.soak " + soak, s -> s.setSoak(soak));
      }),
      new Kind("address", 1, 2, 1, (a, b) -> a == 0
          ? step("elasticIp.allocate true", Simulation::allocateAddress)
          : step("elasticIp.allocationId (the user's)", Simulation::useUserAddress)),
      new Kind("delete", 1, 1, 1, (a, b) -> step("delete", Simulation::delete)),
      new Kind("terminate", 4, ROLES.size(), 4, (a, b) -> step("terminate " + ROLES.get(a)
          + "#" + b, s -> s.terminateOutOfBand(ROLES.get(a), b))),
      new Kind("stop", 2, ROLES.size(), 4, (a, b) -> step("stop " + ROLES.get(a) + "#" + b,
          s -> s.stopOutOfBand(ROLES.get(a), b))),
      new Kind("terminateActive", 1, 1, 1, (a, b) -> step("terminate every active instance",
          Simulation::terminateActiveFleet)),
      new Kind("disassociate", 1, 1, 1, (a, b) -> step("disassociate the Elastic IP",
          Simulation::disassociateOutOfBand)),
      new Kind("move", 2, ROLES.size() + 1, 4, (a, b) -> a == ROLES.size()
          ? step("move the Elastic IP to a foreign instance",
              s -> s.moveAddressOutOfBand(Role.ANY, true, b))
          : step("move the Elastic IP to " + ROLES.get(a) + "#" + b,
              s -> s.moveAddressOutOfBand(ROLES.get(a), false, b))),
      new Kind("protect", 2, ROLES.size(), 4, (a, b) -> step("protect " + ROLES.get(a) + "#"
          + b, s -> s.protectOutOfBand(ROLES.get(a), b))),
      new Kind("impair", 1, ROLES.size(), 4, (a, b) -> step("impair " + ROLES.get(a) + "#"
          + b, s -> s.impairOutOfBand(ROLES.get(a), b))),
      new Kind("httpFleet", 4, FLEET_ROLES.size(), 2, (a, b) -> step("http "
          + FLEET_ROLES.get(a) + (b == 0 ? " fails" : " passes"),
          s -> s.setHttpHealthy(FLEET_ROLES.get(a), b != 0))),
      new Kind("httpInstance", 1, ROLES.size(), 8, (a, b) -> step("http " + ROLES.get(a)
          + "#" + b / 2 + (b % 2 == 0 ? " fails" : " passes"),
          s -> s.setHttpHealthy(ROLES.get(a), b / 2, b % 2 != 0))),
      new Kind("fault", 6, OPERATIONS.size(), FAULTS.size(), (a, b) -> step("next "
          + OPERATIONS.get(a) + ": " + FAULTS.get(b).describe(),
          s -> s.failNext(OPERATIONS.get(a), FAULTS.get(b)))),
      new Kind("loseStatus", 3, 1, 1, (a, b) -> step("lose the next status write",
          Simulation::loseNextStatusWrite)),
      new Kind("loseSwitchStatus", 2, 1, 1, (a, b) -> step("lose the status write after the "
          + "next switch", Simulation::loseStatusWriteOfNextSwitch)),
      new Kind("failIntent", 2, 1, 1, (a, b) -> step("fail the next status write before acting",
          Simulation::failNextIntentWrite)),
      new Kind("wipeStatus", 2, 1, 1, (a, b) -> step("wipe the status",
          Simulation::wipeStatus)),
      new Kind("crash", 3, 1, 1, (a, b) -> step("operator crash", Simulation::crash)),
      new Kind("lag", 1, 3, 1, (a, b) -> {
        Duration lag = Duration.ofSeconds(new int[] {2, 8, 0}[a]);
        return step("DescribeInstances lag " + Story.duration(lag),
            s -> s.setDescribeLag(lag));
      }),
      new Kind("capacity", 1, 2, 1, (a, b) -> step(a == 0 ? "capacity runs out"
          : "capacity is back", s -> s.setCapacity(a != 0))),
      new Kind("ami", 1, 2, 1, (a, b) -> step(a == 0 ? "AMI deregistered" : "AMI back",
          s -> s.setImageMissing(a == 0))));

  /** Which of a system's addresses an address step names: web#0 (primary), web#1, preview. */
  static final List<String> SYSTEM_ADDRESSES = List.of("web#0", "web#1", "preview");

  /**
   * The operator dies in the middle of a plan, right after its first or second next call of an
   * operation: between the AssociateAddress calls of a switch that moves several addresses,
   * between a heal and the termination it makes safe, after a launch.
   */
  static final Kind DIE_MID_PLAN = new Kind("dieMidPlan", 4, DYING_AFTER.size(), 2,
      (a, b) -> step("the operator dies right after its " + (b == 0 ? "" : "2nd ") + "next "
          + DYING_AFTER.get(a), s -> s.crashAfter(DYING_AFTER.get(a), b + 1)));

  /**
   * A version rolled out, and the operator dies in the switch that follows, right after its
   * first (the primary's) or second AssociateAddress; the next pass must finish the switch.
   */
  static final Kind ROLL_OUT_DYING = new Kind("rolloutDying", 3, Simulation.VERSIONS.size(), 2,
      (a, b) -> {
        String v = Simulation.VERSIONS.get((a + 1) % Simulation.VERSIONS.size());
        return step("roll out " + v + ", the operator dying in the switch right after its "
            + (b == 0 ? "first" : "second") + " AssociateAddress",
            s -> s.rollOutDyingInTheSwitch(v, b + 1));
      });

  /**
   * The catalog of a system: the same kinds, with the address steps of several addresses, and
   * deaths in the middle of a plan (of a switch in particular).
   */
  static final List<Kind> SYSTEM_KINDS = java.util.stream.Stream.concat(
      KINDS.stream().map(Steps::forSystem), java.util.stream.Stream.of(DIE_MID_PLAN,
          ROLL_OUT_DYING)).toList();

  /** A kind of the single-role catalog as a system has it. */
  private static Kind forSystem(Kind k) {
    return switch (k.name()) {
      case "address" -> new Kind("preview", 2, 2, 1, (a, b) -> step("spec.preview "
          + (a == 0 ? "named" : "none"), s -> s.setPreview(a == 0)));
      case "disassociate" -> new Kind("disassociate", k.weight(), SYSTEM_ADDRESSES.size(), 1,
          (a, b) -> step("disassociate " + SYSTEM_ADDRESSES.get(a),
              s -> s.disassociateOutOfBand(a)));
      case "move" -> new Kind("move", 3, ROLES.size() + 1, 8, (a, b) -> {
        int which = b / 4;
        int index = b % 4;
        return a == ROLES.size()
            ? step("move " + SYSTEM_ADDRESSES.get(which) + " to a foreign instance",
                s -> s.moveAddressOutOfBand(which, Role.ANY, true, index))
            : step("move " + SYSTEM_ADDRESSES.get(which) + " to " + ROLES.get(a) + "#" + index,
                s -> s.moveAddressOutOfBand(which, ROLES.get(a), false, index));
      });
      default -> k;
    };
  }

  private Steps() {}

  static Step step(String description, Consumer<Simulation> apply) {
    return new Step(null, 0, 0, description, apply);
  }

  static List<Kind> kinds(World world) {
    return world == World.SINGLE ? KINDS : SYSTEM_KINDS;
  }

  static int totalWeight(World world) {
    return kinds(world).stream().mapToInt(Kind::weight).sum();
  }

  /** A kind drawn by weight from a number in [0, totalWeight). */
  static Kind byWeight(World world, int n) {
    for (Kind k : kinds(world)) {
      if (n < k.weight()) {
        return k;
      }
      n -= k.weight();
    }
    throw new IllegalArgumentException("weight out of range");
  }
}
