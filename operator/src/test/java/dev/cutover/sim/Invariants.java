package dev.cutover.sim;

import dev.cutover.ec2.Ec2Failure;
import dev.cutover.api.DeletionPolicy;
import dev.cutover.api.Intent;
import dev.cutover.api.ReleaseSpec;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.ec2.Tags;
import dev.cutover.status.StatusBuilder;
import dev.cutover.sim.SimulatedEc2.Call;
import dev.cutover.sim.SimulatedEc2.SimAddress;
import dev.cutover.sim.SimulatedEc2.SimInstance;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;

/**
 * The safety invariants, checked after every step of a {@link Simulation} against ground truth:
 * the simulated EC2's state and its log of every call Cutover made. Each check has a letter and
 * a title ({@link SafetyViolation#TITLES}); a broken one throws {@link SafetyViolation} with the
 * story so far. Which checks run can be narrowed with {@code -Dcutover.sim.invariants=a,b} (to
 * look for the shortest story of one of them), never widened past all of them.
 */
final class Invariants {

  /** Codes the gateway retries (throttling, 5xx, network): not refusals. */
  private static final Set<String> RETRYABLE = Set.of("RequestLimitExceeded", "Throttling",
      "ThrottlingException", "RequestThrottled", "InternalError", "ServiceUnavailable",
      "Unavailable", "InsufficientInstanceCapacity", "LostResponse");

  private static final Set<String> ALL = Set.of("a", "b", "c", "d", "e", "f", "g", "h", "i",
      "x");

  /** A switch as EC2 saw it: the Elastic IP moved from one fleet of the Release to another. */
  record Switch(String from, String to, Instant at, Duration ttl, String reason) {}

  /** A refused (terminal) EC2 call and when the status says it is tried again. */
  private static final class Refusal {
    final String operation;
    final Set<String> subject;
    final String code;
    final Instant at;
    Instant retryAt;
    int early;

    Refusal(String operation, Set<String> subject, String code, Instant at) {
      this.operation = operation;
      this.subject = subject;
      this.code = code;
      this.at = at;
    }
  }

  private final Simulation sim;
  private final Set<String> enabled;
  private final List<Refusal> refusals = new ArrayList<>();
  private final Map<String, String> addressOwner = new HashMap<>();
  private int maxFleetSize;
  private String servingFleet;
  private Switch latestSwitch;
  private Instant outsideSince;
  private int outsideMark;
  private Duration outsideLag = Duration.ZERO;
  private Instant lastPollAt;
  private int lastPollSeq = -1;

  Invariants(Simulation sim) {
    this.sim = sim;
    String only = System.getProperty("cutover.sim.invariants", "");
    this.enabled = only.isBlank() ? ALL : Arrays.stream(only.split(",")).map(String::trim)
        .filter(ALL::contains).collect(Collectors.toSet());
    this.maxFleetSize = sim.api.spec().fleetSize;
  }

  String servingFleet() {
    return servingFleet;
  }

  String retainedFleet() {
    return latestSwitch == null ? null : latestSwitch.from();
  }

  Switch latestSwitch() {
    return latestSwitch;
  }

  // ------------------------------------------------------------------ events from the harness

  void specChanged() {
    if (!sim.api.gone()) {
      maxFleetSize = Math.max(maxFleetSize, sim.api.spec().fleetSize);
    }
    // "Not tried again until the spec changes": a new generation may try at once.
    refusals.clear();
  }

  void statusLost() {
    refusals.clear();
  }

  /**
   * A person moved production to another fleet of the Release: Cutover takes that as a switch
   * (the fleet that served is the one kept for switching back), so the ledger does too.
   */
  void movedByHand(String fromInstance, String toInstance) {
    String from = Optional.ofNullable(fromInstance).flatMap(sim.ec2::instance)
        .filter(Simulation::owned).map(i -> i.tag(Tags.FLEET)).orElse(null);
    String to = sim.ec2.instance(toInstance).map(i -> i.tag(Tags.FLEET)).orElse(null);
    if (from != null && to != null && !from.equals(to)) {
      Duration ttl = Story.parse(sim.api.spec().retention.previousFleetTTL,
          Duration.ofHours(2));
      latestSwitch = new Switch(from, to, sim.clock.instant(), ttl, "MovedByHand");
      servingFleet = to;
    }
  }

