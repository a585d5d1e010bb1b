package dev.cutover.reliability;

import static dev.cutover.testworld.Ec2World.isAlive;
import static dev.cutover.testworld.Ec2World.tag;

import dev.cutover.api.Intent;
import dev.cutover.api.Phase;
import dev.cutover.api.Release;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.ec2.Tags;
import dev.cutover.testworld.Ec2Proxy;
import dev.cutover.testworld.Ec2World;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * What must hold once reconciles settle, whatever happened during the run. The EC2 side is read
 * straight from moto (which keeps terminated instances visible), the history of what the
 * operator did from the proxy's log of calls on the wire. Every violation is reported, not only
 * the first.
 */
final class Invariants {

  /** Slack between the operator's clock readings and the proxy's (same machine, same clock). */
  static final Duration CLOCK_SLACK = Duration.ofSeconds(1);
  /** How long a retained fleet may outlive its expiry before that is a violation. */
  static final Duration EXPIRY_GRACE = Duration.ofSeconds(15);

  /** What {@link #check} checks, in words, for docs/RELIABILITY.md. */
  static final List<String> CHECKED = List.of(
      "no leak: every live (pending or running) instance tagged for a Release of the test's "
          + "namespace belongs to an existing Release, and its release-uid tag matches",
      "every live instance of a Release belongs to its active fleet, its retained fleet "
          + "(`status.previousFleet`), its staging fleet (`status.stagingFleet`) or a held fleet "
          + "(`status.heldFleets`)",
      "exactly `fleetSize` running instances in the active fleet, and `status.activeFleet` "
          + "lists exactly those",
      "never two launches of one fleet: moto does not deduplicate ClientToken and keeps "
          + "terminated instances listed, so the instances ever launched with a fleet's tag "
          + "number at most `fleetSize`",
      "the Elastic IP is on a running instance of the active fleet, and `status.elasticIp` says "
          + "which",
      "once Live at the current generation, `status.intent` is cleared",
      "history has exactly one entry per switch that happened: the versions in "
          + "`status.history` are those of the fleets that applied AssociateAddress calls (seen "
          + "by the proxy, answered or not) moved the Elastic IP to, in order",
      "the fleet that served just before the last switch is the retained one "
          + "(`status.previousFleet`) with every instance alive while its TTL runs; no "
          + "TerminateInstances touched it before the switch + TTL; without "
          + "`status.previousFleet` its TTL has passed and it is terminated; a retained fleet "
          + "does not outlive its `expiresAt` by more than " + EXPIRY_GRACE.toSeconds() + " s",
      "every AssociateAddress that moved the Elastic IP to another fleet found "
          + "`status.intent` {kind: Switch, toFleet: that fleet} in the API server when the "
          + "request reached the proxy (the switch was announced before the call)",
      "foreign instances (untagged, and a look-alike with Cutover's tags but another release "
          + "uid) still running");

  private Invariants() {}

