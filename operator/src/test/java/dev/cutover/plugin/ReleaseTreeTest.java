package dev.cutover.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.api.ActiveFleet;
import dev.cutover.api.AddressStatus;
import dev.cutover.api.ElasticIpStatus;
import dev.cutover.api.Failure;
import dev.cutover.api.FleetInstance;
import dev.cutover.api.HeldFleet;
import dev.cutover.api.Phase;
import dev.cutover.api.PreviousFleet;
import dev.cutover.api.Promotion;
import dev.cutover.api.Release;
import dev.cutover.api.ReleaseSpec;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.api.StagingFleet;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tree of a Release, drawn at a fixed time. */
class ReleaseTreeTest {

  static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

  @Test
  void aBlueGreenInProgressShowsProductionTheRetainedFleetAndTheStagedInstancesWithTheirChecks() {
    Release r = release("storefront", "2.6.0", 3, 3);
    ReleaseStatus s = r.getStatus();
    s.phase = Phase.Verifying;
    s.conditions = List.of(
        condition("Ready", "False", "Verifying", "Checking 2.6.0 before the switch."),
        condition("Reconciling", "True", "Verifying", "Checking 2.6.0 before the switch."),
        condition("Stalled", "False", "Verifying", ""),
        condition("Available", "True", "Serving", "2.5.0 serves."));
    s.activeFleet = active("3f2a9c1e0b", "2.5.0", List.of("i-b0", "i-b1", "i-b2"), "i-b0",
        "2025-03-01T11:30:00Z");
    s.previousFleet = previous("9d8e7f6a5b", "2.4.1", List.of("i-a0", "i-a1"),
        "2025-03-01T13:30:00Z");
    s.stagingFleet = staging("11aa22bb33", "2.6.0", "2025-03-01T11:59:00Z",
        "2025-03-01T12:04:00Z", null,
        instance("i-c1", 1, null, "pending", "status initializing"),
        instance("i-c0", 0, null, "running", "status ok, http 2/3"),
        instance("i-c2", 2, null, "running", "status ok, http 3/3"));
    s.addresses = List.of(address(null, 0, "eipalloc-1", "203.0.113.7", "i-b0", "2.5.0"),
        address("preview", null, "eipalloc-2", "198.51.100.4", "i-c0", "2.6.0"));

    String tree = ReleaseTree.render(r, List.of(
        event("Launched", "Normal", "Staging: launched 3 instances for 2.6.0.", 1,
            "2025-03-01T11:59:00Z"),
        event("HttpCheckFailed", "Warning", "i-c0 answered 503.", 4, "2025-03-01T11:59:50Z")),
        Map.of(), NOW);

    assertThat(tree).isEqualTo("""
        Release shop/storefront  2.6.0  Verifying
          Ready=False Verifying: Checking 2.6.0 before the switch.
          Reconciling=True Verifying
        ├─ addresses
        │  ├─ 203.0.113.7   eipalloc-1          → i-b0 (2.5.0)
        │  └─ 198.51.100.4  eipalloc-2 preview  → i-c0 (2.6.0)
        ├─ active    2.5.0  fleet 3f2a9c1e0b  live since 30m ago  t3.small×3
        │  ├─ i-b0  ← 203.0.113.7
        │  ├─ i-b1
        │  └─ i-b2
        ├─ retained  2.4.1  fleet 9d8e7f6a5b  expires in 1h30m
        │  ├─ i-a0
        │  └─ i-a1
        └─ staging   2.6.0  fleet 11aa22bb33  started 1m ago  deadline in 4m
           ├─ i-c0  running  slot 0  t3.small  status ok, http 2/3  ← 198.51.100.4 (preview)
           ├─ i-c1  pending  slot 1  t3.small  status initializing
           └─ i-c2  running  slot 2  t3.small  status ok, http 3/3
        Events
          1m ago            Launched            Staging: launched 3 instances for 2.6.0.
          10s ago  Warning  HttpCheckFailed ×4  i-c0 answered 503.
        """);
  }

