package dev.cutover.decide;

import dev.cutover.api.ActiveFleet;
import dev.cutover.api.PostSwitch;
import dev.cutover.api.PreviousFleet;
import dev.cutover.api.Promotion;
import dev.cutover.api.Release;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.api.Retention;
import dev.cutover.api.StagingFleet;
import dev.cutover.api.Verification;
import dev.cutover.decide.Action.Associate;
import dev.cutover.decide.Action.Launch;
import dev.cutover.decide.Action.Terminate;
import dev.cutover.api.HttpCheck;
import dev.cutover.ec2.ElasticIp;
import dev.cutover.observe.HttpCheckResult;
import dev.cutover.ec2.InstanceState;
import dev.cutover.ec2.ManagedInstance;
import dev.cutover.ec2.ManagedInstance.StatusChecks;
import dev.cutover.observe.ObservedWorld;
import dev.cutover.testworld.ReleaseBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A small language for the decide tables (and the status tests): a Release, its status, and the
 * EC2 world.
 */
public final class Given {

  public static final Instant T0 = Instant.parse("2026-11-27T12:00:00Z");
  public static final String UID = "5b1c7d2e-0000-4000-8000-000000000001";
  public static final String KEY = "shop/app";
  public static final String EIP = "eipalloc-0123456789abcdef0";

  public final Release release;
  public final List<ManagedInstance> instances = new ArrayList<>();
  /** The user's address, already claimed by the Release (Claims plans the claim otherwise). */
  public ElasticIp address = new ElasticIp(EIP, "203.0.113.7", null, null, null, UID, KEY);
  public Instant now = T0;
  public final java.util.Map<String, HttpCheckResult> http = new java.util.HashMap<>();
  private int nextId = 1;

  private Given(String version, int size) {
    release = ReleaseBuilder.named("app").build();
    release.getMetadata().setNamespace("shop");
    release.getMetadata().setUid(UID);
    release.getMetadata().setGeneration(1L);
    release.getSpec().version = version;
    release.getSpec().fleetSize = size;
    release.getSpec().verification = new Verification();
    release.getSpec().verification.instanceStatusChecks = true;
    release.getSpec().verification.deadline = "15m";
    release.getSpec().promotion = new Promotion();
    release.getSpec().promotion.mode = Promotion.Mode.Auto;
    release.getSpec().promotion.soak = "0s";
    release.getSpec().retention = new Retention();
    release.getSpec().retention.previousFleetTTL = "2h";
    release.getSpec().retention.previousFleetSize = 0;
    release.getSpec().postSwitch = new PostSwitch();
    release.getSpec().postSwitch.verify = true;
    release.getSpec().postSwitch.window = "2m";
    release.getSpec().postSwitch.revertOnFailure = true;
    release.getSpec().paused = false;
    release.getSpec().deletionPolicy = dev.cutover.api.DeletionPolicy.Delete;
    release.setStatus(new ReleaseStatus());
  }

  public static Given release(String version, int size) {
    return new Given(version, size);
  }

  public static final String EIP2 = "eipalloc-0123456789abcdef1";
  public static final String PREVIEW = "eipalloc-0123456789abcdef9";

  /**
   * A system: web (2 instances, 2 Elastic IPs: {@link #EIP} for slot 0, the primary, and
   * {@link #EIP2} for slot 1) and worker (1 instance, no address); both addresses claimed.
   */
  public static Given system(String version) {
    Given g = new Given(version, 1);
    var spec = g.release.getSpec();
    spec.roles = new ArrayList<>(List.of(role("web", 2, spec.template, EIP, EIP2),
        role("worker", 1, spec.template)));
    spec.roles.get(1).template = ReleaseBuilder.named("w").build().getSpec().template;
    spec.roles.get(1).template.instanceType = "c5.large";
    spec.fleetSize = null;
    spec.template = null;
    spec.elasticIp = null;
    g.addresses.put(EIP2, new ElasticIp(EIP2, "203.0.113.8", null, null, null, UID, KEY));
    return g;
  }