  /**
   * @param calls the proxy's log of the run
   * @param unannounced switches the proxy saw without an intent in status
   */
  static List<Move> check(Ec2World ec2, KubernetesClient client, String namespace,
      List<String> foreign, String allocationId, List<Ec2Proxy.Call> calls,
      List<String> unannounced) {
    SoftAssertions soft = new SoftAssertions();
    Instant now = Instant.now();
    List<Instance> all = ec2.all();
    Map<String, Instance> byId = all.stream()
        .collect(Collectors.toMap(Instance::instanceId, Function.identity()));
    List<Move> moves = moves(calls, allocationId, byId);
    List<Release> releases = client.resources(Release.class).inNamespace(namespace).list()
        .getItems();
    Map<String, Release> byKey = releases.stream().collect(Collectors.toMap(
        r -> namespace + "/" + r.getMetadata().getName(), Function.identity()));

    for (Instance i : all) {
      String key = tag(i, Tags.RELEASE);
      if (!"cutover".equals(tag(i, Tags.MANAGED_BY)) || key == null
          || !key.startsWith(namespace + "/") || foreign.contains(i.instanceId())) {
        continue;
      }
      Release owner = byKey.get(key);
      if (isAlive(i)) {
        soft.assertThat(owner).as("no leak: %s (fleet %s) belongs to an existing Release",
            i.instanceId(), tag(i, Tags.FLEET)).isNotNull();
        if (owner != null) {
          soft.assertThat(tag(i, Tags.RELEASE_UID)).as("release-uid tag of %s", i.instanceId())
              .isEqualTo(owner.getMetadata().getUid());
        }
      }
    }

    for (Release r : releases) {
      ReleaseStatus status = r.getStatus();
      String uid = r.getMetadata().getUid();
      List<Instance> mine = all.stream().filter(i -> uid.equals(tag(i, Tags.RELEASE_UID)))
          .toList();
      checkLaunches(soft, r, mine, calls);
      if (status == null || status.activeFleet == null) {
        continue;
      }
      checkRoles(soft, r, mine);
      String active = status.activeFleet.id;
      List<String> aliveActive = mine.stream()
          .filter(i -> active.equals(tag(i, Tags.FLEET)) && isAlive(i))
          .map(Instance::instanceId).sorted().toList();
      soft.assertThat(aliveActive).as("exactly fleetSize (every role's size) running instances in the active fleet")
          .hasSize(r.getSpec().systemSize());
      soft.assertThat(status.activeFleet.instanceIds).as("status matches EC2")
          .containsExactlyInAnyOrderElementsOf(aliveActive);
      var address = ec2.address(allocationId);
      soft.assertThat(address.instanceId()).as("the Elastic IP is on the active fleet")
          .isIn(aliveActive);
      soft.assertThat(status.elasticIp == null ? null : status.elasticIp.instanceId)
          .as("status shows the Elastic IP").isEqualTo(address.instanceId());
      if (status.phase == Phase.Live && Objects.equals(status.observedGeneration,
          r.getMetadata().getGeneration())) {
        soft.assertThat(status.intent).as("intent cleared once Live: %s",
            status.intent == null ? null : describe(status.intent)).isNull();
      }
      checkHistory(soft, r, moves);
      checkRetained(soft, r, mine, moves, calls, byId, now);
    }
    soft.assertThat(unannounced).as("switches made without status.intent announcing them")
        .isEmpty();
    for (String id : foreign) {
      Instance i = byId.get(id);
      soft.assertThat(i == null ? "missing" : i.state().nameAsString())
          .as("foreign %s untouched", id).isEqualTo("running");
    }
    soft.assertAll();
    return moves;
  }

  /** The Elastic IP arriving on another fleet: an applied AssociateAddress, seen by the proxy. */
  record Move(Instant at, String instanceId, String fleet, String version) {}

  /** {@link #moves(List, String, Map)} with the instances read from moto. */
  static List<Move> moves(Ec2World ec2, List<Ec2Proxy.Call> calls, String allocationId) {
    return moves(calls, allocationId, ec2.all().stream()
        .collect(Collectors.toMap(Instance::instanceId, Function.identity())));
  }

  /** Applied AssociateAddress calls of the address that moved it to another fleet, in order. */
  static List<Move> moves(List<Ec2Proxy.Call> calls, String allocationId,
      Map<String, Instance> byId) {
    List<Move> moves = new ArrayList<>();
    for (Ec2Proxy.Call c : calls) {
      if (!c.action().equals("AssociateAddress") || !c.applied()
          || !Objects.equals(allocationId, c.param("AllocationId"))) {
        continue;
      }
      Instance target = byId.get(c.param("InstanceId"));
      String fleet = target == null ? "?" + c.param("InstanceId") : tag(target, Tags.FLEET);
      if (moves.isEmpty() || !moves.get(moves.size() - 1).fleet().equals(fleet)) {
        moves.add(new Move(c.at(), c.param("InstanceId"), fleet,
            target == null ? null : tag(target, Tags.VERSION)));
      }
    }
    return moves;
  }