  @Test
  void aSystemOfRolesNamesEachAddressByRoleAndSlotAndTheInstancesSeenWhileStagedKeepTheirRole() {
    Release r = release("shop", "3.0.0", 3, 3);
    ReleaseStatus s = r.getStatus();
    s.phase = Phase.Live;
    s.conditions = List.of(condition("Ready", "True", "Live", "3.0.0 serves."));
    s.activeFleet = active("77aa", "3.0.0", List.of("i-w0", "i-a0", "i-w1"), "i-w0",
        "2025-03-01T11:58:00Z");
    s.addresses = List.of(address("web", 0, "eipalloc-w0", "203.0.113.10", "i-w0", "3.0.0"),
        address("web", 1, "eipalloc-w1", "203.0.113.11", "i-w1", "3.0.0"),
        address("api", 0, "eipalloc-a0", "203.0.113.20", null, null));
    Map<String, FleetInstance> seenWhileStaged = Map.of(
        "i-w0", instance("i-w0", 0, "web", "running", "status ok"),
        "i-w1", instance("i-w1", 1, "web", "running", "status ok"),
        "i-a0", instance("i-a0", 0, "api", "running", "status ok"));

    String tree = ReleaseTree.render(r, List.of(), seenWhileStaged, NOW);

    assertThat(tree).isEqualTo("""
        Release shop/shop  3.0.0  Live
          Ready=True Live: 3.0.0 serves.
        ├─ addresses
        │  ├─ 203.0.113.10  eipalloc-w0 web[0]  → i-w0 (3.0.0)
        │  ├─ 203.0.113.11  eipalloc-w1 web[1]  → i-w1 (3.0.0)
        │  └─ 203.0.113.20  eipalloc-a0 api[0]  → nothing
        └─ active    3.0.0  fleet 77aa  live since 2m ago  t3.small×3
           ├─ i-w0  web slot 0  t3.small  ← 203.0.113.10
           ├─ i-a0  api slot 0  t3.small
           └─ i-w1  web slot 1  t3.small  ← 203.0.113.11
        """);
  }

  @Test
  void aFailedAbortedManualReleaseSaysSoWithTheFailureAndTheFleetKeptForDebugging() {
    Release r = release("pay", "2.0.0", 1, 4);
    r.getMetadata().setAnnotations(Map.of(ReleaseActions.ABORT_ANNOTATION, "4"));
    r.getSpec().promotion = new Promotion();
    r.getSpec().promotion.mode = Promotion.Mode.Manual;
    ReleaseStatus s = r.getStatus();
    s.phase = Phase.Failed;
    s.observedGeneration = 4L;
    s.conditions = List.of(condition("Ready", "False", "DeadlineExceeded", "2.0.0 failed."),
        condition("Stalled", "True", "DeadlineExceeded", "Change the spec to try again."));
    s.lastFailure = new Failure();
    s.lastFailure.version = "2.0.0";
    s.lastFailure.generation = 4L;
    s.lastFailure.reason = "DeadlineExceeded";
    s.lastFailure.message = "2.0.0 was not verified within 10m.";
    s.lastFailure.at = "2025-03-01T11:55:00Z";
    s.activeFleet = active("aa", "1.0.0", List.of("i-1"), "i-1", "2025-03-01T10:00:00Z");
    s.elasticIp = new ElasticIpStatus();
    s.elasticIp.publicIp = "203.0.113.7";
    s.elasticIp.allocationId = "eipalloc-1";
    s.elasticIp.instanceId = "i-1";
    HeldFleet held = new HeldFleet();
    held.id = "bb";
    held.version = "2.0.0";
    held.instanceIds = List.of("i-2");
    held.reason = "KeptForDebugging";
    held.until = "2025-03-01T12:25:00Z";
    s.heldFleets = List.of(held);

    assertThat(ReleaseTree.render(r, List.of(), Map.of(), NOW)).isEqualTo("""
        Release shop/pay  2.0.0  Failed
          promotion Manual, nothing approved
          aborted at generation 4 (kubectl cutover retry pay stages it again)
          Ready=False DeadlineExceeded: 2.0.0 failed.
          Stalled=True DeadlineExceeded: Change the spec to try again.
          failed   2.0.0 DeadlineExceeded 5m ago: 2.0.0 was not verified within 10m.
        ├─ addresses
        │  └─ 203.0.113.7  eipalloc-1  → i-1
        ├─ active    1.0.0  fleet aa  live since 2h ago  t3.small×3
        │  └─ i-1  ← 203.0.113.7
        └─ held      2.0.0  fleet bb  KeptForDebugging  until in 25m
           └─ i-2
        """);
  }

  @Test
  void aReleaseCutoverHasNotSeenYetHasNoTreeAndAStaleStatusIsPointedOut() {
    Release fresh = release("new", "1.0.0", 2, 1);
    fresh.setStatus(null);
    assertThat(ReleaseTree.render(fresh, List.of(), Map.of(), NOW))
        .isEqualTo("Release shop/new  1.0.0  (not reconciled yet)\n");

    Release stale = release("old", "1.1.0", 2, 3);
    stale.getStatus().observedGeneration = 2L;
    stale.getStatus().phase = Phase.Live;
    stale.getSpec().paused = true;
    assertThat(ReleaseTree.render(stale, List.of(), Map.of(), NOW)).startsWith("""
        Release shop/old  1.1.0  Live
          PAUSED: Cutover changes nothing in EC2
          status is of generation 2, the spec is at 3: Cutover has not acted on the change yet
        """);
  }

  @Test
  void severalReleasesAreDrawnByNamespaceAndName() {
    Release b = release("b", "1.0.0", 1, 1);
    Release a = release("a", "1.0.0", 1, 1);
    a.getStatus().phase = Phase.Pending;
    b.getStatus().phase = Phase.Pending;
    assertThat(ReleaseTree.renderAll(List.of(b, a), Map.of(), NOW)).isEqualTo("""
        Release shop/a  1.0.0  Pending
        
        Release shop/b  1.0.0  Pending
        """);
    assertThat(ReleaseTree.renderAll(List.of(), Map.of(), NOW)).isEqualTo("No Releases.\n");
  }

