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
 */
record Roles(String desiredId, Fleet active, Fleet retained, Instant retainedExpiry,
    Map<Fleet, Instant> held, List<Fleet> superseded) {

  static Roles resolve(Draft d, String desiredId, Duration ttl) {
    Map<String, Fleet> fleets = d.world.fleets();
    ReleaseStatus last = d.last;
    Fleet active = active(d, fleets);
    String activeId = active == null ? null : active.id();

    Fleet retained = null;
    Instant retainedExpiry = null;
    for (Candidate c : retainedCandidates(d, activeId, ttl)) {
      Fleet f = fleets.get(c.fleetId());
      if (f != null && !f.id().equals(activeId) && !f.notGone().isEmpty()
          && !d.failureBlocks(f.id())) {
        retained = f;
        retainedExpiry = c.expiresAt();
        break;
      }
    }
    String retainedId = retained == null ? null : retained.id();

    boolean statusKnown = last.activeFleet != null || last.previousFleet != null
        || last.stagingFleet != null || last.intent != null || last.lastFailure != null
        || last.heldFleets != null && !last.heldFleets.isEmpty()
        || last.history != null && !last.history.isEmpty();
    Map<Fleet, Instant> held = new LinkedHashMap<>();
    List<Fleet> superseded = new ArrayList<>();
    for (Fleet f : fleets.values()) {
      if (f.id().equals(desiredId) || f.id().equals(activeId) || f.id().equals(retainedId)
          || f.notGone().isEmpty()) {
        continue;
      }
      Optional<HeldFleet> wasHeld = last.heldFleets == null ? Optional.empty()
          : last.heldFleets.stream().filter(h -> h.id.equals(f.id())).findFirst();
      if (wasHeld.isPresent() && wasHeld.get().until != null) {
        Instant until = Instant.parse(wasHeld.get().until);
        if (d.now.isBefore(until)) {
          held.put(f, until);
        } else {
          superseded.add(f);
        }
      } else if (statusKnown) {
        superseded.add(f);
      } else {
        // Status was lost: this fleet may be the one that served before the last switch.
        held.put(f, d.now.plus(ttl));
      }
    }
    return new Roles(desiredId, active, retained, retainedExpiry, held, superseded);
  }

  /** The fleet the Elastic IP points at; else the one status says served. */
  private static Fleet active(Draft d, Map<String, Fleet> fleets) {
    Optional<Fleet> holder = d.eip.map(ElasticIp::instanceId).flatMap(d.world::instance)
        .filter(i -> !i.state().isGone()).map(ManagedInstance::fleetId).map(fleets::get);
    if (holder.isPresent()) {
      return holder.get();
    }
    if (d.last.activeFleet == null || d.last.activeFleet.id == null) {
      return null;
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
      candidates.add(new Candidate(intent.fromFleet, Instant.parse(intent.at).plus(ttl)));
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