  private static dev.cutover.api.RoleSpec role(String name, int size,
      dev.cutover.api.InstanceTemplate template, String... allocationIds) {
    var role = new dev.cutover.api.RoleSpec();
    role.name = name;
    role.size = size;
    role.template = template;
    role.elasticIps = new ArrayList<>();
    for (String id : allocationIds) {
      var a = new dev.cutover.api.ElasticIpSpec();
      a.allocationId = id;
      role.elasticIps.add(a);
    }
    return role;
  }

  /** The other addresses the Release names (besides {@link #address}), by allocation id. */
  public final java.util.Map<String, ElasticIp> addresses = new java.util.LinkedHashMap<>();

  /** The preview address (claimed, pointing at nothing), named by the spec. */
  public Given preview() {
    release.getSpec().preview = new dev.cutover.api.ElasticIpSpec();
    release.getSpec().preview.allocationId = PREVIEW;
    addresses.put(PREVIEW, new ElasticIp(PREVIEW, "203.0.113.9", null, null, null, UID, KEY));
    return this;
  }

  /** Every instance of each role of a version, one per slot, launched at T0. */
  public Given systemFleet(String version, InstanceState state) {
    for (var role : release.getSpec().roles) {
      for (int slot = 0; slot < role.size; slot++) {
        member(version, role.name, slot, state);
      }
    }
    return this;
  }

  public Given member(String version, String role, int slot, InstanceState state) {
    instances.add(new ManagedInstance("i-" + version.replace(".", "") + "-" + role + slot + "-"
        + nextId++, UID, KEY, fleetId(version), version, slot, state, "127.16.0." + nextId,
        null, T0, StatusChecks.OK, role));
    return this;
  }

  public String id(String version, String role, int slot) {
    return instances.stream().filter(i -> i.version().equals(version) && i.holds(role, slot)
        && i.state().isAlive()).findFirst().orElseThrow().id();
  }

  /** Points an address (the primary {@link #EIP} or another) at a member of a version. */
  public Given addressOn(String allocationId, String version, String role, int slot) {
    String holder = id(version, role, slot);
    if (allocationId.equals(EIP)) {
      address = address.associatedWith(holder);
    } else {
      addresses.put(allocationId, addresses.get(allocationId).associatedWith(holder));
    }
    return this;
  }

  public Given spec(Consumer<Release> change) {
    change.accept(release);
    return this;
  }

  /** A new spec: the change, and the generation moves on. */
  public Given change(Consumer<Release> change) {
    change.accept(release);
    release.getMetadata().setGeneration(release.getMetadata().getGeneration() + 1);
    return this;
  }

  public Given generation(long generation) {
    release.getMetadata().setGeneration(generation);
    return this;
  }

  /** The Release is being deleted (its deletionTimestamp set at T0). */
  public Given deleting() {
    release.getMetadata().setDeletionTimestamp(T0.toString());
    return this;
  }

  public Given at(Instant when) {
    now = when;
    return this;
  }

  public String fleetId(String version) {
    String current = release.getSpec().version;
    release.getSpec().version = version;
    String id = FleetIds.of(release.getSpec(), pins());
    release.getSpec().version = current;
    return id;
  }

  /** The measurements of the metric checks (none unless a row says so). */
  public dev.cutover.observe.MeasuredMetrics metrics = dev.cutover.observe.MeasuredMetrics.NONE;

  /** The metric checks of {@code stage} measured {@code version}'s fleet with these results. */
  public Given measured(String stage, String version, List<dev.cutover.api.MetricCheck> checks,
      java.util.Map<String, dev.cutover.observe.MetricResult> results) {
    metrics = new dev.cutover.observe.MeasuredMetrics(new dev.cutover.observe.MetricTarget(
        stage, fleetId(version), version, KEY, List.of(), checks).signature(), results);
    return this;
  }

  /** The launch template versions EC2 shows (none unless a row says so). */
  public dev.cutover.observe.LaunchTemplates launchTemplates =
      dev.cutover.observe.LaunchTemplates.NONE;

  public static final String TEMPLATE_ID = "lt-0123456789abcdef0";

