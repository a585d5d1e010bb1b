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
 *
 * <p>A system of roles has several production addresses (the primary, the first address of the
 * first role with addresses, decides which fleet is production) and maybe a preview address.
 * The checks about "the Elastic IP" hold for each production address: a (on a live instance of
 * its role once a poll and a clean pass saw the change, and its running instance never
 * terminated), c (once converged, on a running instance of its role in the active fleet, the
 * primary's, and address i on slot i of its role when that runs), f (only the addresses the
 * spec names are moved). d bounds each role by its own size; b keeps previousFleetSize per
 * role. Two are new with several addresses, because AWS gives an instance one Elastic IP
 * (associating another takes the one it has off): k, an address never takes an address before
 * it in switch order off its instance; j, the preview address goes only to the staging fleet
 * and never takes a production address off.
 */
final class Invariants {

  /** Codes the gateway retries (throttling, 5xx, network): not refusals. */
  private static final Set<String> RETRYABLE = Set.of("RequestLimitExceeded", "Throttling",
      "ThrottlingException", "RequestThrottled", "InternalError", "ServiceUnavailable",
      "Unavailable", "InsufficientInstanceCapacity", "LostResponse");

  private static final Set<String> ALL = Set.of("a", "b", "c", "d", "e", "f", "g", "h", "i",
      "j", "k", "l", "m", "n", "o", "p", "x");

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
  /** The largest size each role ever had in the spec ("" is the single form's). */
  private final Map<String, Integer> maxRoleSize = new HashMap<>();
  /**
   * Addresses a person moved, with the call-log position at the time: until a poll after it,
   * Cutover cannot know the address is on that instance.
   */
  private final Map<String, Integer> movedOutsideAt = new HashMap<>();
  /** Fleets a person pointed production at: Cutover serves them as production from then on. */
  private final Set<String> servedByHand = new java.util.HashSet<>();
  /** What the history went through, as the checks noted it (see {@link KnownDefect}). */
  private final Set<String> conditions = new LinkedHashSet<>();
  private String servingFleet;
  /** When the last pass that did not die ended. */
  private Instant lastPassCompletedAt;
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
    recordRoleSizes();
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
      recordRoleSizes();
    }
    // "Not tried again until the spec changes": a new generation may try at once.
    refusals.clear();
  }

  void statusLost() {
    successWritten.clear();
    refusals.clear();
    // That a fleet failed and is kept went with the status: from here Cutover treats it as
    // any fleet found without status (held as RoleUnknown, and if the spec names it, verified
    // again and switched to once it passes every gate). m cannot hold across that loss.
    keptForDebugging.clear();
  }

  /**
   * A person moved production to another fleet of the Release: Cutover takes that as a switch
   * (the fleet that served is the one kept for switching back), so the ledger does too; unless
   * no pass of Cutover completed since that fleet began to serve (a switch whose process died
   * right after it, undone by hand before Cutover looked again): Cutover cannot know that fleet
   * served, and the switch before stays the latest.
   */
  void movedByHand(String fromInstance, String toInstance) {
    String from = Optional.ofNullable(fromInstance).flatMap(sim.ec2::instance)
        .filter(Simulation::owned).map(i -> i.tag(Tags.FLEET)).orElse(null);
    String to = sim.ec2.instance(toInstance).map(i -> i.tag(Tags.FLEET)).orElse(null);
    if (to != null) {
      servedByHand.add(to);
    }
    boolean unseen = latestSwitch != null && latestSwitch.to().equals(from)
        && (lastPassCompletedAt == null || !lastPassCompletedAt.isAfter(latestSwitch.at()));
    if (unseen) {
      sim.story.note("ground truth: production is back on " + sim.fleetLabel(to) + " before "
          + "any pass saw it on " + sim.fleetLabel(from));
      servingFleet = to;
      return;
    }
    if (from != null && to != null && !from.equals(to)) {
      Duration ttl = Story.parse(sim.api.spec().retention.previousFleetTTL,
          Duration.ofHours(2));
      latestSwitch = new Switch(from, to, sim.clock.instant(), ttl, "MovedByHand");
      servingFleet = to;
    }
  }

  private void recordRoleSizes() {
    sim.api.spec().layout().forEach(r -> maxRoleSize.merge(r.name(), r.size(), Math::max));
  }

  /** A person pointed a production address at this instance: its fleet serves by hand. */
  void productionPointedAt(String instanceId) {
    Optional.ofNullable(fleetOf(instanceId)).ifPresent(servedByHand::add);
  }

  /** A person pointed one of the Release's addresses at another instance. */
  void addressMovedOutside(String allocationId) {
    movedOutsideAt.put(allocationId, sim.ec2.calls().size());
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

  /**
   * d: no fleet ever has more live instances of a role than the largest size the spec gave
   * that role (fleetSize, for the single form).
   */
  private void launchesBounded() {
    Map<String, List<SimInstance>> live = new HashMap<>();
    for (SimInstance i : sim.owned()) {
      if (i.alive()) {
        live.computeIfAbsent(i.tag(Tags.FLEET) + "/" + Simulation.role(i),
            k -> new ArrayList<>()).add(i);
      }
    }
    live.forEach((key, instances) -> {
      String fleet = instances.get(0).tag(Tags.FLEET);
      String role = Simulation.role(instances.get(0));
      int max = maxRoleSize.getOrDefault(role, 0);
      if (instances.size() > max) {
        long launched = sim.owned().stream().filter(i -> fleet.equals(i.tag(Tags.FLEET))
            && role.equals(Simulation.role(i))).count();
        fail("d", "fleet " + sim.fleetLabel(fleet) + " has " + instances.size()
            + " live instances " + (role.isEmpty() ? "" : "of role " + role + " ")
            + labels(instances) + " (launched " + launched + ", died "
            + (launched - instances.size()) + "), but "
            + (role.isEmpty() ? "fleetSize" : "the size of " + role) + " was never above "
            + max + ".");
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
    for (String user : sim.userAddresses) {
      if (sim.ec2.address(user).isEmpty()) {
        fail("f", "the user's Elastic IP " + user + " was released.");
      }
    }
    if (sim.ec2.address(Simulation.FOREIGN_EIP).isEmpty()) {
      fail("f", "another Release's Elastic IP " + Simulation.FOREIGN_EIP + " was released.");
    }
  }

  // ------------------------------------------------------------------ drains

  /** Drain calls of the pass in progress that reached a production address's instance. */
  private final List<String> drainedHolders = new ArrayList<>();

  /**
   * l: a drain call reaches an instance (told by the simulated instances as the call
   * arrives): no production address may point at it, unless a person put the address there
   * after the last poll Cutover could have seen. Reported once the pass is over.
   */
  void drainCalled(String instanceId) {
    if (sim.api.gone() || outsideSince != null) {
      return;
    }
    for (Simulation.ProductionAddress p : productionOf(sim.api.spec())) {
      sim.ec2.address(p.allocationId()).filter(a -> instanceId.equals(a.instanceId()))
          .ifPresent(a -> drainedHolders.add(sim.label(instanceId) + ", which production "
              + "address " + sim.addressLabel(p.allocationId()) + " points at"));
    }
  }

  /**
   * m: a webhook call for an event whose success the stored status already records. A call is
   * repeated only after it failed, or when its answer never reached status (a crash between
   * the call and the write, a lost write); the receiver deduplicates those by the key.
   */
  void hookCalled(dev.cutover.decide.Action.CallHook hook) {
    if (successWritten.contains(hook.idempotencyKey())) {
      fail("n", "the " + hook.event() + " hook of fleet " + hook.fleetId() + " was called "
          + "again (attempt " + hook.attempt() + ") although a call answered 2xx before, in a "
          + "pass whose status was written, and no status was lost since.");
    }
    if (sim.api.gone() || sim.api.status() == null || sim.api.status().hooks == null) {
      return;
    }
    sim.api.status().hooks.stream()
        .filter(h -> hook.idempotencyKey().equals(h.idempotencyKey) && h.succeeded())
        .findFirst().ifPresent(h -> fail("n", "the " + hook.event() + " hook of fleet "
            + hook.fleetId() + " was called again (attempt " + hook.attempt() + ") although "
            + "status records its success at " + h.at + "."));
  }

  // ------------------------------------------------------------------ abort

  /**
   * The fleet an abort gives up in this pass, or null: the Release read carries
   * cutover.dev/abort naming its generation, no retry (in this pass or before, at this
   * generation) set the abort aside, and the spec's fleet is neither the one production is on
   * nor the one that served before the latest switch (within its TTL), by ground truth, nor
   * one the status read names as active or retained.
   */
  private String abortInForce(Simulation.Reconciled r, ReleaseSpec spec, String served,
      String retained) {
    var seen = r.seen();
    var annotations = seen.getMetadata().getAnnotations();
    String value = annotations == null ? null
        : annotations.get(dev.cutover.api.Release.ABORT_ANNOTATION);
    Long generation = seen.getMetadata().getGeneration();
    if (seen.isMarkedForDeletion() || value == null
        || !value.equals(String.valueOf(generation))) {
      return null;
    }
    var before = seen.getStatus() == null ? null : seen.getStatus().lastRetry;
    var after = r.result() == null ? before : r.result().status().lastRetry;
    for (var retry : java.util.Arrays.asList(before, after)) {
      if (retry != null && Boolean.TRUE.equals(retry.abortIgnored)
          && Objects.equals(retry.generation, generation)) {
        return null;
      }
    }
    String token = annotations.get(dev.cutover.api.Release.RETRY_ANNOTATION);
    var failed = seen.getStatus() == null ? null : seen.getStatus().lastFailure;
    if (token != null && (before == null || !token.equals(before.token))
        && (failed == null || !token.equals(failed.retryTokenAtFailure))) {
      // A retry token not honoured yet: the pass may honour it first, and when its plan
      // fails (or the process dies) the status it leaves does not show it.
      return null;
    }
    String fleet = Simulation.fleetIdOf(spec, spec.version);
    // Nor what the status read names as production or retained: going back to that fleet
    // is a switch back, an emergency move an abort never holds back.
    var status = seen.getStatus();
    boolean known = status != null && (status.activeFleet != null
        && fleet.equals(status.activeFleet.id) || status.previousFleet != null
        && fleet.equals(status.previousFleet.id));
    // Nor a fleet a person pointed production at: it is production from then on.
    return known || fleet.equals(served) || fleet.equals(retained)
        || servedByHand.contains(fleet) ? null : fleet;
  }

  /**
   * p: an abort never terminates or moves what production needs, and gives the staged version
   * up: nothing terminated as Aborted belongs to the fleet production is on or to the one that
   * served before the latest switch (within its TTL) or holds a production address; and while
   * an abort is in force, no production address moves to the aborted fleet and nothing is
   * launched for it.
   */
  private void abortRespected(Call c, ReleaseSpec spec, String aborted, String served,
      String retained) {
    if (c.operation().equals("TerminateInstances")) {
      boolean asAborted = sim.planned().stream().anyMatch(a ->
          a instanceof dev.cutover.decide.Action.Terminate t
              && t.instanceIds().equals(c.instanceIds()) && "Aborted".equals(t.reason()));
      boolean unseenMove = productionOf(spec).stream().map(p -> movedOutsideAt
          .get(p.allocationId())).anyMatch(at -> at != null && lastPollSeq < at);
      if (!asAborted || unseenMove) {
        return; // a person moved an address after the last poll Cutover could have seen
      }
      Set<String> holders = new HashSet<>();
      productionOf(spec).forEach(p -> Optional.ofNullable(c.holdersBefore()
          .get(p.allocationId())).ifPresent(holders::add));
      for (String id : c.changed()) {
        String fleet = fleetOf(id);
        if (holders.contains(id) || fleet != null && (fleet.equals(served)
            || fleet.equals(retained))) {
          fail("p", "TerminateInstances terminated " + sim.label(id) + " as Aborted, but it "
              + (holders.contains(id) ? "held a production address"
                  : "belongs to " + sim.fleetLabel(fleet) + ", the fleet "
                      + (fleet.equals(served) ? "production is on" : "that served before the "
                          + "latest switch")) + ".");
        }
      }
      return;
    }
    List<Simulation.ProductionAddress> production = productionOf(spec);
    boolean primaryOnIt = aborted != null && !production.isEmpty() && Optional.ofNullable(
        c.holdersBefore().get(production.get(0).allocationId())).map(this::fleetOf)
        .filter(aborted::equals).isPresent();
    if (aborted == null || primaryOnIt) {
      return; // no abort in force, or production is on that fleet (the primary says so)
    }
    if (c.operation().equals("RunInstances")) {
      c.changed().stream().filter(id -> aborted.equals(fleetOf(id))).findFirst()
          .ifPresent(id -> fail("p", "RunInstances launched " + sim.label(id) + " of "
              + sim.fleetLabel(aborted) + ", which cutover.dev/abort gives up."));
    }
    if (c.operation().equals("AssociateAddress") && !c.changed().isEmpty()
        && !c.allocationIds().isEmpty() && productionOf(spec).stream()
            .anyMatch(p -> p.allocationId().equals(c.allocationIds().get(0)))
        && aborted.equals(fleetOf(c.changed().get(0)))) {
      fail("p", "AssociateAddress moved production address "
          + sim.addressLabel(c.allocationIds().get(0)) + " to " + sim.label(c.changed().get(0))
          + " of " + sim.fleetLabel(aborted) + ", which cutover.dev/abort gives up.");
    }
  }

  /** Idempotency keys answered 2xx in a pass whose status was written (ground truth). */
  private final Set<String> successWritten = new java.util.HashSet<>();
  /** How many webhook calls the receiver had got when the last pass ended. */
  private int hookCallsSeen;

  private void recordHookSuccesses(Simulation.Reconciled r) {
    List<SimulatedHooks.Received> all = sim.hooks.received();
    if (r.statusWritten()) {
      all.subList(hookCallsSeen, all.size()).stream().filter(h -> h.status() < 300)
          .forEach(h -> successWritten.add(h.idempotencyKey()));
    }
    hookCallsSeen = all.size();
  }

  /**
   * n: a promotion (an AssociateAddress planned as Promoted that EC2 carried out) under a
   * preSwitch hook with failurePolicy Abort, for a fleet the receiver never answered 2xx for.
   */
  private void preSwitchRespected(Simulation.Reconciled r, ReleaseSpec spec) {
    if (spec.hooks == null || spec.hooks.preSwitch == null
        || spec.hooks.preSwitch.failurePolicy == dev.cutover.api.Webhook.FailurePolicy.Ignore) {
      return;
    }
    for (var a : sim.planned()) {
      if (!(a instanceof dev.cutover.decide.Action.Associate assoc)
          || assoc.reason() != dev.cutover.decide.SwitchReason.Promoted
          || r.calls().stream().noneMatch(c -> c.operation().equals("AssociateAddress")
              && c.ok() && c.instanceIds().contains(assoc.instanceId()))) {
        continue;
      }
      String fleet = sim.ec2.instance(assoc.instanceId()).map(i -> i.tag(Tags.FLEET))
          .orElse(null);
      boolean allowed = sim.hooks.received().stream().anyMatch(h -> h.event()
          .equals("preSwitch") && h.fleetId().equals(fleet) && h.status() < 300);
      if (!allowed) {
        fail("o", "promoted fleet " + fleet + " (" + sim.label(assoc.instanceId()) + ") "
            + "although its preSwitch hook never succeeded.");
      }
    }
  }

  /**
   * l: with spec.drain, an instance terminated for a reason that drains (RetentionExpired,
   * RetainedScaledDown, ScaledIn, Superseded) received a drain call, and its termination comes
   * no earlier than that call plus the drain timeout.
   */
  private void drainRespected(Call c, ReleaseSpec spec, boolean deleting) {
    if (deleting || spec.drain == null || !c.operation().equals("TerminateInstances")) {
      return;
    }
    Optional<dev.cutover.decide.Action.Terminate> planned = sim.planned().stream()
        .filter(a -> a instanceof dev.cutover.decide.Action.Terminate t
            && t.instanceIds().equals(c.instanceIds()))
        .map(a -> (dev.cutover.decide.Action.Terminate) a).findFirst();
    if (planned.isEmpty() || !DRAINED.contains(planned.get().reason())) {
      return;
    }
    for (String id : c.instanceIds()) {
      SimulatedDrains.Received last = sim.drains.last(id);
      if (last == null) {
        fail("l", "TerminateInstances terminated " + sim.label(id) + " ("
            + planned.get().reason() + ") although it never received a drain call.");
      } else if (c.at().isBefore(last.at().plus(last.timeout()))) {
        fail("l", "TerminateInstances terminated " + sim.label(id) + " ("
            + planned.get().reason() + ") at " + sim.story.at(c.at()) + ", before its drain "
            + "ended (called at " + sim.story.at(last.at()) + ", timeout "
            + Story.duration(last.timeout()) + ").");
      }
    }
  }

  private static final Set<String> DRAINED = Set.of("RetentionExpired", "RetainedScaledDown",
      "ScaledIn", "Superseded", "ApprovalExpired");

  // ------------------------------------------------------------------ kept for debugging

  /** An instance a stored status listed as kept for debugging: until when, at which spec. */
  private record KeptForDebugging(Instant until, Long generation) {}

  /** Every instance a stored status listed as kept for debugging, by id. */
  private final Map<String, KeptForDebugging> keptForDebugging = new HashMap<>();

  /** Remembers what the status now stored lists as kept for debugging. */
  private void noteKeptForDebugging() {
    ReleaseStatus status = sim.api.gone() ? null : sim.status();
    if (status == null || status.heldFleets == null) {
      return;
    }
    // Kept while the failure blocks: at the generation the failure was recorded at.
    Long failedAt = status.lastFailure == null ? null : status.lastFailure.generation;
    status.heldFleets.stream().filter(h -> "KeptForDebugging".equals(h.reason)
        && h.instanceIds != null && h.until != null).forEach(h -> h.instanceIds.forEach(id ->
            keptForDebugging.put(id, new KeptForDebugging(Instant.parse(h.until),
                status.lastFailure != null && h.id.equals(status.lastFailure.fleetId)
                    ? failedAt : status.observedGeneration))));
  }

  /**
   * m: an instance status listed as kept for debugging never receives a production address
   * (ever: it is never reused), and, unless the spec changed or the Release is deleted, is not
   * terminated before the time status gave it. Both as long as the status is not lost, and
   * unless a person pointed production at that fleet (it is then production, healed as such).
   */
  private void keptForDebuggingRespected(Call c, ReleaseSpec spec, boolean deleting,
      Simulation.Reconciled r) {
    if (!c.applied()) {
      return;
    }
    if (c.operation().equals("AssociateAddress")) {
      boolean production = productionOf(spec).stream()
          .anyMatch(p -> c.allocationIds().contains(p.allocationId()));
      c.instanceIds().stream().filter(keptForDebugging::containsKey)
          .filter(id -> !servedByHand.contains(fleetOf(id))).findFirst()
          .filter(id -> production).ifPresent(id -> fail("m", "AssociateAddress moved "
              + "production address " + sim.addressLabel(c.allocationIds().get(0)) + " to "
              + sim.label(id) + ", which status listed as kept for debugging."));
    }
    if (deleting || !c.operation().equals("TerminateInstances")) {
      return;
    }
    Long generation = r.seen().getMetadata().getGeneration();
    for (String id : c.instanceIds()) {
      KeptForDebugging kept = keptForDebugging.get(id);
      // A person made the kept fleet production: it is healed as production from then on.
      // A person asked to retry it (cutover.dev/retry): it goes before the version is staged
      // again, as a spec change would have it.
      if (kept != null && c.at().isBefore(kept.until()) && !servedByHand.contains(fleetOf(id))
          && Objects.equals(kept.generation(), generation) && !retried(r, fleetOf(id))) {
        fail("m", "TerminateInstances terminated " + sim.label(id) + " at "
            + sim.story.at(c.at()) + ", kept for debugging until " + sim.story.at(kept.until())
            + ", with the spec unchanged (generation " + generation + ").");
      }
    }
  }

  /** A retry of this fleet is recorded in the status the pass read or the one it made. */
  private static boolean retried(Simulation.Reconciled r, String fleet) {
    var before = r.seen().getStatus() == null ? null : r.seen().getStatus().lastRetry;
    var after = r.result() == null ? null : r.result().status().lastRetry;
    var annotations = r.seen().getMetadata().getAnnotations();
    String token = annotations == null ? null
        : annotations.get(dev.cutover.api.Release.RETRY_ANNOTATION);
    boolean diedMaybeRetrying = r.result() == null && token != null
        && (before == null || !token.equals(before.token));
    return fleet != null && (before != null && fleet.equals(before.fleetId)
        || after != null && fleet.equals(after.fleetId) || diedMaybeRetrying);
  }

  private String fleetOf(String instanceId) {
    return sim.ec2.instance(instanceId).map(i -> i.tag(Tags.FLEET)).orElse(null);
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
    preSwitchRespected(r, spec);
    recordHookSuccesses(r);
    if (!drainedHolders.isEmpty()) {
      String found = String.join("; ", drainedHolders);
      drainedHolders.clear();
      fail("l", "a drain call reached " + found + ".");
    }
    List<Refusal> fresh = new ArrayList<>();
    String servedBefore = servingFleet;
    String retainedBefore = latestSwitch == null
        || !sim.clock.instant().isBefore(latestSwitch.at().plus(latestSwitch.ttl())) ? null
        : latestSwitch.from();
    String aborted = abortInForce(r, spec, servedBefore, retainedBefore);
    for (Call c : r.calls()) {
      if (c.mutating() && c.applied() && !deleting) {
        abortRespected(c, spec, aborted, servedBefore, retainedBefore);
      }
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
      addressesNotDisplaced(c, spec, deleting);
      servingInstanceKept(c, spec, deleting);
      retainedFleetKept(c, spec, deleting);
      drainRespected(c, spec, deleting);
      keptForDebuggingRespected(c, spec, deleting, r);
      trackSwitch(c, spec, r);
      fresh.addAll(refusals(c));
    }
    if (!fresh.isEmpty()) {
      recordRetryTimes(fresh, r);
    }
    if (!r.died()) {
      lastPassCompletedAt = sim.clock.instant();
    }
    noteKeptForDebugging();
    if (deleting && sim.api.gone()) {
      deletionLeftNothing(spec);
    }
    if (!deleting && !sim.api.gone() && !r.died()) {
      noteProductionUnrecognized();
      noteStaleIntent(r);
    }
    if (!deleting && !sim.api.gone()) {
      if (outsideSince != null && r.clean() && !paused && lastPollSeq >= outsideMark
          && !lastPollAt.isBefore(outsideSince.plus(outsideLag)) && !healBackingOff()) {
        // One poll that shows the outside change, and one clean reconcile after it.
        outsideSince = null;
      }
      // Not while paused (Cutover changes nothing, by design: f), nor after a pass that
      // failed or waits for an AssociateAddress's retry time (the heal is on its way).
      if (outsideSince == null && !paused && r.clean() && !healBackingOff()) {
        addressesOnLiveInstances();
      }
    }
  }

  /**
   * Notes when a pass (one that did not die) left a status without an active fleet although a
   * fleet that served (the one Cutover last put the primary on, or the one before the latest
   * switch) still has live instances: production not recognised (the primary points at
   * nothing, and the status was lost, or never written after the first switch).
   */
  private void noteProductionUnrecognized() {
    ReleaseStatus status = sim.status();
    Set<String> served = new HashSet<>();
    if (servingFleet != null) {
      served.add(servingFleet);
    }
    if (latestSwitch != null) {
      served.add(latestSwitch.from());
    }
    if (served.isEmpty() || status != null && status.activeFleet != null) {
      return;
    }
    boolean alive = sim.owned().stream()
        .anyMatch(i -> i.alive() && served.contains(i.tag(Tags.FLEET)));
    if (alive && conditions.add(PRODUCTION_UNRECOGNIZED)) {
      sim.story.note("the status names no active fleet although the fleet that served lives");
    }
  }

  /**
   * Notes when a pass recorded a switch intent before acting and the status it left names
   * another switch: an older intent kept over the one just carried out.
   */
  private void noteStaleIntent(Simulation.Reconciled r) {
    ReleaseStatus after = sim.status();
    if (after == null || after.intent == null || after.intent.kind != Intent.Kind.Switch) {
      return;
    }
    for (ReleaseStatus first : r.writtenFirst()) {
      Intent done = first.intent;
      if (done != null && done.kind == Intent.Kind.Switch
          && (!Objects.equals(done.toFleet, after.intent.toFleet)
              || !Objects.equals(done.fromFleet, after.intent.fromFleet))
          && conditions.add(STALE_INTENT)) {
        sim.story.note("the status keeps the intent " + after.intent.fromVersion + "→"
            + after.intent.toVersion + " over the switch " + done.fromVersion + "→"
            + done.toVersion + " just made");
      }
    }
  }

  /** A condition: the status kept an older switch intent over the one just carried out. */
  static final String STALE_INTENT = "stale-intent";

  /** A condition: a status without an active fleet while the fleet that served lives. */
  static final String PRODUCTION_UNRECOGNIZED = "production-unrecognized";
  /**
   * A condition: an address was terminated away while it was still on another fleet than the
   * primary (left behind by a switch cut short).
   */
  static final String LEFT_BEHIND = "left-behind";

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
        List<String> named = namedAllocations(spec);
        boolean allowed = named.contains(allocation)
            || spec.primaryAddress() != null && spec.primaryAddress().allocationId == null
                && Simulation.UID.equals(addressOwner.get(allocation));
        if (!allowed) {
          fail("f", "AssociateAddress moved " + allocation + ", which the spec does not name "
              + "(" + (named.isEmpty() ? "allocate: true" : String.join(", ", named)) + ").");
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
   * a: an instance a production address points at (the Elastic IP, each address of a system)
   * is never terminated while it runs (unless the address moved there from outside and no
   * poll has shown it yet). The other addresses of a system count where they serve: on the
   * fleet the primary is on (or Cutover last put it on), or on the one that served before the
   * latest switch (a switch cut short leaves them there).
   */
  private void servingInstanceKept(Call c, ReleaseSpec spec, boolean deleting) {
    if (deleting || !c.operation().equals("TerminateInstances") || outsideSince != null) {
      return;
    }
    List<Simulation.ProductionAddress> production = productionOf(spec);
    Set<String> serving = new HashSet<>();
    if (!production.isEmpty()) {
      Optional.ofNullable(c.holdersBefore().get(production.get(0).allocationId()))
          .flatMap(sim.ec2::instance).ifPresent(i -> serving.add(i.tag(Tags.FLEET)));
    }
    if (servingFleet != null) {
      serving.add(servingFleet);
    }
    if (latestSwitch != null) {
      serving.add(latestSwitch.from());
    }
    for (Simulation.ProductionAddress p : production) {
      String holder = c.holdersBefore().get(p.allocationId());
      boolean serves = p.primary() || holder != null && sim.ec2.instance(holder)
          .map(i -> serving.contains(i.tag(Tags.FLEET))).orElse(false);
      if (holder != null && serves && c.changed().contains(holder)
          && c.statesBefore().get(holder) == InstanceStateName.RUNNING) {
        String primaryFleet = production.isEmpty() ? null
            : Optional.ofNullable(c.holdersBefore().get(production.get(0).allocationId()))
                .flatMap(sim.ec2::instance).map(i -> i.tag(Tags.FLEET)).orElse(null);
        String holderFleet = sim.ec2.instance(holder).map(i -> i.tag(Tags.FLEET)).orElse(null);
        if (!p.primary() && primaryFleet != null && !primaryFleet.equals(holderFleet)) {
          conditions.add(LEFT_BEHIND);
        }
        fail("a", "TerminateInstances terminated " + sim.label(holder) + ", the running "
            + "instance " + (p.primary() && sim.world == Simulation.World.SINGLE
                ? "the Elastic IP" : "production address " + sim.addressLabel(p.allocationId()))
            + " pointed at (production).");
      }
    }
  }

  /**
   * k: AWS gives an instance one Elastic IP (AssociateAddress by instance id takes any other
   * one off it): a move of a production address never takes off an address that comes before
   * it in switch order (the primary first), and j: a move of the preview address never takes
   * off a production address, and never points the preview at production's fleet or at any
   * fleet but the staging one. Unless a person put that address there after the last poll
   * Cutover could have seen.
   */
  private void addressesNotDisplaced(Call c, ReleaseSpec spec, boolean deleting) {
    if (deleting || !c.operation().equals("AssociateAddress") || c.changed().isEmpty()
        || c.allocationIds().isEmpty()) {
      return;
    }
    String moved = c.allocationIds().get(0);
    List<String> order = productionOf(spec).stream()
        .map(Simulation.ProductionAddress::allocationId).toList();
    boolean preview = spec.preview != null && moved.equals(spec.preview.allocationId);
    String target = c.changed().get(0);
    for (String off : c.allocationIds().subList(1, c.allocationIds().size())) {
      int rank = order.indexOf(off);
      Integer movedAt = movedOutsideAt.get(off);
      boolean unseen = movedAt != null && lastPollSeq < movedAt;
      if (rank < 0 || unseen || !preview && order.indexOf(moved) >= 0
          && order.indexOf(moved) < rank) {
        continue;
      }
      fail(preview ? "j" : "k", "AssociateAddress pointed " + sim.addressLabel(moved) + " at "
          + sim.label(target) + ", which took production address " + sim.addressLabel(off)
          + " off it" + (preview ? " (the preview address displaced production)."
              : ": an instance holds one Elastic IP, and " + sim.addressLabel(off)
                  + " comes first."));
    }
    if (!preview) {
      return;
    }
    String targetFleet = sim.ec2.instance(target).map(i -> i.tag(Tags.FLEET)).orElse(null);
    Integer primaryMovedAt = order.isEmpty() ? null : movedOutsideAt.get(order.get(0));
    String primary = order.isEmpty() || primaryMovedAt != null && lastPollSeq < primaryMovedAt
        ? null : c.holdersBefore().get(order.get(0));
    String production = Optional.ofNullable(primary).flatMap(sim.ec2::instance)
        .filter(Simulation::owned).map(i -> i.tag(Tags.FLEET)).orElse(null);
    String desired = dev.cutover.decide.FleetIds.of(spec);
    if (Objects.equals(targetFleet, production) || !Objects.equals(targetFleet, desired)) {
      fail("j", "AssociateAddress pointed the preview address at " + sim.label(target) + " of "
          + sim.fleetLabel(targetFleet) + ", " + (Objects.equals(targetFleet, production)
              ? "the fleet production's primary address is on." : "not the staging fleet "
                  + sim.fleetLabel(desired) + "."));
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
    boolean servesAgain = productionOf(spec).stream()
        .map(p -> c.holdersBefore().get(p.allocationId())).filter(Objects::nonNull)
        .anyMatch(holder -> sim.ec2.instance(holder).map(i -> fleet.equals(i.tag(Tags.FLEET)))
            .orElse(false));
    if (servesAgain) {
      return; // a production address is on it again (a person moved it back): sizes rule
    }
    // The instances that served: a fleet id relaunched after the switch is a new attempt.
    List<String> members = c.statesBefore().keySet().stream()
        .filter(id -> sim.ec2.instance(id).map(i -> Simulation.owned(i)
            && fleet.equals(i.tag(Tags.FLEET))
            && i.launchTime().isBefore(latestSwitch.at())).orElse(false)).toList();
    int keep = spec.retention.previousFleetSize == null ? 0 : spec.retention.previousFleetSize;
    // previousFleetSize counts per role: each role of the retained fleet keeps that many.
    Map<String, List<String>> byRole = new java.util.TreeMap<>();
    members.forEach(id -> byRole.computeIfAbsent(
        Simulation.role(sim.ec2.instance(id).orElseThrow()), k -> new ArrayList<>()).add(id));
    for (Map.Entry<String, List<String>> role : byRole.entrySet()) {
      List<String> inRole = role.getValue();
      long aliveBefore = inRole.stream().filter(id -> alive(c.statesBefore().get(id))).count();
      List<String> killed = c.changed().stream().filter(inRole::contains)
          .filter(id -> alive(c.statesBefore().get(id))).toList();
      if (killed.isEmpty()) {
        continue;
      }
      if (keep > 0 && aliveBefore - killed.size() >= keep) {
        continue; // scaled down to retention.previousFleetSize
      }
      // A scale-down decided on the last poll, raced by an instance that died out of band
      // after it: the policy kept previousFleetSize of what it could see.
      Instant poll = sim.lastPollAt();
      long aliveAtPoll = sim.ec2.instances().stream()
          .filter(i -> Simulation.owned(i) && fleet.equals(i.tag(Tags.FLEET))
              && role.getKey().equals(Simulation.role(i)))
          .filter(i -> aliveAt(i, poll)).count();
      if (keep > 0 && aliveAtPoll - killed.size() >= keep) {
        continue;
      }
      fail("b", "TerminateInstances terminated " + killed.stream().map(sim::label).toList()
          + " of " + sim.fleetLabel(fleet) + ", the fleet that served until the switch to "
          + sim.fleetLabel(latestSwitch.to()) + " (" + latestSwitch.reason() + ") at t="
          + sim.story.at(latestSwitch.at()) + "; it must be kept until t="
          + sim.story.at(latestSwitch.at().plus(latestSwitch.ttl())) + " ("
          + aliveBefore + " live " + (role.getKey().isEmpty() ? "" : role.getKey() + " ")
          + "before, previousFleetSize " + keep + ").");
    }
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
        .filter(Set.of("Promoted", "SwitchedBack", "Reverted", "Healed")::contains).distinct()
        .toList();
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
      // A refused launch holds back its fleet's launches (two fleets of one version, after a
      // template change, are held apart).
      case "RunInstances" -> Set.of(c.detail().substring(c.detail().lastIndexOf(' ') + 1));
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
   * a: once a poll has shown an outside change and a reconcile ran cleanly after it, each
   * production address (the Elastic IP; every address of a system) is on a live instance of
   * the Release, unless there is nothing to restore it to: no running instance (visible to that
   * poll) of its role that could take it (one that holds no address before it in switch order)
   * in the fleet production is on. For the primary that is the fleet that held it or the one
   * the status calls active; for the others, the fleet the primary is on (else the one the
   * status calls active).
   */
  private void addressesOnLiveInstances() {
    ReleaseStatus status = sim.status();
    List<Simulation.ProductionAddress> production = sim.productionAddresses();
    Set<String> productionFleets = new HashSet<>();
    if (!production.isEmpty()) {
      sim.ec2.address(production.get(0).allocationId()).map(SimAddress::instanceId)
          .flatMap(sim.ec2::instance).filter(Simulation::owned).filter(i -> !Simulation.gone(i))
          .ifPresent(i -> productionFleets.add(i.tag(Tags.FLEET)));
    }
    if (productionFleets.isEmpty() && status != null && status.activeFleet != null) {
      productionFleets.add(status.activeFleet.id);
    }
    List<String> before = new ArrayList<>();
    for (Simulation.ProductionAddress p : production) {
      Optional<SimAddress> address = sim.ec2.address(p.allocationId());
      List<String> earlier = List.copyOf(before);
      before.add(p.allocationId());
      if (address.isEmpty() || address.get().instanceId() == null) {
        continue;
      }
      SimInstance holder = sim.ec2.instance(address.get().instanceId()).orElseThrow();
      boolean mine = Simulation.owned(holder);
      if (mine && holder.alive()) {
        continue;
      }
      if (!mine && holder.alive() && !takesOver(p)) {
        continue; // moved by a person to an instance Cutover does not own: reported (c)
      }
      Set<String> fleets = new HashSet<>();
      if (p.primary()) {
        if (mine) {
          fleets.add(holder.tag(Tags.FLEET));
        }
        if (status != null && status.activeFleet != null) {
          fleets.add(status.activeFleet.id);
        }
      } else {
        fleets.addAll(productionFleets);
      }
      List<SimInstance> better = sim.owned().stream()
          .filter(i -> fleets.contains(i.tag(Tags.FLEET)) && p.role().equals(Simulation.role(i)))
          .filter(i -> i.state() == InstanceStateName.RUNNING && lastPollAt != null
              && i.visibleStateAt(lastPollAt) == InstanceStateName.RUNNING)
          .filter(i -> earlier.stream().noneMatch(e -> sim.ec2.address(e)
              .map(a -> i.id().equals(a.instanceId())).orElse(false)))
          .toList();
      if (!better.isEmpty()) {
        fail("a", "after a poll and a clean reconcile " + (sim.world == Simulation.World.SINGLE
            ? "the Elastic IP" : "production address " + sim.addressLabel(p.allocationId()))
            + " still points at " + sim.label(holder.id()) + " (" + holder.state()
            + (mine ? "" : ", not the Release's") + ") although " + labels(better)
            + " of the active fleet run" + (better.size() == 1 ? "s" : "") + ".");
      }
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
        bySlot.computeIfAbsent(i.tag(Tags.FLEET) + "/" + Simulation.role(i) + "/"
            + Simulation.slot(i),
            k -> new ArrayList<>()).add(i);
      }
    }
    bySlot.forEach((slot, instances) -> {
      if (instances.size() > 1) {
        fail("c", "converged, yet slot " + (Simulation.role(instances.get(0)).isEmpty() ? ""
            : Simulation.role(instances.get(0)) + "/") + Simulation.slot(instances.get(0)) + " of "
            + sim.fleetLabel(instances.get(0).tag(Tags.FLEET)) + " has "
            + instances.size() + " live instances " + labels(instances) + ".");
      }
    });
    if (status == null || status.activeFleet == null) {
      return;
    }
    // Every production address (the Elastic IP; each address of a system, the primary first).
    String active = status.activeFleet.id;
    var ready = StatusBuilder.find(status, StatusBuilder.READY);
    boolean reported = ready != null
        && (Set.of("ElasticIpMovedOutOfBand", "ElasticIpInUse").contains(ready.getReason())
            || String.valueOf(ready.getMessage()).contains("moved outside Cutover"));
    List<String> earlier = new ArrayList<>();
    String primaryFleet = null;
    for (Simulation.ProductionAddress p : sim.productionAddresses()) {
      String name = sim.world == Simulation.World.SINGLE ? "the Elastic IP"
          : "production address " + sim.addressLabel(p.allocationId());
      String holder = sim.ec2.address(p.allocationId()).map(SimAddress::instanceId)
          .orElse(null);
      List<String> before = List.copyOf(earlier);
      earlier.add(p.allocationId());
      if (movedByHand(holder, takesOver(p))) {
        if (!reported) {
          fail("c", "converged with " + name + " on " + sim.label(holder) + ", not the "
              + "Release's, and status does not report it (Ready reason " + (ready == null
                  ? "none" : ready.getReason()) + ").");
        }
        continue;
      }
      List<SimInstance> running = sim.owned().stream()
          .filter(i -> active.equals(i.tag(Tags.FLEET)) && p.role().equals(Simulation.role(i))
              && i.state() == InstanceStateName.RUNNING).toList();
      // An instance holds one address: those before this one in switch order come first.
      boolean room = running.stream().anyMatch(i -> before.stream().noneMatch(e -> sim.ec2
          .address(e).map(a -> i.id().equals(a.instanceId())).orElse(false)));
      Optional<SimInstance> on = running.stream().filter(i -> i.id().equals(holder))
          .findFirst();
      if (room && on.isEmpty()) {
        fail("c", "converged with " + name + " on " + (holder == null ? "nothing"
            : sim.label(holder)) + ", not on a running " + (p.role().isEmpty() ? ""
                : p.role() + " ") + "instance of the active fleet " + sim.fleetLabel(active)
            + " " + labels(running) + ".");
      }
      if (on.isEmpty()) {
        continue;
      }
      if (p.primary()) {
        primaryFleet = on.get().tag(Tags.FLEET);
      } else if (primaryFleet != null && !primaryFleet.equals(on.get().tag(Tags.FLEET))) {
        fail("c", "converged with " + name + " on " + sim.label(holder) + " and the primary "
            + "address on " + sim.fleetLabel(primaryFleet) + ": the system is split.");
      }
      // A role's address i goes to slot i of the role (its home) whenever that runs (the API's
      // promise for roles; the single form's Elastic IP may stay on any running instance).
      Optional<SimInstance> home = running.stream().filter(i -> Simulation.slot(i) == p.index())
          .findFirst();
      if (!p.role().isEmpty() && home.isPresent() && !home.get().id().equals(holder)) {
        boolean onAnothersHome = sim.productionAddresses().stream().anyMatch(o -> o != p
            && o.role().equals(p.role()) && o.index() == Simulation.slot(on.get()));
        fail("c", "converged with " + name + " on " + sim.label(holder) + (onAnothersHome
            ? ", the home of another address, while its own home " + sim.label(home.get().id())
                + " runs."
            : ", not on its home " + sim.label(home.get().id()) + ", which runs."));
      }
    }
    Optional<SimAddress> preview = sim.previewAddress();
    if (preview.isPresent() && movedByHand(preview.get().instanceId(),
        spec(sim).preview.takesOver()) && !reported) {
      fail("c", "converged with the preview address on " + sim.label(preview.get().instanceId())
          + ", not the Release's, and status does not report it (Ready reason "
          + (ready == null ? "none" : ready.getReason()) + ").");
    }
  }

  /** The address points at a live instance Cutover does not own, and may not be taken. */
  private boolean movedByHand(String holder, boolean takesOver) {
    return holder != null && !takesOver && sim.ec2.instance(holder)
        .filter(i -> !Simulation.owned(i) && i.alive()).isPresent();
  }

  /** Whether the spec says to take this address from an instance Cutover does not own. */
  private boolean takesOver(Simulation.ProductionAddress p) {
    return spec(sim).layout().stream().filter(r -> r.name().equals(p.role())).findFirst()
        .map(r -> r.addresses().get(p.index()).takesOver()).orElse(false);
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

  /** The production addresses of this spec that EC2 has, the primary first. */
  private List<Simulation.ProductionAddress> productionOf(ReleaseSpec spec) {
    return sim.productionAddresses(spec);
  }

  /** Every address this spec names (or, allocating, the one allocated), and its preview. */
  private List<String> namedAllocations(ReleaseSpec spec) {
    List<String> named = new ArrayList<>();
    spec.layout().forEach(r -> r.addresses().forEach(a -> {
      if (a.allocationId != null) {
        named.add(a.allocationId);
      }
    }));
    if (spec.preview != null && spec.preview.allocationId != null) {
      named.add(spec.preview.allocationId);
    }
    return named;
  }

  private String specAllocation(ReleaseSpec spec) {
    if (spec.primaryAddress() != null && spec.primaryAddress().allocationId != null) {
      return spec.primaryAddress().allocationId;
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
      ReleaseStatus status = sim.api.gone() ? null : sim.status();
      throw new SafetyViolation(invariant, sim.story.at(sim.clock.instant()), detail,
          sim.story, sim.world, status == null || status.phase == null ? null
              : status.phase.name(), conditions);
    }
  }
}