  private static void checkLaunches(SoftAssertions soft, Release r, List<Instance> mine,
      List<Ec2Proxy.Call> calls) {
    Map<String, List<Instance>> perFleet = mine.stream()
        .collect(Collectors.groupingBy(i -> String.valueOf(tag(i, Tags.FLEET)),
            LinkedHashMap::new, Collectors.toList()));
    perFleet.forEach((fleet, instances) -> {
      if (instances.size() <= r.getSpec().systemSize()) {
        return;
      }
      Set<String> ids = instances.stream().map(Instance::instanceId).collect(Collectors.toSet());
      List<Ec2Proxy.Call> launches = calls.stream().filter(c -> c.action().equals("RunInstances")
          && c.applied() && c.created().stream().anyMatch(ids::contains)).toList();
      Set<String> tokens = new HashSet<>();
      List<String> described = new ArrayList<>();
      for (Ec2Proxy.Call c : launches) {
        String token = c.param("ClientToken");
        described.add("#" + c.seq() + " at " + c.at() + " ClientToken " + token
            + (tokens.add(token) ? "" : " (again: AWS would return the first launch, moto "
                + "launches anew)") + (c.fault() == null ? "" : " [" + c.fault() + "]")
            + " -> " + c.created());
      }
      soft.fail("never two launches of fleet %s (version %s): %d instances launched for "
          + "fleetSize %d by %d applied RunInstances: %s", fleet, tag(instances.get(0),
          Tags.VERSION), instances.size(), r.getSpec().systemSize(), launches.size(), described);
    });
  }

  private static void checkRoles(SoftAssertions soft, Release r, List<Instance> mine) {
    ReleaseStatus s = r.getStatus();
    Set<String> known = new HashSet<>();
    known.add(s.activeFleet.id);
    if (s.previousFleet != null) {
      known.add(s.previousFleet.id);
    }
    if (s.stagingFleet != null) {
      known.add(s.stagingFleet.id);
    }
    if (s.heldFleets != null) {
      s.heldFleets.forEach(h -> known.add(h.id));
    }
    List<String> roleless = mine.stream().filter(Ec2World::isAlive)
        .filter(i -> !known.contains(tag(i, Tags.FLEET)))
        .map(i -> i.instanceId() + " (fleet " + tag(i, Tags.FLEET) + ", " + tag(i, Tags.VERSION)
            + ")").toList();
    soft.assertThat(roleless).as("live instances in no fleet status names (active %s, "
        + "retained %s, staging %s, held %s)", s.activeFleet.id,
        s.previousFleet == null ? null : s.previousFleet.id,
        s.stagingFleet == null ? null : s.stagingFleet.id,
        s.heldFleets == null ? List.of() : s.heldFleets.stream().map(h -> h.id).toList())
        .isEmpty();
  }

  private static void checkHistory(SoftAssertions soft, Release r, List<Move> moves) {
    List<String> recorded = r.getStatus().history == null ? List.of()
        : r.getStatus().history.stream().map(h -> h.to).toList();
    List<String> happened = moves.stream().map(Move::version).toList();
    int limit = 10;
    List<String> expected = happened.subList(Math.max(0, happened.size() - limit),
        happened.size());
    soft.assertThat(recorded).as("status.history (to versions, %s) has one entry per switch "
        + "that happened (%s)", r.getStatus().history == null ? List.of()
        : r.getStatus().history.stream().map(h -> h.from + "->" + h.to + " " + h.reason)
            .toList(), moves.stream().map(m -> m.version() + " at " + m.at()).toList())
        .containsExactlyElementsOf(expected);
  }

