package dev.cutover.decide;

import dev.cutover.api.HeldFleet;
import dev.cutover.api.Intent;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.ec2.ElasticIp;
import dev.cutover.observe.Fleet;
import dev.cutover.ec2.ManagedInstance;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who is who, resolved once per reconcile from what EC2 shows and what status remembers.
 *
 * <ul>
 *   <li>active: the fleet the Elastic IP points at; else the fleet status says served (even
 *       when every instance of it is gone: production lost is healed, not forgotten);
 *   <li>retained: the fleet that served immediately before the active one: the switch intent's
 *       origin, else the fleet status called active (its write after the switch was lost), else
 *       the retained fleet status names;
 *   <li>desired: the fleet the spec names (version and template);
 *   <li>held: fleets with no role that Cutover cannot prove superseded (status was lost), kept
 *       until their time passes;
 *   <li>superseded: every other fleet with live instances, provably replaced.
 * </ul>
 *
 * @param retainedSince when the retained fleet stopped serving, for its expiry
 * @param retainedInferred the retained fleet is not known from status but inferred (status was
 *     lost, and the spec names a fleet older than the one serving)
 */
record Roles(String desiredId, Fleet active, Fleet retained, Instant retainedExpiry,
    Map<Fleet, Instant> held, List<Fleet> superseded, boolean retainedInferred) {

  static Roles resolve(Draft d, String desiredId, Duration ttl) {
    Map<String, Fleet> fleets = d.world.fleets();
    Fleet active = active(d, fleets);
    String activeId = active == null ? null : active.id();
    boolean statusKnown = statusKnowsRoles(d.last);
    Kept known = retained(d, fleets, activeId, ttl).orElse(null);
    Kept retained = known != null ? known : olderDesiredOfUnknownRole(d, fleets.get(desiredId),
        active, statusKnown, ttl).orElse(null);
    String retainedId = retained == null ? null : retained.fleet().id();

    Map<Fleet, Instant> held = new LinkedHashMap<>();
    List<Fleet> superseded = new ArrayList<>();
    for (Fleet f : fleets.values()) {
      if (f.id().equals(activeId) || f.id().equals(retainedId) || f.notGone().isEmpty()) {
        continue;
      }
      Optional<Instant> keptUntil = f.id().equals(desiredId)
          // Staged again, yet perhaps the fleet that served before: its hold is kept, so that
          // failing or being superseded never terminates it before its time.
          ? roleUnknownUntil(d, f, statusKnown, ttl)
          : keptUntil(d, f, activeId, statusKnown, ttl);
      if (keptUntil.isPresent()) {
        held.put(f, keptUntil.get());
      } else if (!f.id().equals(desiredId)) {
        superseded.add(f);
      }
    }
    return new Roles(desiredId, active, retained == null ? null : retained.fleet(),
        retained == null ? null : retained.until(), held, superseded,
        retained != null && known == null);
  }

  private record Kept(Fleet fleet, Instant until) {}

  /** Whether status knows the fleets' roles (an address asked for, or an error, says nothing). */
  private static boolean statusKnowsRoles(ReleaseStatus last) {
    return last.activeFleet != null || last.previousFleet != null || last.stagingFleet != null
        || last.intent != null && last.intent.kind == Intent.Kind.Switch
        || last.heldFleets != null && !last.heldFleets.isEmpty()
        || last.history != null && !last.history.isEmpty();
  }

  /** The first candidate that still has instances and did not fail at this generation. */
  private static Optional<Kept> retained(Draft d, Map<String, Fleet> fleets, String activeId,
      Duration ttl) {
    for (Candidate c : retainedCandidates(d, activeId, ttl)) {
      Fleet f = fleets.get(c.fleetId());
      if (f != null && !f.id().equals(activeId) && !f.notGone().isEmpty()
          && !d.failureBlocks(f.id())) {
        return Optional.of(new Kept(f, c.expiresAt()));
      }
    }
    return Optional.empty();
  }

  /**
   * Status was lost and the spec names a fleet older than the one serving: it served before
   * (fleets are promoted in launch order), so it is the one to switch back to.
   */
  private static Optional<Kept> olderDesiredOfUnknownRole(Draft d, Fleet desired, Fleet active,
      boolean statusKnown, Duration ttl) {
    if (desired == null || active == null || desired.id().equals(active.id())
        || !desired.hasAlive() || !olderThan(desired, active)) {
      return Optional.empty();
    }
    boolean unknown = !statusKnown || d.last.heldFleets != null && d.last.heldFleets.stream()
        .anyMatch(h -> h.id.equals(desired.id()) && "RoleUnknown".equals(h.reason));
    return unknown ? Optional.of(new Kept(desired, d.now.plus(ttl))) : Optional.empty();
  }

  /** Until when a fleet without a role is kept instead of terminated, if it is. */
  private static Optional<Instant> keptUntil(Draft d, Fleet f, String activeId,
      boolean statusKnown, Duration ttl) {
    ReleaseStatus last = d.last;
    if (switchedWithoutIntent(d, activeId) && last.previousFleet != null
        && f.id().equals(last.previousFleet.id) && last.previousFleet.expiresAt != null
        && d.now.isBefore(Instant.parse(last.previousFleet.expiresAt))) {
      // Production moved without Cutover's intent (a person moved the address): the fleet
      // retained before is kept until its own expiry, not terminated as superseded.
      return Optional.of(Instant.parse(last.previousFleet.expiresAt));
    }
    Intent unconfirmed = unconfirmedSwitch(d, activeId);
    if (unconfirmed != null && (f.id().equals(unconfirmed.toFleet)
        || f.id().equals(unconfirmed.fromFleet))) {
      // A switch was asked for and EC2 does not show it yet: either side may serve (past the
      // confirmation time too, while no poll that could list it has landed).
      Instant confirmed = Instant.parse(unconfirmed.at).plus(SWITCH_CONFIRMATION);
      return Optional.of(confirmed.isAfter(d.now) ? confirmed : d.now);
    }
    Optional<HeldFleet> wasHeld = last.heldFleets == null ? Optional.empty()
        : last.heldFleets.stream().filter(h -> h.id.equals(f.id()) && h.until != null
            // Kept for debugging only while its failure blocks: another version supersedes it.
            && !FailedFleets.KEPT_FOR_DEBUGGING.equals(h.reason))
            .findFirst();
    if (wasHeld.isPresent()) {
      Instant until = Instant.parse(wasHeld.get().until);
      return d.now.isBefore(until) ? Optional.of(until) : Optional.empty();
    }
    // Status was lost: this fleet may be the one that served before the last switch.
    return statusKnown ? Optional.empty() : Optional.of(d.now.plus(ttl));
  }


  /** Until when a fleet whose role Cutover cannot prove is kept (status lost), if it is. */
  static Optional<Instant> roleUnknownUntil(Draft d, Fleet f, boolean statusKnown,
      Duration ttl) {
    if (!statusKnown) {
      return Optional.of(d.now.plus(ttl));
    }
    return d.heldInStatus(f.id(), "RoleUnknown"::equals).map(h -> Instant.parse(h.until));
  }

  /** How long a switch intent EC2 does not show yet keeps both its fleets. */
  static final Duration SWITCH_CONFIRMATION = Duration.ofMinutes(2);

  /**
   * A switch recorded in status that EC2 does not show (yet): within its confirmation time, or
   * for as long as no poll that started after the switch could list it has landed (polls that
   * fail, or a poll interval longer than the confirmation time, must not turn "not listed yet"
   * into "never happened").
   */
  static Intent unconfirmedSwitch(Draft d, String activeId) {
    Intent intent = d.last.intent;
    if (intent == null || intent.kind != Intent.Kind.Switch || intent.at == null
        || intent.toFleet == null || intent.toFleet.equals(activeId)) {
      return null;
    }
    Instant at = Instant.parse(intent.at);
    return d.now.isBefore(at.plus(SWITCH_CONFIRMATION))
        || !d.world.polledSince(at.plus(Draft.LISTING_DELAY)) ? intent : null;
  }

  /** EC2 shows production on another fleet than status, and no intent of Cutover's says why. */
  private static boolean switchedWithoutIntent(Draft d, String activeId) {
    ReleaseStatus last = d.last;
    return activeId != null && last.activeFleet != null && !activeId.equals(last.activeFleet.id)
        && (last.intent == null || last.intent.kind != Intent.Kind.Switch
            || !activeId.equals(last.intent.toFleet));
  }

  private static boolean olderThan(Fleet a, Fleet b) {
    Optional<Instant> first = a.instances().stream().map(ManagedInstance::launchTime)
        .filter(java.util.Objects::nonNull).min(Instant::compareTo);
    Optional<Instant> second = b.instances().stream().map(ManagedInstance::launchTime)
        .filter(java.util.Objects::nonNull).min(Instant::compareTo);
    return first.isPresent() && second.isPresent() && first.get().isBefore(second.get());
  }

  /** The fleet the Elastic IP points at; else the one status says served. */
  private static Fleet active(Draft d, Map<String, Fleet> fleets) {
    Optional<Fleet> holder = d.eip.map(ElasticIp::instanceId).flatMap(d.world::instance)
        .filter(i -> !i.state().isGone()).map(ManagedInstance::fleetId).map(fleets::get);
    if (holder.isPresent()) {
      return holder.get();
    }
    if (d.last.activeFleet == null || d.last.activeFleet.id == null) {
      // No status: the address may still name an instance of ours that is going (EC2 clears
      // the association once it is terminated): its fleet is the one production was on.
      // Else, in a system, the fleet the other production addresses point at serves.
      return d.eip.map(ElasticIp::instanceId).flatMap(d.world::instance)
          .map(ManagedInstance::fleetId).map(fleets::get)
          .or(() -> d.bindings.stream().skip(1).map(Addresses.Binding::holder)
              .filter(java.util.Objects::nonNull).map(d.world::instance)
              .flatMap(Optional::stream).filter(i -> !i.state().isGone())
              .map(ManagedInstance::fleetId).map(fleets::get)
              .filter(java.util.Objects::nonNull).findFirst())
          .orElse(null);
    }
    // Every instance may be gone (and, after an hour on AWS, no longer listed): still the
    // fleet that serves production, to be healed.
    return fleets.getOrDefault(d.last.activeFleet.id,
        new Fleet(d.last.activeFleet.id, d.last.activeFleet.version, List.of()));
  }

  private record Candidate(String fleetId, Instant expiresAt) {}

  private static List<Candidate> retainedCandidates(Draft d, String activeId, Duration ttl) {
    ReleaseStatus last = d.last;
    List<Candidate> candidates = new ArrayList<>();
    Intent intent = last.intent;
    if (intent != null && intent.kind == Intent.Kind.Switch && activeId != null
        && activeId.equals(intent.toFleet) && intent.fromFleet != null
        && !SwitchReason.Reverted.name().equals(intent.reason)) {
      // Found after the fact: the retention counts from now, never less than from the call.
      candidates.add(new Candidate(intent.fromFleet, d.now.plus(ttl)));
    }
    if (last.activeFleet != null && activeId != null && !activeId.equals(last.activeFleet.id)) {
      candidates.add(new Candidate(last.activeFleet.id, d.now.plus(ttl)));
    }
    if (last.previousFleet != null) {
      candidates.add(new Candidate(last.previousFleet.id, last.previousFleet.expiresAt == null
          ? d.now.plus(ttl) : Instant.parse(last.previousFleet.expiresAt)));
    }
    return candidates;
  }
}