  void outsideEvent() {
    outsideSince = sim.clock.instant();
    outsideMark = sim.ec2.calls().size();
    outsideLag = sim.ec2.settings().describeLag;
  }

  // ------------------------------------------------------------------ after each step

  void afterStep() {
    Instant now = sim.clock.instant();
    refusals.removeIf(r -> r.retryAt != null && !now.isBefore(r.retryAt));
    launchesBounded();
    oneAddressAtMost();
    foreignUntouched();
  }

  /** d: no fleet ever has more live instances than the largest fleetSize the spec had. */
  private void launchesBounded() {
    Map<String, List<SimInstance>> live = new HashMap<>();
    for (SimInstance i : sim.owned()) {
      if (i.alive()) {
        live.computeIfAbsent(i.tag(Tags.FLEET), k -> new ArrayList<>()).add(i);
      }
    }
    live.forEach((fleet, instances) -> {
      if (instances.size() > maxFleetSize) {
        long launched = sim.owned().stream().filter(i -> fleet.equals(i.tag(Tags.FLEET)))
            .count();
        fail("d", "fleet " + sim.fleetLabel(fleet) + " has " + instances.size()
            + " live instances " + labels(instances) + " (launched " + launched + ", died "
            + (launched - instances.size()) + "), but fleetSize was never above "
            + maxFleetSize + ".");
      }
    });
  }

  /** i: an allocated address is never allocated twice. */
  private void oneAddressAtMost() {
    List<SimAddress> mine = sim.ownedAddresses();
    if (mine.size() > 1) {
      fail("i", "the Release owns " + mine.size() + " Elastic IPs: "
          + mine.stream().map(SimAddress::allocationId).toList() + ".");
    }
  }

  /** f: foreign instances and the user's address are never harmed. */
  private void foreignUntouched() {
    for (String id : sim.foreignInstances) {
      SimInstance i = sim.ec2.instance(id).orElseThrow();
      if (!i.alive()) {
        fail("f", "foreign instance " + id + " " + i.tags() + " is " + i.state() + ".");
      }
    }
    if (sim.ec2.address(Simulation.USER_EIP).isEmpty()) {
      fail("f", "the user's Elastic IP " + Simulation.USER_EIP + " was released.");
    }
    if (sim.ec2.address(Simulation.FOREIGN_EIP).isEmpty()) {
      fail("f", "another Release's Elastic IP " + Simulation.FOREIGN_EIP + " was released.");
    }
  }

  // ------------------------------------------------------------------ calls

  /** Calls made outside a reconcile (the background poll): reads only. */
  void afterCalls(List<Call> calls) {
    for (Call c : calls) {
      if (c.operation().equals("DescribeAddresses") && c.ok()) {
        lastPollAt = c.at();
        lastPollSeq = c.seq();
      }
    }
  }

  void afterReconcile(Simulation.Reconciled r) {
    ReleaseSpec spec = r.seen().getSpec();
    boolean deleting = r.seen().isMarkedForDeletion();
    boolean paused = Boolean.TRUE.equals(spec.paused);
    if (r.thrown() != null && !(r.thrown() instanceof Ec2Failure)) {
      fail("x", "the pass threw " + r.thrown() + stackTop(r.thrown()));
    }
    sim.ec2.addresses().forEach(a -> addressOwner.put(a.allocationId(), allocatedFor(a)));
    List<Refusal> fresh = new ArrayList<>();
    for (Call c : r.calls()) {
      if (c.operation().equals("DescribeAddresses") && c.ok()) {
        lastPollAt = c.at();
        lastPollSeq = c.seq();
      }
      if (!c.mutating()) {
        continue;
      }
      if (c.operation().equals("AllocateAddress")) {
        sim.ec2.addresses().forEach(a -> addressOwner.put(a.allocationId(), allocatedFor(a)));
      }
      if (paused && !deleting) {
        fail("f", "spec.paused is true, yet the pass called " + sim.describeCall(c) + ".");
      }
      ownership(c, spec);
      servingInstanceKept(c, spec, deleting);
      retainedFleetKept(c, spec, deleting);
      trackSwitch(c, spec, r);
      fresh.addAll(refusals(c));
    }
    if (!fresh.isEmpty()) {
      recordRetryTimes(fresh, r);
    }
    if (deleting && sim.api.gone()) {
      deletionLeftNothing(spec);
    }
    if (!deleting && !sim.api.gone()) {
      if (outsideSince != null && r.clean() && !paused && lastPollSeq >= outsideMark
          && !lastPollAt.isBefore(outsideSince.plus(outsideLag)) && !healBackingOff()) {
        // One poll that shows the outside change, and one clean reconcile after it.
        outsideSince = null;
      }
      if (outsideSince == null) {
        addressOnLiveInstance();
      }
    }
  }