  /**
   * The spec launches from the template named {@code web}, asking for {@code requested}, and
   * EC2 shows {@code number} for it (the template sets no metadata tokens).
   */
  public Given launchTemplate(String requested, long number) {
    var ref = new dev.cutover.api.LaunchTemplateRef();
    ref.name = "web";
    ref.version = requested;
    release.getSpec().template.launchTemplate = ref;
    return templateVersion(number);
  }

  /** EC2 now shows {@code number} for the spec's launch template ($Latest moved). */
  public Given templateVersion(long number) {
    var ref = release.getSpec().template.launchTemplate;
    launchTemplates = new dev.cutover.observe.LaunchTemplates(java.util.Map.of(ref.key(),
        new dev.cutover.ec2.LaunchTemplateVersion(TEMPLATE_ID, ref.name, number,
            "ami-0123456789abcdef0", "t3.small", null)), java.util.Map.of());
    return this;
  }

  /** EC2 did not show the spec's launch template: it answered {@code code}. */
  public Given templateUnreadable(String code, boolean retryable) {
    var ref = release.getSpec().template.launchTemplate;
    launchTemplates = new dev.cutover.observe.LaunchTemplates(java.util.Map.of(),
        java.util.Map.of(ref.key(), new dev.cutover.observe.LaunchTemplates.Problem(code,
            "(generated)", retryable)));
    return this;
  }

  /** The pins of what EC2 shows now, as the policy computes them for a single-role spec. */
  private java.util.Map<String, FleetIds.Pin> pins() {
    var ref = release.getSpec().template == null ? null
        : release.getSpec().template.launchTemplate;
    if (ref == null) {
      return java.util.Map.of();
    }
    return launchTemplates.version(ref).map(v -> java.util.Map.of("",
        new FleetIds.Pin(v.templateId(), v.number()))).orElse(java.util.Map.of());
  }

  /** {@code count} instances of a version in slots 0..count-1, launched at T0. */
  public Given fleet(String version, int count, InstanceState state) {
    return fleet(version, count, state, StatusChecks.OK, T0);
  }

  public Given fleet(String version, int count, InstanceState state, StatusChecks checks,
      Instant launched) {
    for (int slot = 0; slot < count; slot++) {
      instance(version, slot, state, checks, launched);
    }
    return this;
  }

  public Given instance(String version, int slot, InstanceState state, StatusChecks checks,
      Instant launched) {
    instances.add(new ManagedInstance("i-" + version.replace(".", "") + "-" + slot + "-"
        + nextId++, UID, KEY, fleetId(version), version, slot, state, "127.16.0." + nextId,
        null, launched, checks));
    return this;
  }

  public String id(String version, int slot) {
    return instances.stream().filter(i -> i.version().equals(version) && i.slot() == slot
        && i.state().isAlive()).findFirst().orElseThrow().id();
  }

  public Given eipOn(String version, int slot) {
    address = address.associatedWith(id(version, slot));
    return this;
  }

  /** The address still names a terminated instance (moto; AWS clears it). */
  public Given withEipOnDead(String version, int slot) {
    String dead = instances.stream().filter(i -> i.version().equals(version) && i.slot() == slot
        && !i.state().isAlive()).findFirst().orElseThrow().id();
    address = address.associatedWith(dead);
    return this;
  }

  public Given noEipHolder() {
    address = address.associatedWith(null);
    return this;
  }

  public Given noAddress() {
    address = null;
    return this;
  }

  /** The phase the recorded status says. */
  public Given phase(dev.cutover.api.Phase phase) {
    release.getStatus().phase = phase;
    return this;
  }

  public Given active(String version) {
    ActiveFleet a = new ActiveFleet();
    a.id = fleetId(version);
    a.version = version;
    a.since = T0.toString();
    release.getStatus().activeFleet = a;
    return this;
  }

  public Given previous(String version, Instant expiresAt) {
    PreviousFleet p = new PreviousFleet();
    p.id = fleetId(version);
    p.version = version;
    p.expiresAt = expiresAt.toString();
    release.getStatus().previousFleet = p;
    return this;
  }