  private static void checkRetained(SoftAssertions soft, Release r, List<Instance> mine,
      List<Move> moves, List<Ec2Proxy.Call> calls, Map<String, Instance> byId, Instant now) {
    ReleaseStatus s = r.getStatus();
    Duration ttl = r.getSpec().retention == null ? Duration.ofHours(2)
        : r.getSpec().retention.ttl();

    // No TerminateInstances reached the fleet retained at that moment before switch + TTL.
    for (Ec2Proxy.Call c : calls) {
      if (!c.action().equals("TerminateInstances") || !c.applied()) {
        continue;
      }
      Optional<Integer> last = lastMoveBefore(moves, c.at());
      if (last.isEmpty() || last.get() == 0) {
        continue;
      }
      Move switched = moves.get(last.get());
      String retained = moves.get(last.get() - 1).fleet();
      List<String> hit = c.list("InstanceId").stream().filter(id -> byId.containsKey(id)
          && retained.equals(tag(byId.get(id), Tags.FLEET))).toList();
      if (!hit.isEmpty()) {
        soft.assertThat(c.at()).as("TerminateInstances #%d of %s, of the retained fleet %s, "
            + "not before the switch at %s + TTL %s", c.seq(), hit, retained, switched.at(), ttl)
            .isAfterOrEqualTo(switched.at().plus(ttl).minus(CLOCK_SLACK));
      }
    }
    if (moves.size() < 2) {
      soft.assertThat(s.previousFleet == null ? null : s.previousFleet.id)
          .as("no retained fleet before any switch between fleets").isNull();
      return;
    }
    Move lastSwitch = moves.get(moves.size() - 1);
    String retained = moves.get(moves.size() - 2).fleet();
    List<Instance> retainedInstances = mine.stream()
        .filter(i -> retained.equals(tag(i, Tags.FLEET))).toList();
    long alive = retainedInstances.stream().filter(Ec2World::isAlive).count();
    Instant ends = lastSwitch.at().plus(ttl);
    if (s.previousFleet != null) {
      soft.assertThat(s.previousFleet.id).as("the retained fleet is the one that served just "
          + "before the last switch (at %s)", lastSwitch.at()).isEqualTo(retained);
      if (s.previousFleet.id.equals(retained) && now.isBefore(ends)) {
        int keep = r.getSpec().retention == null ? 0 : r.getSpec().retention.keep();
        soft.assertThat(alive).as("retained fleet %s alive while its TTL runs (until %s)",
            retained, ends).isEqualTo(keep == 0 ? r.getSpec().systemSize() : keep);
      }
      if (s.previousFleet.expiresAt != null) {
        Instant expires = Instant.parse(s.previousFleet.expiresAt);
        soft.assertThat(expires).as("retained fleet %s expires no earlier than the switch + "
            + "TTL", retained).isAfterOrEqualTo(ends.minus(CLOCK_SLACK).minusSeconds(1));
        soft.assertThat(now).as("retained fleet %s terminated once its TTL passed (expiresAt "
            + "%s)", retained, expires).isBefore(expires.plus(EXPIRY_GRACE));
      }
    } else {
      soft.assertThat(now).as("the retained fleet %s was dropped from status only after the "
          + "switch at %s + TTL %s", retained, lastSwitch.at(), ttl)
          .isAfterOrEqualTo(ends.minus(CLOCK_SLACK));
      soft.assertThat(alive).as("the retained fleet %s is terminated once its TTL passed",
          retained).isZero();
    }
  }

  private static Optional<Integer> lastMoveBefore(List<Move> moves, Instant at) {
    Integer found = null;
    for (int i = 0; i < moves.size(); i++) {
      if (!moves.get(i).at().isAfter(at)) {
        found = i;
      }
    }
    return Optional.ofNullable(found);
  }

  static String describe(Intent i) {
    return i.kind + " " + i.fromVersion + "(" + i.fromFleet + ")->" + i.toVersion + "("
        + i.toFleet + ") " + i.reason + " at " + i.at;
  }
}