  /** A failed AssociateAddress waits for its retry time: the heal is on its way. */
  private boolean healBackingOff() {
    ReleaseStatus status = sim.status();
    return status != null && status.errors != null && status.errors.stream()
        .anyMatch(e -> "AssociateAddress".equals(e.operation) && e.retryAt != null
            && sim.clock.instant().isBefore(Instant.parse(e.retryAt)));
  }

  /** f: only instances and addresses whose tags prove they are the Release's. */
  private void ownership(Call c, ReleaseSpec spec) {
    switch (c.operation()) {
      case "TerminateInstances" -> {
        for (String id : c.instanceIds()) {
          Optional<SimInstance> i = sim.ec2.instance(id);
          if (i.isEmpty() || !Simulation.owned(i.get())) {
            fail("f", "TerminateInstances named " + sim.label(id) + ", which is not tagged as "
                + "this Release's " + i.map(SimInstance::tags).orElse(Map.of()) + ".");
          }
        }
      }
      case "AssociateAddress" -> {
        String id = c.instanceIds().isEmpty() ? null : c.instanceIds().get(0);
        Optional<SimInstance> i = Optional.ofNullable(id).flatMap(sim.ec2::instance);
        if (i.isEmpty() || !Simulation.owned(i.get())) {
          fail("f", "AssociateAddress pointed the Elastic IP at " + sim.label(id)
              + ", which is not this Release's.");
        }
        String allocation = c.allocationIds().isEmpty() ? null : c.allocationIds().get(0);
        boolean allowed = spec.elasticIp.allocationId != null
            ? spec.elasticIp.allocationId.equals(allocation)
            : Simulation.UID.equals(addressOwner.get(allocation));
        if (!allowed) {
          fail("f", "AssociateAddress moved " + allocation + ", which the spec does not name "
              + "(" + (spec.elasticIp.allocationId == null ? "allocate: true"
                  : spec.elasticIp.allocationId) + ").");
        }
      }
      case "CreateTags", "DeleteTags" -> {
        for (String allocation : c.allocationIds()) {
          if (allocation.equals(Simulation.FOREIGN_EIP)) {
            fail("f", c.operation() + " touched " + allocation + ", another Release's address.");
          }
        }
      }
      case "DisassociateAddress", "ReleaseAddress" -> {
        for (String allocation : c.allocationIds()) {
          if (!Simulation.UID.equals(addressOwner.get(allocation))) {
            fail("f", c.operation() + " touched " + allocation + ", which Cutover did not "
                + "allocate for this Release.");
          }
        }
      }
      default -> { }
    }
  }

  /**
   * a: the instance the Elastic IP points at is never terminated while it runs (unless the
   * address moved there from outside and no poll has shown it yet).
   */
  private void servingInstanceKept(Call c, ReleaseSpec spec, boolean deleting) {
    if (deleting || !c.operation().equals("TerminateInstances") || outsideSince != null) {
      return;
    }
    String allocation = specAllocation(spec);
    String holder = allocation == null ? null : c.holdersBefore().get(allocation);
    if (holder != null && c.changed().contains(holder)
        && c.statesBefore().get(holder) == InstanceStateName.RUNNING) {
      fail("a", "TerminateInstances terminated " + sim.label(holder) + ", the running "
          + "instance the Elastic IP pointed at (production).");
    }
  }

  private static boolean aliveAt(SimulatedEc2.SimInstance i, Instant at) {
    InstanceStateName state = null;
    for (SimulatedEc2.Change change : i.history()) {
      // A change at the very instant of the poll came after it in the story.
      if (change.at().isBefore(at)) {
        state = change.state();
      }
    }
    return state != null && alive(state);
  }