  public Given staging(String version, Instant startedAt, Instant verifiedAt) {
    StagingFleet s = new StagingFleet();
    s.id = fleetId(version);
    s.version = version;
    s.startedAt = startedAt.toString();
    s.verifiedAt = verifiedAt == null ? null : verifiedAt.toString();
    release.getStatus().stagingFleet = s;
    return this;
  }

  public Given failed(String version, long generation) {
    var f = new dev.cutover.api.Failure();
    f.fleetId = fleetId(version);
    f.version = version;
    f.generation = generation;
    f.reason = "InstanceLost";
    f.message = "instance lost.";
    release.getStatus().lastFailure = f;
    return this;
  }

  public Given failedPostSwitch(String version, long generation) {
    failed(version, generation);
    release.getStatus().lastFailure.reason = "PostSwitchCheckFailed";
    return this;
  }

  /** Addresses tagged as allocated for the Release (elasticIp.allocate). */
  public final List<ElasticIp> owned = new ArrayList<>();

  /** When the poll the world comes from started (null: not from a poll, polled since ever). */
  public Instant polledAt;

  /** The world as a poll started at {@code at} saw it. */
  public Given polledAt(Instant at) {
    polledAt = at;
    return this;
  }

  public ObservedWorld world() {
    ObservedWorld world = new ObservedWorld(List.copyOf(instances), Optional.ofNullable(address),
        http, List.copyOf(owned)).withTenancy(tenancy).withAddresses(addresses)
        .withLaunchTemplates(launchTemplates).withMetrics(metrics)
        .withRequests(dev.cutover.observe.Requests.of(release));
    return polledAt == null ? world : world.withPolledAt(polledAt);
  }

  /** The annotation cutover.dev/abort set to {@code value} (null: removed). */
  public Given abortAnnotation(String value) {
    return annotate(Release.ABORT_ANNOTATION, value);
  }

  /** A person aborts the current generation (cutover.dev/abort = metadata.generation). */
  public Given abort() {
    return abortAnnotation(String.valueOf(release.getMetadata().getGeneration()));
  }

  /** A person asks for a retry with this token (cutover.dev/retry; null: removed). */
  public Given retry(String token) {
    return annotate(Release.RETRY_ANNOTATION, token);
  }

  private Given annotate(String key, String value) {
    var annotations = new java.util.HashMap<String, String>(
        release.getMetadata().getAnnotations() == null ? java.util.Map.of()
            : release.getMetadata().getAnnotations());
    if (value == null) {
      annotations.remove(key);
    } else {
      annotations.put(key, value);
    }
    release.getMetadata().setAnnotations(annotations);
    return this;
  }

  /** What the cluster's AwsAccounts allow (none by default: the operator's own account). */
  public dev.cutover.observe.Tenancy tenancy = dev.cutover.observe.Tenancy.none();

  public Given tenancy(dev.cutover.observe.Tenancy observed) {
    tenancy = observed;
    return this;
  }

  /** The last EC2 call of {@code action} failed with {@code code}; retried at {@code retryAt}. */
  public Given error(String action, String code, Instant retryAt) {
    var e = new dev.cutover.api.ActionError();
    e.action = action;
    e.operation = action.split("/")[0];
    e.code = code;
    e.message = code + " (generated)";
    e.attempts = 1;
    e.at = T0.toString();
    e.retryAt = retryAt.toString();
    release.getStatus().errors = new java.util.ArrayList<>(List.of(e));
    return this;
  }

  /** EC2 refused to terminate this instance (termination protection); retried at retryAt. */
  public Given refusedTermination(String version, int slot, Instant retryAt) {
    String id = id(version, slot);
    error("TerminateInstances/" + id, "OperationNotPermitted", retryAt);
    release.getStatus().errors.get(0).operation = "TerminateInstances";
    release.getStatus().errors.get(0).message = "The instance '" + id + "' may not be terminated. "
        + "Modify its 'disableApiTermination' instance attribute and try again.";
    return this;
  }