  @Test
  void onlyTheLatestEventsAreShownOldestFirst() {
    Release r = release("busy", "1.0.0", 1, 1);
    r.getStatus().phase = Phase.Live;
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      events.add(event("Step" + i, "Normal", "step " + i, 1,
          NOW.minusSeconds(120 - i * 10L).toString()));
    }
    String tree = ReleaseTree.render(r, events, Map.of(), NOW);
    assertThat(tree).contains("Events (latest 8 of 12)").doesNotContain("Step3 ")
        .contains("Step4 ").contains("Step11");
    assertThat(tree.indexOf("Step4")).isLessThan(tree.indexOf("Step11"));
  }

  @Test
  void relativeTimesReadAsPeopleSayThem() {
    assertThat(Times.relative(NOW.plusSeconds(240), NOW)).isEqualTo("in 4m");
    assertThat(Times.relative(NOW.minusSeconds(130), NOW)).isEqualTo("2m10s ago");
    assertThat(Times.relative(NOW.plusSeconds(7080), NOW)).isEqualTo("in 1h58m");
    assertThat(Times.relative(NOW.minusSeconds(3 * 86400 + 4 * 3600), NOW)).isEqualTo("3d4h ago");
    assertThat(Times.relative(NOW, NOW)).isEqualTo("now");
    assertThat(Times.relative("not a time", NOW)).isEqualTo("not a time");
  }

  @Test
  void historyIsATableWithAges() {
    var first = new dev.cutover.api.HistoryEntry(null, "2.4.1", "2025-03-01T10:00:00Z",
        "Promoted");
    var back = new dev.cutover.api.HistoryEntry("2.5.0", "2.4.1", "2025-03-01T11:59:00Z",
        "SwitchedBack");
    assertThat(KubectlCutover.historyTable(List.of(first, back), NOW)).isEqualTo("""
        AT                    AGE  FROM   TO     REASON
        2025-03-01T10:00:00Z  2h   -      2.4.1  Promoted
        2025-03-01T11:59:00Z  1m   2.5.0  2.4.1  SwitchedBack
        """);
    assertThat(KubectlCutover.historyTable(List.of(), NOW)).isEqualTo("No switches yet.\n");
  }

  // ------------------------------------------------------------------ building a Release

  static Release release(String name, String version, int size, long generation) {
    Release r = new Release();
    r.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("shop")
        .withGeneration(generation).build());
    r.setSpec(new ReleaseSpec());
    r.getSpec().version = version;
    r.getSpec().fleetSize = size;
    ReleaseStatus s = new ReleaseStatus();
    s.observedGeneration = generation;
    r.setStatus(s);
    return r;
  }

  static Condition condition(String type, String status, String reason, String message) {
    return new ConditionBuilder().withType(type).withStatus(status).withReason(reason)
        .withMessage(message).build();
  }

  static ActiveFleet active(String id, String version, List<String> ids, String primary,
      String since) {
    ActiveFleet a = new ActiveFleet();
    a.id = id;
    a.version = version;
    a.instanceIds = ids;
    a.primaryInstanceId = primary;
    a.since = since;
    a.instanceTypes = Map.of("t3.small", 3);
    return a;
  }

  static PreviousFleet previous(String id, String version, List<String> ids, String expires) {
    PreviousFleet p = new PreviousFleet();
    p.id = id;
    p.version = version;
    p.instanceIds = ids;
    p.expiresAt = expires;
    return p;
  }

  static StagingFleet staging(String id, String version, String started, String deadline,
      String verified, FleetInstance... instances) {
    StagingFleet s = new StagingFleet();
    s.id = id;
    s.version = version;
    s.startedAt = started;
    s.deadline = deadline;
    s.verifiedAt = verified;
    s.instances = List.of(instances);
    return s;
  }

  static FleetInstance instance(String id, int slot, String role, String state, String checks) {
    FleetInstance i = new FleetInstance();
    i.id = id;
    i.slot = slot;
    i.role = role;
    i.state = state;
    i.instanceType = "t3.small";
    i.checks = checks;
    return i;
  }

  static AddressStatus address(String role, Integer index, String allocationId, String ip,
      String instanceId, String version) {
    AddressStatus a = new AddressStatus();
    a.role = role;
    a.index = index;
    a.allocationId = allocationId;
    a.publicIp = ip;
    a.instanceId = instanceId;
    a.version = version;
    return a;
  }

  static Event event(String reason, String type, String message, int count, String at) {
    return new EventBuilder().withNewMetadata().withName(reason.toLowerCase())
        .withNamespace("shop").endMetadata().withReason(reason).withType(type)
        .withMessage(message).withCount(count).withLastTimestamp(at).build();
  }
}