  /** b: the fleet that served before the latest switch lives until the switch + its TTL. */
  private void retainedFleetKept(Call c, ReleaseSpec spec, boolean deleting) {
    if (deleting || latestSwitch == null || !c.operation().equals("TerminateInstances")
        || !c.at().isBefore(latestSwitch.at().plus(latestSwitch.ttl()))) {
      return;
    }
    if (outsideSince != null && "MovedByHand".equals(latestSwitch.reason())) {
      return; // the move is not yet seen by a poll: Cutover acts on what it last saw
    }
    String fleet = latestSwitch.from();
    boolean servesAgain = c.holdersBefore().values().stream().anyMatch(holder -> holder != null
        && sim.ec2.instance(holder).map(i -> fleet.equals(i.tag(Tags.FLEET))).orElse(false));
    if (servesAgain) {
      return; // it is production again (a person moved the address back): fleetSize rules
    }
    // The instances that served: a fleet id relaunched after the switch is a new attempt.
    List<String> members = c.statesBefore().keySet().stream()
        .filter(id -> sim.ec2.instance(id).map(i -> Simulation.owned(i)
            && fleet.equals(i.tag(Tags.FLEET))
            && i.launchTime().isBefore(latestSwitch.at())).orElse(false)).toList();
    long aliveBefore = members.stream().filter(id -> alive(c.statesBefore().get(id))).count();
    List<String> killed = c.changed().stream().filter(members::contains)
        .filter(id -> alive(c.statesBefore().get(id))).toList();
    if (killed.isEmpty()) {
      return;
    }
    int keep = spec.retention.previousFleetSize == null ? 0 : spec.retention.previousFleetSize;
    if (keep > 0 && aliveBefore - killed.size() >= keep) {
      return; // scaled down to retention.previousFleetSize
    }
    // A scale-down decided on the last poll, raced by an instance that died out of band after
    // it: the policy kept previousFleetSize of what it could see.
    Instant poll = sim.lastPollAt();
    long aliveAtPoll = sim.ec2.instances().stream()
        .filter(i -> Simulation.owned(i) && fleet.equals(i.tag(Tags.FLEET)))
        .filter(i -> aliveAt(i, poll)).count();
    if (keep > 0 && aliveAtPoll - killed.size() >= keep) {
      return;
    }
    fail("b", "TerminateInstances terminated " + killed.stream().map(sim::label).toList()
        + " of " + sim.fleetLabel(fleet) + ", the fleet that served until the switch to "
        + sim.fleetLabel(latestSwitch.to()) + " (" + latestSwitch.reason() + ") at t="
        + sim.story.at(latestSwitch.at()) + "; it must be kept until t="
        + sim.story.at(latestSwitch.at().plus(latestSwitch.ttl())) + " ("
        + aliveBefore + " live before, previousFleetSize " + keep + ").");
  }

  /**
   * Ground truth: the latest switch between two fleets. It starts from the fleet the address
   * really pointed at just before the call (a person may have moved it), else from the last
   * fleet Cutover pointed it at. A heal (back onto the active fleet) is no switch; a revert
   * leaves no fleet to protect.
   */
  private void trackSwitch(Call c, ReleaseSpec spec, Simulation.Reconciled r) {
    if (!c.operation().equals("AssociateAddress") || c.changed().isEmpty()) {
      return;
    }
    String allocation = c.allocationIds().get(0);
    if (!Objects.equals(allocation, specAllocation(spec))) {
      return;
    }
    String fleet = sim.ec2.instance(c.changed().get(0)).map(i -> i.tag(Tags.FLEET))
        .orElse(null);
    String holder = c.holdersBefore().get(allocation);
    String from = Optional.ofNullable(holder).flatMap(sim.ec2::instance)
        .filter(Simulation::owned).map(i -> i.tag(Tags.FLEET)).orElse(servingFleet);
    servingFleet = fleet;
    if (fleet == null || fleet.equals(from)) {
      return;
    }
    String reason = reasonOf(fleet, spec, r);
    if (reason.equals("Healed")) {
      sim.story.note("ground truth: the Elastic IP is back on " + sim.fleetLabel(fleet)
          + " (Healed)");
      return;
    }
    if (reason.startsWith("Reverted")) {
      latestSwitch = null;
      sim.story.note("ground truth: the Elastic IP moved " + (from == null ? "" : "from "
          + sim.fleetLabel(from) + " ") + "back to " + sim.fleetLabel(fleet) + " ("
          + reason + ")");
      return;
    }
    if (from == null) {
      sim.story.note("ground truth: " + sim.fleetLabel(fleet) + " serves (" + reason + ")");
      return;
    }
    Duration ttl = Story.parse(spec.retention.previousFleetTTL, Duration.ofHours(2));
    latestSwitch = new Switch(from, fleet, c.at(), ttl, reason);
    sim.story.note("ground truth: switch " + sim.fleetLabel(from) + " → "
        + sim.fleetLabel(fleet) + " (" + reason + "); " + sim.fleetLabel(from)
        + " must live until t=" + sim.story.at(c.at().plus(ttl)));
  }