  /** Status recorded, before a call, that production moves from one version to another. */
  public Given switchIntent(String from, String to, String reason, Instant at) {
    var i = new dev.cutover.api.Intent();
    i.kind = dev.cutover.api.Intent.Kind.Switch;
    i.fromFleet = fleetId(from);
    i.fromVersion = from;
    i.toFleet = fleetId(to);
    i.toVersion = to;
    i.reason = reason;
    i.at = at.toString();
    release.getStatus().intent = i;
    return this;
  }

  /** Status recorded, before the call, that an address was asked for. */
  public Given allocationIntent(Instant at) {
    var i = new dev.cutover.api.Intent();
    i.kind = dev.cutover.api.Intent.Kind.AllocateAddress;
    i.at = at.toString();
    release.getStatus().intent = i;
    return this;
  }

  public Given allocate() {
    release.getSpec().elasticIp.allocationId = null;
    release.getSpec().elasticIp.allocate = true;
    return this;
  }

  /** An address allocated for the Release, associated with nothing. */
  public Given ownedAddress(String allocationId) {
    ElasticIp a = new ElasticIp(allocationId, "198.51.100." + (owned.size() + 1), null, null, UID);
    owned.add(a);
    if (address == null) {
      address = a;
    }
    return this;
  }

  /** HTTP checks on (threshold 2), and the given results per slot of a version. */
  public Given httpCheck() {
    HttpCheck check = new HttpCheck();
    check.successThreshold = 2;
    release.getSpec().verification.http = check;
    return this;
  }

  public Given http(String version, int slot, int successes, int failures) {
    http.put(id(version, slot), new HttpCheckResult(successes, failures,
        successes >= 2 ? T0 : null, failures > 0 ? "status 500" : "status 200"));
    return this;
  }

  public Given activeSince(String version, Instant since) {
    active(version);
    release.getStatus().activeFleet.since = since.toString();
    return this;
  }

  /** The status the plan writes once its actions succeed. */
  public dev.cutover.api.ReleaseStatus status(Plan plan) {
    return dev.cutover.status.StatusBuilder.build(release, plan, world(), now);
  }

  /** Builds the status of the plan decided now and writes it, as a successful reconcile does. */
  public dev.cutover.api.ReleaseStatus reconcile() {
    dev.cutover.api.ReleaseStatus status = status(decide());
    release.setStatus(status);
    return status;
  }

  private static String label(String allocationId) {
    return allocationId.equals(EIP) ? "eip1" : allocationId.equals(EIP2) ? "eip2"
        : allocationId.equals(PREVIEW) ? "preview" : allocationId;
  }

  private static String place(ManagedInstance i) {
    return i.role().isEmpty() ? String.valueOf(i.slot()) : i.role() + "/" + i.slot();
  }

  public Plan decide() {
    return Decider.decide(release, world(), now);
  }

  /** A plan in words: "launch 2.0.0 [0, 1]", "associate 2.0.0/0", "terminate 1.0.0 [1, 2]". */
  public List<String> summary(Plan plan) {
    return plan.actions().stream().map(a -> {
      if (a instanceof Launch l) {
        return "launch " + l.version() + " " + (l.role().isEmpty() ? "" : l.role() + " ")
            + l.slots();
      }
      if (a instanceof Associate as) {
        ManagedInstance target = instances.stream().filter(i -> i.id().equals(as.instanceId()))
            .findFirst().orElseThrow();
        return "associate " + (target.role().isEmpty() ? ""
            : label(as.address().allocationId()) + " ") + target.version() + "/"
            + place(target);
      }
      if (a instanceof Terminate t) {
        return "terminate " + instances.stream().filter(i -> t.instanceIds().contains(i.id()))
            .map(i -> i.version() + "/" + place(i)).sorted().toList();
      }
      if (a instanceof Action.Drain dr) {
        return "drain " + instances.stream().filter(i -> dr.instanceIds().contains(i.id()))
            .map(i -> i.version() + "/" + place(i)).sorted().toList();
      }
      if (a instanceof Action.CallHook h) {
        return "hook " + h.event() + " " + instances.stream()
            .filter(i -> i.fleetId().equals(h.fleetId())).map(ManagedInstance::version)
            .findFirst().orElse(h.fleetId());
      }
      return a.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }).toList();
  }
}