  /** Why the address moved: the intent recorded first, else the Event, else the versions. */
  private String reasonOf(String fleet, ReleaseSpec spec, Simulation.Reconciled r) {
    for (ReleaseStatus written : r.writtenFirst()) {
      Intent intent = written.intent;
      if (intent != null && intent.kind == Intent.Kind.Switch && fleet.equals(intent.toFleet)
          && intent.reason != null) {
        return intent.reason;
      }
    }
    List<String> reasons = r.events().stream().map(RecordingEvents.Event::reason)
        .filter(Set.of("Promoted", "SwitchedBack", "Reverted", "Healed")::contains).toList();
    if (reasons.size() == 1) {
      return reasons.get(0);
    }
    String version = sim.versionOfFleet.get(fleet);
    return spec.version.equals(version) ? "Promoted?" : "Reverted?";
  }

  /** g: refused calls, and calls that repeat a refused one before its retry time. */
  private List<Refusal> refusals(Call c) {
    Set<String> subject = subject(c);
    for (Refusal earlier : refusals) {
      if (earlier.operation.equals(c.operation()) && earlier.retryAt != null
          && c.at().isBefore(earlier.retryAt) && overlaps(earlier.subject, subject)) {
        earlier.early++;
        fail("g", c.operation() + " " + subject + " was refused with " + earlier.code
            + " at t=" + sim.story.at(earlier.at) + " and status said not before t="
            + sim.story.at(earlier.retryAt) + ", yet it was called again at t="
            + sim.story.at(c.at()) + " (" + c.outcome() + ").");
      }
    }
    if (c.ok() || RETRYABLE.contains(c.outcome())) {
      return List.of();
    }
    Refusal refusal = new Refusal(c.operation(), subject, c.outcome(), c.at());
    return List.of(refusal);
  }

  private void recordRetryTimes(List<Refusal> fresh, Simulation.Reconciled r) {
    if (r.result() == null) {
      return;
    }
    boolean lost = r.result().changed() && !r.statusWritten() && !sim.api.gone();
    if (lost) {
      return; // The status that would say when to try again never arrived.
    }
    ReleaseStatus status = r.result().status();
    var e = status == null || status.errors == null || status.errors.isEmpty() ? null
        : status.errors.get(status.errors.size() - 1);
    Refusal last = fresh.get(fresh.size() - 1);
    if (e == null || e.attempts == null || e.attempts < 1 || e.retryAt == null) {
      fail("g", last.operation + " was refused with " + last.code + ", but the status "
          + "written after it has no lastError with attempts and retryAt: " + (e == null
              ? "no lastError" : "lastError " + e.action + " attempts " + e.attempts
                  + " retryAt " + e.retryAt) + ".");
    }
    Instant retryAt = Instant.parse(e.retryAt);
    if (!retryAt.isAfter(sim.clock.instant())) {
      fail("g", last.operation + " was refused with " + last.code + " and lastError.retryAt "
          + "is not in the future (" + e.retryAt + ").");
    }
    for (Refusal f : fresh) {
      f.retryAt = retryAt;
      refusals.add(f);
    }
  }

  private Set<String> subject(Call c) {
    return switch (c.operation()) {
      // EC2 refuses a whole TerminateInstances for a protected instance: the refusal is about
      // the protected ones; the others may go in a call of their own at once.
      case "TerminateInstances" -> "OperationNotPermitted".equals(c.outcome())
          ? c.instanceIds().stream().filter(id -> sim.ec2.instance(id)
              .map(SimulatedEc2.SimInstance::terminationProtected).orElse(false))
              .collect(java.util.stream.Collectors.toCollection(LinkedHashSet::new))
          : new LinkedHashSet<>(c.instanceIds());
      case "AssociateAddress" -> new LinkedHashSet<>(c.instanceIds());
      case "RunInstances" -> Set.of(c.detail().split(" ")[0]);
      case "AllocateAddress" -> Set.of("address");
      default -> new LinkedHashSet<>(c.allocationIds());
    };
  }

  private static boolean overlaps(Set<String> a, Set<String> b) {
    return a.stream().anyMatch(b::contains);
  }

  /** h: Delete terminates every instance and releases an address Cutover allocated. */
  private void deletionLeftNothing(ReleaseSpec spec) {
    if (spec.deletionPolicy == DeletionPolicy.Retain) {
      return;
    }
    List<SimInstance> left = sim.owned().stream().filter(i -> !Simulation.gone(i)).toList();
    if (!left.isEmpty()) {
      fail("h", "the finalizer was removed while " + labels(left) + " still "
          + (left.size() == 1 ? "is" : "are") + " not terminated.");
    }
    if (!sim.ownedAddresses().isEmpty()) {
      fail("h", "the finalizer was removed while the Elastic IP Cutover allocated ("
          + sim.ownedAddresses().get(0).allocationId() + ") still exists.");
    }
  }

  /**
   * a: once a poll has shown an outside change and a reconcile ran cleanly after it, the
   * Elastic IP is on a live instance of the Release, unless there is nothing to restore it to:
   * no running instance (visible to that poll) of the fleet that held it or of the fleet the
   * status calls active.
   */
  private void addressOnLiveInstance() {
    Optional<SimAddress> address = sim.specAddress();
    if (address.isEmpty() || address.get().instanceId() == null) {
      return;
    }
    SimInstance holder = sim.ec2.instance(address.get().instanceId()).orElseThrow();
    boolean mine = Simulation.owned(holder);
    if (mine && holder.alive()) {
      return;
    }
    if (!mine && holder.alive() && !spec(sim).elasticIp.takesOver()) {
      return; // moved by a person to an instance Cutover does not own: reported, not fought (c)
    }
    ReleaseStatus status = sim.status();
    Set<String> fleets = new HashSet<>();
    if (mine) {
      fleets.add(holder.tag(Tags.FLEET));
    }
    if (status != null && status.activeFleet != null) {
      fleets.add(status.activeFleet.id);
    }
    List<SimInstance> better = sim.owned().stream()
        .filter(i -> fleets.contains(i.tag(Tags.FLEET)))
        .filter(i -> i.state() == InstanceStateName.RUNNING && lastPollAt != null
            && i.visibleStateAt(lastPollAt) == InstanceStateName.RUNNING).toList();
    if (!better.isEmpty()) {
      fail("a", "after a poll and a clean reconcile the Elastic IP still points at "
          + sim.label(holder.id()) + " (" + holder.state() + (mine ? "" : ", not the Release's")
          + ") although " + labels(better) + " of the active fleet run"
          + (better.size() == 1 ? "s" : "") + ".");
    }
  }

  // ------------------------------------------------------------------ convergence

  /** c: once nothing changes any more. */
  void converged() {
    if (sim.api.gone() || sim.api.deleting()
        || Boolean.TRUE.equals(sim.api.spec().paused)) {
      return;
    }
    ReleaseStatus status = sim.status();
    Set<String> roles = new LinkedHashSet<>();
    if (status != null) {
      if (status.activeFleet != null) {
        roles.add(status.activeFleet.id);
      }
      if (status.previousFleet != null) {
        roles.add(status.previousFleet.id);
      }
      if (status.stagingFleet != null) {
        roles.add(status.stagingFleet.id);
      }
      if (status.heldFleets != null) {
        status.heldFleets.forEach(h -> roles.add(h.id));
      }
    }
    List<SimInstance> stray = sim.owned().stream().filter(i -> !Simulation.gone(i))
        .filter(i -> !i.terminationProtected())
        .filter(i -> !roles.contains(i.tag(Tags.FLEET))).toList();
    if (!stray.isEmpty()) {
      fail("c", "converged, yet " + stray.stream().map(i -> sim.label(i.id()) + " "
          + i.state()).toList() + " belong" + (stray.size() == 1 ? "s" : "")
          + " to no fleet the status names (" + roles.stream().map(sim::fleetLabel).toList()
          + ").");
    }
    Map<String, List<SimInstance>> bySlot = new HashMap<>();
    for (SimInstance i : sim.owned()) {
      if (i.alive()) {
        bySlot.computeIfAbsent(i.tag(Tags.FLEET) + "/" + Simulation.slot(i),
            k -> new ArrayList<>()).add(i);
      }
    }
    bySlot.forEach((slot, instances) -> {
      if (instances.size() > 1) {
        fail("c", "converged, yet slot " + Simulation.slot(instances.get(0)) + " of "
            + sim.fleetLabel(instances.get(0).tag(Tags.FLEET)) + " has "
            + instances.size() + " live instances " + labels(instances) + ".");
      }
    });
    Optional<SimAddress> address = sim.specAddress();
    if (address.isPresent() && status != null && status.activeFleet != null) {
      String active = status.activeFleet.id;
      List<SimInstance> running = sim.owned().stream()
          .filter(i -> active.equals(i.tag(Tags.FLEET))
              && i.state() == InstanceStateName.RUNNING).toList();
      String holder = address.get().instanceId();
      boolean movedByHand = holder != null && !spec(sim).elasticIp.takesOver()
          && sim.ec2.instance(holder).filter(i -> !Simulation.owned(i) && i.alive()).isPresent();
      var ready = StatusBuilder.find(status, StatusBuilder.READY);
      if (movedByHand && !Boolean.TRUE.equals(spec(sim).paused) && (ready == null
          || !Set.of("ElasticIpMovedOutOfBand", "ElasticIpInUse").contains(ready.getReason())
          && !String.valueOf(ready.getMessage()).contains("moved outside Cutover"))) {
        fail("c", "converged with the Elastic IP on " + sim.label(holder) + ", not the "
            + "Release's, and status does not report it (Ready reason " + (ready == null
                ? "none" : ready.getReason()) + ").");
      }
      if (!running.isEmpty() && !movedByHand
          && running.stream().noneMatch(i -> i.id().equals(holder))) {
        fail("c", "converged with the Elastic IP on " + (holder == null ? "nothing"
            : sim.label(holder)) + ", not on a running instance of the active fleet "
            + sim.fleetLabel(active) + " " + labels(running) + ".");
      }
    }
  }

  /** e: the pass kept changing EC2 with nothing happening outside. */
  void notConverged(int rounds, List<String> churn) {
    fail("e", "still changing EC2 after " + rounds + " reconciles without outside events; "
        + "the last changes: " + churn.subList(Math.max(0, churn.size() - 6), churn.size())
        + ".");
  }

  // ------------------------------------------------------------------ helpers

  private static ReleaseSpec spec(Simulation sim) {
    return sim.api.spec();
  }

  /** The Release an address was allocated for (a claim on a user's address does not count). */
  private static String allocatedFor(SimAddress a) {
    return a.tags().containsKey(Tags.CLAIMED) ? null : a.tags().get(Tags.RELEASE_UID);
  }

  private String specAllocation(ReleaseSpec spec) {
    if (spec.elasticIp.allocationId != null) {
      return spec.elasticIp.allocationId;
    }
    return addressOwner.entrySet().stream()
        .filter(e -> Simulation.UID.equals(e.getValue())).map(Map.Entry::getKey)
        .filter(id -> sim.ec2.address(id).isPresent()).findFirst().orElse(null);
  }

  private static boolean alive(InstanceStateName s) {
    return s == InstanceStateName.PENDING || s == InstanceStateName.RUNNING;
  }

  private String labels(List<SimInstance> instances) {
    return instances.stream().map(i -> sim.label(i.id())).toList().toString();
  }

  private static String stackTop(Throwable t) {
    StackTraceElement[] trace = t.getStackTrace();
    return trace.length == 0 ? "" : " at " + trace[0];
  }

  private void fail(String invariant, String detail) {
    if (enabled.contains(invariant)) {
      throw new SafetyViolation(invariant, sim.story.at(sim.clock.instant()), detail,
          sim.story);
    }
  }
}
