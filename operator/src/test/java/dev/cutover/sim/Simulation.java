package dev.cutover.sim;

import dev.cutover.CutoverMetrics;
import dev.cutover.ReleasePass;
import dev.cutover.ec2.Ec2Failure;
import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.act.PlanExecutor;
import dev.cutover.api.DeletionPolicy;
import dev.cutover.api.Drain;
import dev.cutover.api.DrainCall;
import dev.cutover.api.Hooks;
import dev.cutover.api.Webhook;
import dev.cutover.decide.Action;
import dev.cutover.observe.ObservedWorld;
import dev.cutover.api.ElasticIpSpec;
import dev.cutover.api.HttpCheck;
import dev.cutover.api.InstanceTemplate;
import dev.cutover.api.Phase;
import dev.cutover.api.Intent;
import dev.cutover.api.PostSwitch;
import dev.cutover.api.Promotion;
import dev.cutover.api.Release;
import dev.cutover.api.ReleaseSpec;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.api.Retention;
import dev.cutover.api.RoleLayout;
import dev.cutover.api.RoleSpec;
import dev.cutover.api.Verification;
import dev.cutover.decide.FleetIds;
import dev.cutover.observe.Ec2Inventory;
import dev.cutover.ec2.Tags;
import dev.cutover.sim.SimulatedEc2.Call;
import dev.cutover.sim.SimulatedEc2.Fault;
import dev.cutover.sim.SimulatedEc2.ProcessDied;
import dev.cutover.sim.SimulatedEc2.SimAddress;
import dev.cutover.sim.SimulatedEc2.SimInstance;
import dev.cutover.testworld.ReleaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;

/**
 * One Release (a single role behind one Elastic IP, or a system of roles with several, see
 * {@link World}), the real reconcile pass ({@link ReleasePass} with the real inventory, gateway and
 * executor) and a simulated world around it: EC2 with AWS semantics ({@link SimulatedEc2}), the
 * API server ({@link SimApiServer}), HTTP checks ({@link SimulatedChecks}), a clock that moves
 * only when told. Each public method is one step of a history; after each step the safety
 * invariants ({@link Invariants}) are checked against ground truth, and every step adds a line
 * to the story that is printed when one fails.
 */
public final class Simulation {

  public static final Instant T0 = Instant.parse("2026-11-27T12:00:00Z");
  public static final String UID = "5b1c7d2e-0000-4000-8000-000000000001";
  public static final String NAMESPACE = "shop";
  public static final String NAME = "app";
  public static final String KEY = NAMESPACE + "/" + NAME;
  public static final String USER_EIP = "eipalloc-0123456789abcdef0";
  /** A system's second web address (the user's). */
  public static final String WEB2_EIP = "eipalloc-0123456789abcdef1";
  /** A system's preview address (the user's), when the spec names one. */
  public static final String PREVIEW_EIP = "eipalloc-0123456789abcdef2";
  public static final List<String> VERSIONS = List.of("1.0.0", "2.0.0", "3.0.0");
  /** The look-alike: same namespace/name, another uid (a Release deleted and created again). */
  static final String OTHER_UID = "5b1c7d2e-0000-4000-8000-0000000000ff";
  static final String OTHER_RELEASE_UID = "9a9a9a9a-0000-4000-8000-000000000002";
  static final String FOREIGN_EIP = "eipalloc-0fedcba9876543210";
  static final Duration POLL_INTERVAL = Duration.ofSeconds(10);
  /** The longest listing lag a history sets (DescribeInstances / DescribeAddresses). */
  static final Duration LISTING_LAG = Duration.ofSeconds(10);
  static final Duration MAX_POLL_AGE = POLL_INTERVAL.multipliedBy(3);

  private static final CutoverMetrics METRICS = CutoverMetrics.unscraped();

  static {
    Quiet.logs();
  }

  /** The shape of the Release a simulation runs. */
  public enum World {
    /** One role: fleetSize instances of one template behind one Elastic IP. */
    SINGLE,
    /**
     * A system of roles: web (2 instances behind the user's two Elastic IPs, the first of them
     * the primary) and worker (1 instance, no address); a preview address exists in EC2 and is
     * named when the spec says so ({@link #setPreview}).
     */
    SYSTEM
  }

  /** Which fleet an out-of-band step or an HTTP toggle aims at. */
  public enum Role {
    /** An instance a production address points at (the primary's first, then the others'). */
    HOLDER,
    /** The fleet that serves (the Elastic IP's, else status.activeFleet). */
    ACTIVE,
    /** The fleet that served before the latest switch (else status.previousFleet). */
    RETAINED,
    /** The fleet of spec.version when it is not the active one. */
    STAGING,
    /** Any instance of the Release. */
    ANY
  }

  /**
   * What one reconcile did.
   *
   * @param died the operator process died during the pass (right after the last call)
   * @param writeFirstFailed the status write before acting failed (nothing was done)
   */
  record Reconciled(Release seen, List<Call> calls, ReleasePass.Result result,
      RuntimeException thrown, boolean statusWritten, List<ReleaseStatus> writtenFirst,
      List<RecordingEvents.Event> events, boolean died, boolean writeFirstFailed) {

    boolean changedEc2() {
      return calls.stream().anyMatch(c -> c.mutating() && c.applied());
    }

    boolean clean() {
      return thrown == null && !died && !writeFirstFailed && calls.stream().allMatch(Call::ok)
          && (result == null || !result.awaitingRefresh());
    }
  }

  final World world;
  final SimClock clock = new SimClock(T0);
  final SimulatedEc2 ec2 = new SimulatedEc2(clock);
  final SimApiServer api;
  final SimulatedChecks.Health health = new SimulatedChecks.Health();
  final RecordingEvents events = new RecordingEvents(clock);
  final Story story = new Story(T0);
  final Invariants invariants;
  final Map<String, String> versionOfFleet = new LinkedHashMap<>();
  final List<String> foreignInstances = new ArrayList<>();
  /** Drain calls as the instances received them (ground truth, across crashes). */
  final SimulatedDrains drains = new SimulatedDrains(clock, ec2);
  /** Webhook calls as the receiver got them (ground truth, across crashes). */
  final SimulatedHooks hooks = new SimulatedHooks(clock);
  private List<Action> planned = List.of();
  /** Addresses the user owns and Cutover must never release. */
  final List<String> userAddresses = new ArrayList<>();
  private Operator operator;
  /**
   * Refreshes a reconcile asks of the inventory land only when time next passes (the pass that
   * asked gets no world), instead of inside the pass that asked.
   */
  private boolean lateRefreshes;
  private Instant nextPollAt = T0.plus(POLL_INTERVAL);

  /** When the background poll last ran (what the policy's view is as old as). */
  Instant lastPollAt() {
    return nextPollAt.minus(POLL_INTERVAL);
  }
  private Duration lastLookAgain;
  private boolean loseNextStatusWrite;
  private boolean loseStatusWriteOfNextSwitch;
  private boolean failNextIntentWrite;
  private int steps;

  /** The Release starts as {@link #defaults} made it, changed by {@code initial}. */
  public static Simulation create(Consumer<ReleaseSpec> initial) {
    return new Simulation(World.SINGLE, initial);
  }

  public static Simulation create() {
    return create(World.SINGLE);
  }

  /** A Release of this shape ({@link #defaults}, and {@link #system} for a system). */
  public static Simulation create(World world) {
    return create(world, spec -> { });
  }

  public static Simulation create(World world, Consumer<ReleaseSpec> initial) {
    return new Simulation(world, initial);
  }

  private Simulation(World world, Consumer<ReleaseSpec> initial) {
    this.world = world;
    Release release = ReleaseBuilder.named(NAME).build();
    release.getMetadata().setNamespace(NAMESPACE);
    release.getMetadata().setUid(UID);
    release.getMetadata().setGeneration(1L);
    release.getMetadata().setCreationTimestamp(T0.toString());
    release.getMetadata().setFinalizers(List.of("cutover.dev/finalizer"));
    defaults(release.getSpec());
    if (world == World.SYSTEM) {
      system(release.getSpec());
    }
    initial.accept(release.getSpec());
    String invalid = SimApiServer.validate(release.getSpec());
    if (invalid != null) {
      throw new IllegalArgumentException(invalid);
    }
    release.setStatus(null);
    api = new SimApiServer(release);
    for (String v : VERSIONS) {
      versionOfFleet.put(fleetIdOf(release.getSpec(), v), v);
    }
    ec2.createAddressOutOfBand(USER_EIP, "127.17.1.1", Map.of("team", "web"));
    userAddresses.add(USER_EIP);
    if (world == World.SYSTEM) {
      ec2.createAddressOutOfBand(WEB2_EIP, "127.17.1.3", Map.of("team", "web"));
      ec2.createAddressOutOfBand(PREVIEW_EIP, "127.17.1.4", Map.of("team", "qa"));
      userAddresses.add(WEB2_EIP);
      userAddresses.add(PREVIEW_EIP);
    }
    // Things Cutover must never touch: a look-alike of this Release (same name, other uid),
    // another Release's instance and address, and an untagged instance.
    String fleet1 = fleetIdOf(release.getSpec(), "1.0.0");
    foreignInstances.addAll(ec2.launchOutOfBand(Map.of(Tags.MANAGED_BY, Tags.MANAGED_BY_VALUE,
        Tags.RELEASE_UID, OTHER_UID, Tags.RELEASE, KEY, Tags.FLEET, fleet1,
        Tags.VERSION, "1.0.0", Tags.SLOT, "0"), 1, "subnet-0123456789abcdef0").stream()
        .map(SimInstance::id).toList());
    foreignInstances.addAll(ec2.launchOutOfBand(Map.of(Tags.MANAGED_BY, Tags.MANAGED_BY_VALUE,
        Tags.RELEASE_UID, OTHER_RELEASE_UID, Tags.RELEASE, NAMESPACE + "/other",
        Tags.FLEET, "0ther0fleet", Tags.VERSION, "1.0.0", Tags.SLOT, "0"), 1,
        "subnet-0123456789abcdef0").stream().map(SimInstance::id).toList());
    foreignInstances.addAll(ec2.launchOutOfBand(Map.of("Name", "bastion"), 1,
        "subnet-0123456789abcdef0").stream().map(SimInstance::id).toList());
    ec2.createAddressOutOfBand(FOREIGN_EIP, "127.17.1.2", Map.of(Tags.MANAGED_BY,
        Tags.MANAGED_BY_VALUE, Tags.RELEASE_UID, OTHER_RELEASE_UID));
    clock.advance(ec2.settings().bootDelay);
    ec2.associateOutOfBand(FOREIGN_EIP, foreignInstances.get(1));
    ec2.settle();
    nextPollAt = clock.instant().plus(POLL_INTERVAL);
    operator = new Operator();
    invariants = new Invariants(this);
    drains.onCall(invariants::drainCalled);
    hooks.onCall(invariants::hookCalled);
    story.add(clock.instant(), "start: " + describeSpec() + "; foreign instances "
        + foreignInstances + " and address " + FOREIGN_EIP + " exist");
  }

  /** A Release with every default the API server fills in, and checks that run in seconds. */
  static void defaults(ReleaseSpec spec) {
    spec.version = "1.0.0";
    spec.fleetSize = 2;
    spec.verification = new Verification();
    spec.verification.instanceStatusChecks = true;
    spec.verification.deadline = "5m";
    HttpCheck http = new HttpCheck();
    http.port = 80;
    http.path = "/healthz";
    http.expectStatus = 200;
    http.timeout = "2s";
    http.interval = "5s";
    http.successThreshold = 2;
    http.address = HttpCheck.Address.Private;
    spec.verification.http = http;
    spec.promotion = new Promotion();
    spec.promotion.mode = Promotion.Mode.Auto;
    spec.promotion.soak = "0s";
    spec.retention = new Retention();
    spec.retention.previousFleetTTL = "10m";
    spec.retention.previousFleetSize = 0;
    spec.postSwitch = new PostSwitch();
    spec.postSwitch.verify = true;
    spec.postSwitch.window = "1m";
    spec.postSwitch.revertOnFailure = true;
    spec.paused = false;
    spec.deletionPolicy = DeletionPolicy.Delete;
  }

  /**
   * The system: roles web (2 instances, the user's two Elastic IPs: {@link #USER_EIP}, the
   * primary, then {@link #WEB2_EIP}) and worker (1 instance, no address), both of the single
   * form's template (the worker's with a tag of its own); no preview address until a step
   * names one.
   */
  static void system(ReleaseSpec spec) {
    InstanceTemplate template = spec.template;
    RoleSpec web = new RoleSpec();
    web.name = "web";
    web.size = 2;
    web.template = template;
    web.elasticIps = List.of(address(USER_EIP), address(WEB2_EIP));
    RoleSpec worker = new RoleSpec();
    worker.name = "worker";
    worker.size = 1;
    worker.template = DeepCopy.of(template);
    worker.template.tags = Map.of("tier", "worker");
    spec.roles = List.of(web, worker);
    spec.fleetSize = null;
    spec.template = null;
    spec.elasticIp = null;
  }

  static ElasticIpSpec address(String allocationId) {
    ElasticIpSpec a = new ElasticIpSpec();
    a.allocationId = allocationId;
    return a;
  }

  /** The fleet id of a version of this spec (its templates as they are). */
  static String fleetIdOf(ReleaseSpec spec, String version) {
    ReleaseSpec s = DeepCopy.of(spec);
    s.version = version;
    return FleetIds.of(s);
  }

  /** The operator process: a crash throws all of it away. */
  private final class Operator {
    final Ec2Gateway gateway = new Ec2Gateway(ec2);
    /** Refreshes asked for and not run yet (late refreshes only); a crash loses them. */
    final java.util.Deque<Runnable> refreshes = new java.util.ArrayDeque<>();
    // Refreshes run on the history's one thread: inside the call that asks for one, or, late,
    // when time next passes.
    final Ec2Inventory inventory = new Ec2Inventory(gateway, clock, MAX_POLL_AGE, refresh -> {
      if (lateRefreshes) {
        refreshes.add(refresh);
      } else {
        refresh.run();
      }
    });
    final SimulatedChecks checks = new SimulatedChecks(health, ec2, clock);
    final ReleasePass pass = new ReleasePass(inventory, checks,
        new PlanExecutor(gateway, inventory, drains, hooks) {
          @Override
          public Outcome execute(List<Action> actions, ObservedWorld world, Release release,
              java.util.function.BooleanSupplier stillHeld,
              java.util.function.BiConsumer<Action, Duration> done) {
            planned = List.copyOf(actions);
            drains.timeout(release.getSpec().drain == null ? Duration.ZERO
                : release.getSpec().drain.timeoutLength());
            return super.execute(actions, world, release, stillHeld, done);
          }
        }, events, METRICS, clock);
  }

  /** The actions of the last plan the operator executed (for the invariants). */
  List<Action> planned() {
    return planned;
  }

  /**
   * Every role launches from an ordered list of instance types (capacity fallback), or from one
   * type again. The templates change, so every version names new fleets: they are learnt here.
   */
  public void setInstanceTypes(boolean fallback) {
    spec(fallback ? "template.instanceTypes [t3.small, m5.large]"
        : "template.instanceType t3.small", s -> s.layout().forEach(r -> {
          r.template().instanceType = fallback ? null : "t3.small";
          r.template().instanceTypes = fallback ? List.of("t3.small", "m5.large") : null;
        }));
    if (!api.gone()) {
      for (String v : VERSIONS) {
        versionOfFleet.put(fleetIdOf(api.spec(), v), v);
      }
    }
  }

  /** Drain before terminate: on with this timeout (and a drain call), or off (null). */
  public void setDrain(String timeout) {
    spec("drain " + (timeout == null ? "off" : timeout), s -> {
      if (timeout == null) {
        s.drain = null;
        return;
      }
      s.drain = new Drain();
      s.drain.timeout = timeout;
      s.drain.http = new DrainCall();
      s.drain.http.port = 8080;
      s.drain.http.path = "/drain";
    });
  }

  /**
   * Every lifecycle webhook on, each with its default failure policy except preTerminate
   * (Abort, so that a failing receiver keeps the retained fleet); the receiver in this mood.
   */
  public void setHooks(SimulatedHooks.Mood mood) {
    hooks.mood(mood);
    spec("hooks, receiver " + mood, s -> {
      s.hooks = new Hooks();
      s.hooks.preSwitch = webhook("/pre-switch");
      s.hooks.postSwitch = webhook("/post-switch");
      s.hooks.preTerminate = webhook("/pre-terminate");
      s.hooks.preTerminate.failurePolicy = Webhook.FailurePolicy.Abort;
    });
  }

  private static Webhook webhook(String path) {
    Webhook w = new Webhook();
    // Never sent: the simulated receiver answers in place of the network.
    w.url = "http://127.0.0.1:9" + path;
    w.timeout = "1s";
    w.retries = 2;
    return w;
  }

  // =================================================================== steps: the operator

  /** One reconcile, as JOSDK would run it (or cleanup, for a Release being deleted). */
  public Reconciled reconcile() {
    steps++;
    if (api.gone()) {
      story.add(clock.instant(), "reconcile: (the Release is gone)");
      return null;
    }
    Release seen = api.read();
    int callMark = ec2.calls().size();
    int eventMark = events.size();
    List<ReleaseStatus> writtenFirst = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    ReleasePass.Result result = null;
    RuntimeException thrown = null;
    ProcessDied died = null;
    boolean[] writeFirstFailed = {false};
    try {
      result = operator.pass.run(seen, (release, status) -> {
        if (failNextIntentWrite) {
          failNextIntentWrite = false;
          writeFirstFailed[0] = true;
          notes.add("status write before acting FAILED");
          throw new KubernetesClientException("simulated: the API server refused the write");
        }
        api.writeStatus(SimApiServer.copy(status));
        writtenFirst.add(SimApiServer.copy(status));
        notes.add("wrote " + describeIntent(status.intent) + " first");
      });
    } catch (RuntimeException e) {
      thrown = e;
    } catch (ProcessDied e) {
      died = e;
      // What a new process starts from: EC2 and the stored status, nothing else.
      operator = new Operator();
    }
    List<Call> calls = List.copyOf(ec2.calls().subList(callMark, ec2.calls().size()));
    boolean written = false;
    if (died != null) {
      notes.add("the operator process DIED right after " + describeCall(died.after())
          + " (the rest of the plan and the status write never happen; a new process starts)");
      lastLookAgain = null;
    } else if (result != null) {
      if (seen.isMarkedForDeletion() && result.deletionComplete()) {
        api.remove();
        notes.add("finalizer removed: the Release is gone");
      } else if (result.changed()) {
        boolean switched = calls.stream().anyMatch(this::movesAddressToAnotherFleet);
        if (loseNextStatusWrite || loseStatusWriteOfNextSwitch && switched) {
          loseNextStatusWrite = false;
          loseStatusWriteOfNextSwitch = loseStatusWriteOfNextSwitch && !switched;
          notes.add("status write LOST");
        } else {
          api.writeStatus(result.status());
          written = true;
          notes.add("status written");
        }
      } else {
        notes.add("status unchanged");
      }
      lastLookAgain = result.lookAgainIn().orElse(null);
    } else {
      notes.add("reconcile threw " + thrown.getClass().getSimpleName() + ": "
          + thrown.getMessage());
      lastLookAgain = null;
    }
    List<RecordingEvents.Event> newEvents = List.copyOf(events.since(eventMark));
    Reconciled r = new Reconciled(seen, calls, result, thrown, written, writtenFirst,
        newEvents, died != null, writeFirstFailed[0]);
    boolean deleting = seen.isMarkedForDeletion();
    ReleaseStatus now = api.gone() ? null : api.status();
    boolean gone = api.gone();
    story.add(clock.instant(), () -> "reconcile" + (deleting ? " (deleting)" : "") + ": "
        + describeCalls(calls) + describeEvents(newEvents) + "; " + String.join("; ", notes)
        + " " + (gone ? "" : describeStatus(now)));
    invariants.afterReconcile(r);
    invariants.afterStep();
    return r;
  }

  /** An AssociateAddress that took the address from one fleet of the Release to another. */
  private boolean movesAddressToAnotherFleet(Call c) {
    if (!c.operation().equals("AssociateAddress") || c.changed().isEmpty()) {
      return false;
    }
    String before = c.holdersBefore().get(c.allocationIds().get(0));
    String from = before == null ? null
        : ec2.instance(before).map(i -> i.tag(Tags.FLEET)).orElse(null);
    String to = ec2.instance(c.changed().get(0)).map(i -> i.tag(Tags.FLEET)).orElse(null);
    return from != null && !from.equals(to);
  }

  /**
   * From now on a refresh a reconcile asks for lands only when time next passes, as the
   * operator's refresh thread would: the reconcile that asked waits for it, deciding nothing.
   */
  public void setLateRefreshes() {
    steps++;
    lateRefreshes = true;
    story.add(clock.instant(), "refreshes of EC2 land late (a pass that needs one decides "
        + "nothing until time passes)");
    invariants.afterStep();
  }

  /** Runs the refreshes reconciles asked for; what became of them, or null for none. */
  private String landRefreshes() {
    if (operator.refreshes.isEmpty()) {
      return null;
    }
    int mark = ec2.calls().size();
    while (!operator.refreshes.isEmpty()) {
      operator.refreshes.poll().run();
    }
    List<Call> calls = ec2.calls().subList(mark, ec2.calls().size());
    invariants.afterCalls(calls);
    return calls.stream().allMatch(Call::ok) ? "ok" : "failed: " + calls.stream()
        .filter(c -> !c.ok()).map(Call::outcome).findFirst().orElse("");
  }

  /** The clock moves; the operator's background poll runs at its 10 s ticks on the way. */
  public void advance(Duration d, String why) {
    steps++;
    String landed = landRefreshes();
    Instant target = clock.instant().plus(d);
    Instant polledAt = null;
    String polled = null;
    if (!nextPollAt.isAfter(target)) {
      long ticks = Duration.between(T0, target).toMillis() / POLL_INTERVAL.toMillis();
      Instant lastTick = T0.plus(POLL_INTERVAL.multipliedBy(ticks));
      if (lastTick.isBefore(clock.instant())) {
        lastTick = clock.instant();
      }
      clock.set(lastTick);
      polledAt = lastTick;
      polled = backgroundPoll();
      nextPollAt = lastTick.plus(POLL_INTERVAL);
    }
    clock.set(target);
    ec2.settle();
    Instant at = polledAt;
    String outcome = polled;
    story.add(clock.instant(), () -> "advance " + Story.duration(d) + " (" + why + ")"
        + (landed == null ? "" : "; the refresh asked for landed " + landed)
        + (at == null ? "" : "; background poll at " + story.at(at) + " " + outcome));
    invariants.afterStep();
  }

  private String backgroundPoll() {
    // A refresh still queued lands first; the poll's own (queued too, with late refreshes)
    // runs before the poll waits for it, as the refresh thread would run it.
    landRefreshes();
    int mark = ec2.calls().size();
    String outcome;
    try {
      var poll = operator.inventory.poll();
      while (!operator.refreshes.isEmpty()) {
        operator.refreshes.poll().run();
      }
      operator.inventory.viewsAfter(poll);
      outcome = "ok";
    } catch (Ec2Failure e) {
      outcome = "failed: " + e.code();
    }
    invariants.afterCalls(ec2.calls().subList(mark, ec2.calls().size()));
    return outcome;
  }

  /**
   * No more outside events: reconcile as the operator would (at its look-again time, at least
   * every poll interval) until nothing changes in EC2 for {@code quietRounds} rounds in a row,
   * then check what must hold once converged. Not converging in {@code maxRounds} is a failure.
   */
  public void settle(int maxRounds, int quietRounds) {
    settle(maxRounds, quietRounds, null);
  }

  /** A user who sets the version and waits (without outside events) until it serves. */
  public void rollOut(String version) {
    setVersion(version);
    settle(30, 6, sim -> sim.liveOn(version));
  }

  /**
   * A user sets the version, and the operator process dies in the switch that follows: right
   * after its {@code nth} AssociateAddress (1: the primary's, 2: the second address's), before
   * the rest of the plan and the status write. Reconciles as the operator would (at its
   * look-again time, at least every poll interval) until the process died, or the version
   * serves without it (no switch was needed), or 40 rounds passed; then the death is disarmed.
   */
  public void rollOutDyingInTheSwitch(String version, int nth) {
    setVersion(version);
    steps++;
    ec2.dieAfter("AssociateAddress", nth);
    story.add(clock.instant(), "fault: the operator process dies in the switch to " + version
        + ", right after its " + (nth == 1 ? "first" : ordinal(nth)) + " AssociateAddress");
    for (int round = 0; round < 40; round++) {
      Duration wait = lastLookAgain == null ? POLL_INTERVAL : lastLookAgain;
      wait = wait.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1)
          : wait.compareTo(POLL_INTERVAL) > 0 ? POLL_INTERVAL : wait;
      advance(wait, "rolling out " + version);
      Reconciled r = reconcile();
      if (r == null || r.died() || liveOn(version)) {
        break;
      }
    }
    ec2.noDeathAfter("AssociateAddress");
  }

  /** Whether this version serves: phase Live and the Elastic IP on one of its instances. */
  boolean liveOn(String version) {
    ReleaseStatus s = api.gone() ? null : api.status();
    return s != null && s.phase == Phase.Live && s.activeFleet != null
        && version.equals(s.activeFleet.version)
        && servingVersion().filter(version::equals).isPresent();
  }

  /** As {@link #settle(int, int)}, but done (without the convergence checks) once {@code done}. */
  private void settle(int maxRounds, int quietRounds, Predicate<Simulation> done) {
    steps++;
    ec2.clearFaults();
    loseNextStatusWrite = false;
    loseStatusWriteOfNextSwitch = false;
    failNextIntentWrite = false;
    story.add(clock.instant(), "settle: no outside events from here on");
    // The policy is judged on a view that shows every outside event: a poll that started after
    // the settle began, past EC2's listing lag.
    Instant seen = clock.instant().plus(LISTING_LAG);
    int quiet = 0;
    List<String> churn = new ArrayList<>();
    for (int round = 0; round < maxRounds; round++) {
      if (done != null && done.test(this)) {
        return;
      }
      Duration wait = lastLookAgain == null ? POLL_INTERVAL : lastLookAgain;
      if (wait.compareTo(Duration.ofSeconds(1)) < 0) {
        wait = Duration.ofSeconds(1);
      }
      if (wait.compareTo(POLL_INTERVAL) > 0) {
        wait = POLL_INTERVAL;
      }
      advance(wait, "settling");
      Reconciled r = reconcile();
      if (r == null || api.gone()) {
        invariants.converged();
        return;
      }
      if (r.changedEc2()) {
        quiet = 0;
        // Judged on a view that shows this change's effects too (a launch that has come up, a
        // terminated instance gone): the operator cannot act on what no poll has shown. A
        // launched instance runs only after its boot, and a lagging DescribeInstances shows
        // that later still.
        seen = clock.instant().plus(ec2.settings().bootDelay).plus(LISTING_LAG);
        churn.add(story.at(clock.instant()) + " " + r.calls().stream()
            .filter(c -> c.mutating() && c.applied()).map(this::describeCall)
            .collect(Collectors.joining(", ")));
      } else if (draining()) {
        // A drain waits for its end, then the termination follows: not settled yet.
        quiet = 0;
      } else if (r.events().stream().anyMatch(e -> e.reason().equals("HookCalled")
          || e.reason().equals("HookFailed"))) {
        // A webhook call is work without an EC2 call: what it allows follows.
        quiet = 0;
      } else {
        quiet++;
      }
      if (quiet >= quietRounds && !lastPollAt().isBefore(seen)) {
        invariants.converged();
        return;
      }
    }
    invariants.notConverged(maxRounds, churn);
  }

  /**
   * The status names instances whose drain has not ended yet, or began in this pass (after its
   * end, the termination follows as any other: a refused one, say, waits for its retry time).
   */
  private boolean draining() {
    ReleaseStatus status = api.gone() ? null : api.status();
    // A drain begun by this very pass counts too: with a timeout of 0s it has ended already,
    // and its termination comes with the next pass.
    return status != null && status.draining != null && status.draining.stream()
        .anyMatch(d -> d.terminateAt != null
            && (clock.instant().isBefore(Instant.parse(d.terminateAt))
                || d.startedAt != null && clock.instant().equals(Instant.parse(d.startedAt))));
  }

  /** The end of every history: settle for long enough to see churn, then check. */
  public void finish() {
    settle(60, 5);
  }

  // =================================================================== steps: the user

  public void setVersion(String version) {
    spec("version " + version, s -> s.version = version);
  }

  /** One role: fleetSize. A system: every role this size, or its address count if more. */
  public void setFleetSize(int size) {
    if (world == World.SINGLE) {
      spec("fleetSize " + size, s -> s.fleetSize = size);
      return;
    }
    spec("every role's size " + size + " (at least its address count)",
        s -> s.roles.forEach(r -> r.size = Math.max(size,
            r.elasticIps == null ? 0 : r.elasticIps.size())));
  }

  /** A system: the preview address named (or no longer named). */
  public void setPreview(boolean named) {
    spec("preview " + (named ? PREVIEW_EIP : "none"),
        s -> s.preview = named ? address(PREVIEW_EIP) : null);
  }

  public void setTakeOver(boolean takeOver) {
    spec("elasticIp.takeOver " + takeOver,
        s -> s.primaryAddress().takeOver = takeOver ? true : null);
  }

  public void setPaused(boolean paused) {
    spec("paused " + paused, s -> s.paused = paused);
  }

  public void setManualPromotion(boolean manual) {
    spec("promotion " + (manual ? "Manual" : "Auto"), s -> {
      s.promotion.mode = manual ? Promotion.Mode.Manual : Promotion.Mode.Auto;
      // Both are only used with Manual (the CRD refuses them with Auto); the user's timeout
      // comes back with Manual.
      s.promotion.approvalTimeout = manual ? approvalTimeout : null;
      if (!manual) {
        s.promotion.approvedVersion = null;
      }
    });
  }

  /** The approval timeout the user gives Manual promotion (null: waits forever). */
  private String approvalTimeout;

  /** promotion.approvalTimeout, in the spec whenever promotion is Manual. */
  public void setApprovalTimeout(String timeout) {
    approvalTimeout = timeout;
    spec("promotion.approvalTimeout " + (timeout == null ? "none" : timeout)
        + " (with Manual promotion)", s -> {
          if (s.promotion.mode == Promotion.Mode.Manual) {
            s.promotion.approvalTimeout = timeout;
          }
        });
  }

  public void setKeepFailedFor(String keep) {
    spec("verification.keepFailedFor " + keep, s -> s.verification.keepFailedFor = keep);
  }

  public void approve() {
    spec("approve (approvedVersion = version)",
        s -> s.promotion.approvedVersion = s.version);
  }

  public void setPreviousFleetSize(int n) {
    spec("retention.previousFleetSize " + n, s -> s.retention.previousFleetSize = n);
  }

  public void setSoak(String soak) {
    spec("promotion.soak " + soak, s -> s.promotion.soak = soak);
  }

  public void setTtl(String ttl) {
    spec("retention.previousFleetTTL " + ttl, s -> s.retention.previousFleetTTL = ttl);
  }

  /** elasticIp.allocate: true instead of the user's address. */
  public void allocateAddress() {
    spec("elasticIp.allocate true", s -> {
      s.elasticIp.allocationId = null;
      s.elasticIp.allocate = true;
    });
  }

  public void useUserAddress() {
    spec("elasticIp.allocationId " + USER_EIP, s -> {
      s.elasticIp.allocationId = USER_EIP;
      s.elasticIp.allocate = null;
    });
  }

  /**
   * A person gives up the version the spec names without editing the spec: the annotation
   * cutover.dev/abort set to the current generation (what {@code kubectl cutover abort} does).
   */
  public void abort() {
    steps++;
    if (api.gone() || api.deleting()) {
      story.add(clock.instant(), "user: abort (ignored: the Release is being deleted)");
      return;
    }
    api.annotate(Release.ABORT_ANNOTATION, String.valueOf(api.generation()));
    story.add(clock.instant(), "user: abort generation " + api.generation() + " ("
        + Release.ABORT_ANNOTATION + ")");
    invariants.afterStep();
  }

  private int retries;

  /**
   * A person asks for a retry: a new cutover.dev/retry token, the abort annotation removed in
   * the same change (what {@code kubectl cutover retry} does), or kept when {@code keepAbort}.
   */
  public void retry(boolean keepAbort) {
    steps++;
    if (api.gone() || api.deleting()) {
      story.add(clock.instant(), "user: retry (ignored: the Release is being deleted)");
      return;
    }
    String token = clock.instant() + "#" + ++retries;
    api.annotate(Release.RETRY_ANNOTATION, token);
    if (!keepAbort) {
      api.annotate(Release.ABORT_ANNOTATION, null);
    }
    story.add(clock.instant(), "user: retry (" + Release.RETRY_ANNOTATION + " " + token
        + (keepAbort ? ", the abort annotation left as it is)" : ", the abort annotation "
            + "removed)"));
    invariants.afterStep();
  }

  public void delete() {
    steps++;
    if (api.gone() || api.deleting()) {
      story.add(clock.instant(), "user: delete (already deleting)");
      return;
    }
    api.markDeleted(clock.instant());
    invariants.specChanged();
    story.add(clock.instant(), "user: delete the Release (deletionTimestamp set)");
    invariants.afterStep();
  }

  private void spec(String what, Consumer<ReleaseSpec> change) {
    steps++;
    if (api.gone() || api.deleting()) {
      story.add(clock.instant(), "user: " + what + " (ignored: the Release is being deleted)");
      return;
    }
    long before = api.generation();
    String rejected = api.changeSpec(change);
    if (rejected != null) {
      story.add(clock.instant(), "user: " + what + " REJECTED by the API server: " + rejected);
    } else if (api.generation() == before) {
      story.add(clock.instant(), "user: " + what + " (no change)");
    } else {
      invariants.specChanged();
      story.add(clock.instant(), "user: " + what + " (generation " + api.generation() + ")");
    }
    invariants.afterStep();
  }

  // =================================================================== steps: the world

  public void terminateOutOfBand(Role role, int index) {
    steps++;
    Optional<SimInstance> target = pick(role, index, false);
    target.ifPresent(i -> {
      String label = label(i.id());
      ec2.terminateOutOfBand(i.id());
      invariants.outsideEvent();
      story.add(clock.instant(), "out-of-band: terminate " + label + " [" + role + "]");
    });
    if (target.isEmpty()) {
      story.add(clock.instant(), "out-of-band: terminate " + role + " (none)");
    }
    invariants.afterStep();
  }

  public void stopOutOfBand(Role role, int index) {
    steps++;
    Optional<SimInstance> target = pick(role, index, true);
    target.ifPresent(i -> {
      ec2.stopOutOfBand(i.id());
      invariants.outsideEvent();
      story.add(clock.instant(), "out-of-band: stop " + label(i.id()) + " [" + role + "]");
    });
    if (target.isEmpty()) {
      story.add(clock.instant(), "out-of-band: stop " + role + " (none)");
    }
    invariants.afterStep();
  }

  /** Every instance of the serving fleet dies at once (an AZ outage, a bad script). */
  public void terminateActiveFleet() {
    steps++;
    Optional<String> fleet = fleetOf(Role.ACTIVE);
    List<SimInstance> victims = fleet.map(f -> owned().stream()
        .filter(i -> f.equals(i.tag(Tags.FLEET)) && !gone(i)).toList()).orElse(List.of());
    victims.forEach(i -> ec2.terminateOutOfBand(i.id()));
    if (!victims.isEmpty()) {
      invariants.outsideEvent();
    }
    story.add(clock.instant(), "out-of-band: terminate every active instance "
        + victims.stream().map(i -> label(i.id())).toList());
    invariants.afterStep();
  }

  public void disassociateOutOfBand() {
    disassociateOutOfBand(0);
  }

  /** Someone disassociates one of the Release's addresses ({@link #namedAddress}). */
  public void disassociateOutOfBand(int which) {
    steps++;
    Optional<SimAddress> address = namedAddress(which);
    address.filter(a -> a.instanceId() != null).ifPresent(a -> {
      ec2.disassociateOutOfBand(a.allocationId());
      invariants.outsideEvent();
    });
    story.add(clock.instant(), "out-of-band: disassociate " + address.map(a -> "the Elastic IP"
        + (world == World.SINGLE ? "" : " " + addressLabel(a.allocationId())))
        .orElse("address #" + which + " (no such address)"));
    invariants.afterStep();
  }

  /** Someone points the Elastic IP elsewhere: at a foreign instance, or at one of a role. */
  public void moveAddressOutOfBand(Role role, boolean foreign, int index) {
    moveAddressOutOfBand(0, role, foreign, index);
  }

  /** The same for one of the Release's addresses ({@link #namedAddress}). */
  public void moveAddressOutOfBand(int which, Role role, boolean foreign, int index) {
    steps++;
    Optional<SimAddress> address = namedAddress(which);
    String name = world == World.SINGLE ? "the Elastic IP"
        : address.map(a -> addressLabel(a.allocationId())).orElse("address #" + which);
    Optional<String> target = foreign
        ? Optional.of(foreignInstances.get(Math.floorMod(index, foreignInstances.size())))
        : pick(role, index, true).filter(i -> i.state() == InstanceStateName.RUNNING)
            .map(SimInstance::id);
    if (address.isPresent() && target.isPresent()
        && ec2.instance(target.get()).orElseThrow().alive()) {
      String before = address.get().instanceId();
      ec2.associateOutOfBand(address.get().allocationId(), target.get());
      invariants.outsideEvent();
      invariants.addressMovedOutside(address.get().allocationId());
      if (!foreign && !PREVIEW_EIP.equals(address.get().allocationId())) {
        invariants.productionPointedAt(target.get());
      }
      if (!foreign && which == 0) {
        invariants.movedByHand(before, target.get());
      }
      story.add(clock.instant(), "out-of-band: move " + name + " to " + label(target.get()));
    } else {
      story.add(clock.instant(), "out-of-band: move " + name + " to "
          + (foreign ? "a foreign instance" : role) + " (nothing to move or no target)");
    }
    invariants.afterStep();
  }

  public void protectOutOfBand(Role role, int index) {
    steps++;
    Optional<SimInstance> target = pick(role, index, false);
    target.ifPresent(i -> ec2.setTerminationProtection(i.id(), true));
    story.add(clock.instant(), "out-of-band: enable termination protection on "
        + target.map(i -> label(i.id())).orElse(role + " (none)"));
    invariants.afterStep();
  }

  public void impairOutOfBand(Role role, int index) {
    steps++;
    Optional<SimInstance> target = pick(role, index, true);
    target.ifPresent(i -> ec2.setImpaired(i.id(), true));
    story.add(clock.instant(), "out-of-band: EC2 status checks of "
        + target.map(i -> label(i.id())).orElse(role + " (none)") + " report impaired");
    invariants.afterStep();
  }

  /** The applications of a fleet answer the HTTP check (or stop answering it). */
  public void setHttpHealthy(Role role, boolean healthy) {
    steps++;
    Optional<String> fleet = role == Role.HOLDER || role == Role.ANY ? Optional.empty()
        : fleetOf(role);
    fleet.ifPresent(f -> health.fleet(f, healthy, clock.instant()));
    story.add(clock.instant(), "http: " + fleet.map(f -> fleetLabel(f) + " [" + role + "]")
        .orElse(role + " (no fleet)") + (healthy ? " answers 200" : " answers 500"));
    invariants.afterStep();
  }

  /** Of one instance of a role. */
  public void setHttpHealthy(Role role, int index, boolean healthy) {
    steps++;
    Optional<SimInstance> target = pick(role, index, true);
    target.ifPresent(i -> health.instance(i.id(), healthy, clock.instant()));
    story.add(clock.instant(), "http: " + target.map(i -> label(i.id()))
        .orElse(role + " (none)") + (healthy ? " answers 200" : " answers 500"));
    invariants.afterStep();
  }

  public void setDescribeLag(Duration lag) {
    steps++;
    ec2.settings().describeLag = lag;
    story.add(clock.instant(), "ec2: DescribeInstances now lags " + Story.duration(lag));
    invariants.afterStep();
  }

  public void setCapacity(boolean available) {
    steps++;
    // The preferred type runs out: with instanceTypes, launches fall back to the next.
    var template = api.gone() ? null : api.spec().layout().get(0).template();
    ec2.setCapacity(template == null ? "t3.small" : template.instanceType != null
        ? template.instanceType : template.instanceTypes.get(0), available);
    story.add(clock.instant(), "ec2: " + (available ? "capacity is back"
        : "no capacity for new instances (InsufficientInstanceCapacity)"));
    invariants.afterStep();
  }

  public void setImageMissing(boolean missing) {
    steps++;
    ec2.setImageMissing(ReleaseBuilder.named(NAME).build().getSpec().template.imageId, missing);
    story.add(clock.instant(), "ec2: the AMI " + (missing ? "is deregistered (InvalidAMIID"
        + ".NotFound)" : "is back"));
    invariants.afterStep();
  }

  // =================================================================== steps: faults

  public void failNext(String operation, Fault fault) {
    steps++;
    ec2.failNext(operation, fault);
    story.add(clock.instant(), "fault: the next " + operation + " gets " + fault.describe());
    invariants.afterStep();
  }

  public void loseNextStatusWrite() {
    steps++;
    loseNextStatusWrite = true;
    story.add(clock.instant(), "fault: the next status write (after acting) is lost");
    invariants.afterStep();
  }

  /** The status write of the reconcile that moves the Elastic IP to another fleet is lost. */
  public void loseStatusWriteOfNextSwitch() {
    steps++;
    loseStatusWriteOfNextSwitch = true;
    story.add(clock.instant(), "fault: the status write after the next switch is lost");
    invariants.afterStep();
  }

  public void failNextIntentWrite() {
    steps++;
    failNextIntentWrite = true;
    story.add(clock.instant(), "fault: the next status write before acting fails");
    invariants.afterStep();
  }

  /** The status is gone (a Velero restore without status, a hand edit). */
  public void wipeStatus() {
    steps++;
    if (!api.gone()) {
      api.wipeStatus();
      invariants.statusLost();
    }
    story.add(clock.instant(), "fault: status wiped (restored from a backup without status)");
    invariants.afterStep();
  }

  /**
   * The operator process dies in the middle of a pass: right after its {@code nth} next
   * successful call of {@code operation} (an AssociateAddress of a switch that moves several
   * addresses, a launch, a termination), before the rest of its plan and its status write.
   */
  public void crashAfter(String operation, int nth) {
    steps++;
    ec2.dieAfter(operation, nth);
    story.add(clock.instant(), "fault: the operator process dies right after its "
        + (nth == 1 ? "next" : ordinal(nth) + " next") + " successful " + operation);
    invariants.afterStep();
  }

  private static String ordinal(int n) {
    return n == 2 ? "2nd" : n == 3 ? "3rd" : n + "th";
  }

  /** The operator process dies: inventory, executor and HTTP checks start over. */
  public void crash() {
    steps++;
    operator = new Operator();
    story.add(clock.instant(), "fault: operator crash (inventory, checks and executor start "
        + "empty; EC2 and stored status survive)");
    invariants.afterStep();
  }

  // =================================================================== ground truth

  /** The version of the instance the Elastic IP points at, if it is the Release's. */
  Optional<String> servingVersion() {
    return specAddress().map(SimAddress::instanceId).flatMap(ec2::instance)
        .filter(Simulation::owned).filter(i -> i.state() == InstanceStateName.RUNNING)
        .map(i -> i.tag(Tags.VERSION));
  }

  /** Instances of a version of the Release, in any state. */
  List<SimInstance> instancesOf(String version) {
    return owned().stream().filter(i -> version.equals(i.tag(Tags.VERSION))).toList();
  }

  /** Cutover's TerminateInstances calls that terminated instances of a version. */
  List<Call> terminationsOf(String version) {
    return ec2.calls().stream().filter(c -> c.operation().equals("TerminateInstances"))
        .filter(c -> c.changed().stream().anyMatch(id -> ec2.instance(id)
            .map(i -> version.equals(i.tag(Tags.VERSION))).orElse(false))).toList();
  }

  String storyText() {
    return story.text();
  }

  boolean gone() {
    return api.gone();
  }

  int steps() {
    return steps;
  }

  Release stored() {
    return api.read();
  }

  ReleaseStatus status() {
    return api.status();
  }

  static boolean owned(SimInstance i) {
    return Tags.MANAGED_BY_VALUE.equals(i.tag(Tags.MANAGED_BY))
        && UID.equals(i.tag(Tags.RELEASE_UID)) && KEY.equals(i.tag(Tags.RELEASE));
  }

  List<SimInstance> owned() {
    return ec2.instances().stream().filter(Simulation::owned).toList();
  }

  static boolean gone(SimInstance i) {
    InstanceStateName s = i.state();
    return s == InstanceStateName.SHUTTING_DOWN || s == InstanceStateName.TERMINATED;
  }

  /** The slot of an instance, the way the gateway derives it. */
  static int slot(SimInstance i) {
    String tag = i.tag(Tags.SLOT);
    return tag == null || tag.isBlank() ? i.amiLaunchIndex()
        : Tags.slotAt(tag, i.amiLaunchIndex());
  }

  /** The role of an instance (its role tag), "" for a single-role Release's. */
  static String role(SimInstance i) {
    String tag = i.tag(Tags.ROLE);
    return tag == null ? RoleLayout.SINGLE : tag;
  }

  /**
   * The primary address the spec names now (the first address of the first role with
   * addresses): the user's, or the one Cutover allocated.
   */
  Optional<SimAddress> specAddress() {
    if (api.gone()) {
      return Optional.empty();
    }
    ElasticIpSpec primary = api.spec().primaryAddress();
    if (primary == null) {
      return Optional.empty();
    }
    if (primary.allocationId != null) {
      return ec2.address(primary.allocationId);
    }
    return ownedAddresses().stream().findFirst();
  }

  /**
   * A production address as the spec binds it now: address {@code index} of {@code role} (its
   * home is that slot of the role), the primary first.
   */
  record ProductionAddress(String role, int index, String allocationId, boolean primary) {}

  /** Every production address the spec names and EC2 has, in switch order (primary first). */
  List<ProductionAddress> productionAddresses() {
    return productionAddresses(api.gone() ? null : api.spec());
  }

  List<ProductionAddress> productionAddresses(ReleaseSpec spec) {
    List<ProductionAddress> all = new ArrayList<>();
    if (spec == null) {
      return all;
    }
    for (RoleLayout role : spec.layout()) {
      for (int i = 0; i < role.addresses().size(); i++) {
        boolean primary = all.isEmpty();
        String id = role.addresses().get(i).allocationId;
        if (id == null && primary) {
          id = ownedAddresses().stream().findFirst().map(SimAddress::allocationId).orElse(null);
        }
        if (id != null && ec2.address(id).isPresent()) {
          all.add(new ProductionAddress(role.name(), i, id, primary));
        } else if (primary) {
          return all; // no primary: nothing is production's yet
        }
      }
    }
    return all;
  }

  /** The preview address the spec names now, if EC2 has it. */
  Optional<SimAddress> previewAddress() {
    if (api.gone() || api.spec().preview == null || api.spec().preview.allocationId == null) {
      return Optional.empty();
    }
    return ec2.address(api.spec().preview.allocationId);
  }

  /** The Release's addresses by number: its production addresses in order, then the preview. */
  Optional<SimAddress> namedAddress(int which) {
    List<SimAddress> named = new ArrayList<>();
    productionAddresses().forEach(p -> ec2.address(p.allocationId()).ifPresent(named::add));
    previewAddress().ifPresent(named::add);
    return which >= 0 && which < named.size() ? Optional.of(named.get(which))
        : Optional.empty();
  }

  /** How the story names an address: web#0, web#1, preview, or its allocation id. */
  String addressLabel(String allocationId) {
    if (allocationId == null) {
      return "no address";
    }
    if (!api.gone()) {
      ReleaseSpec spec = api.spec();
      if (spec.preview != null && allocationId.equals(spec.preview.allocationId)) {
        return "preview";
      }
      for (RoleLayout role : spec.layout()) {
        for (int i = 0; i < role.addresses().size(); i++) {
          if (allocationId.equals(role.addresses().get(i).allocationId)) {
            return (role.single() ? "eip" : role.name()) + "#" + i;
          }
        }
      }
    }
    return allocationId;
  }

  /** Addresses Cutover allocated for the Release (a claimed user address is not one). */
  List<SimAddress> ownedAddresses() {
    return ec2.addresses().stream().filter(a -> UID.equals(a.tags().get(Tags.RELEASE_UID))
        && !a.tags().containsKey(Tags.CLAIMED)).toList();
  }

  String desiredFleet() {
    return FleetIds.of(api.spec());
  }

  Optional<String> fleetOf(Role role) {
    if (api.gone()) {
      return Optional.empty();
    }
    ReleaseStatus status = api.status();
    Optional<String> active = specAddress().map(SimAddress::instanceId)
        .flatMap(ec2::instance).filter(Simulation::owned).filter(SimInstance::alive)
        .map(i -> i.tag(Tags.FLEET))
        .or(() -> Optional.ofNullable(status == null || status.activeFleet == null ? null
            : status.activeFleet.id))
        .or(() -> Optional.ofNullable(invariants.servingFleet()));
    return switch (role) {
      case ACTIVE -> active;
      case RETAINED -> Optional.ofNullable(invariants.retainedFleet())
          .or(() -> Optional.ofNullable(status == null || status.previousFleet == null ? null
              : status.previousFleet.id));
      case STAGING -> Optional.of(desiredFleet()).filter(f -> !active.equals(Optional.of(f)));
      default -> Optional.empty();
    };
  }

  private Optional<SimInstance> pick(Role role, int index, boolean aliveOnly) {
    List<SimInstance> candidates;
    if (role == Role.HOLDER) {
      // The holders of the production addresses, in their order (the primary's first).
      List<SimInstance> holders = productionAddresses().stream()
          .map(p -> ec2.address(p.allocationId()).map(SimAddress::instanceId).orElse(null))
          .filter(java.util.Objects::nonNull).distinct().map(ec2::instance)
          .flatMap(Optional::stream).filter(Simulation::owned)
          .filter(i -> aliveOnly ? i.alive() : !gone(i)).toList();
      return holders.isEmpty() ? Optional.empty()
          : Optional.of(holders.get(Math.floorMod(index, holders.size())));
    } else if (role == Role.ANY) {
      candidates = owned();
    } else {
      Optional<String> fleet = fleetOf(role);
      candidates = fleet.map(f -> owned().stream().filter(i -> f.equals(i.tag(Tags.FLEET)))
          .toList()).orElse(List.of());
    }
    candidates = candidates.stream().filter(i -> aliveOnly ? i.alive() : !gone(i))
        .sorted(Comparator.comparing(Simulation::role).thenComparingInt(Simulation::slot)
            .thenComparing(SimInstance::id))
        .toList();
    return candidates.isEmpty() ? Optional.empty()
        : Optional.of(candidates.get(Math.floorMod(index, candidates.size())));
  }

  // =================================================================== the story

  String label(String instanceId) {
    return ec2.instance(instanceId).map(i -> owned(i)
        ? i.id() + " (" + i.tag(Tags.VERSION) + "/" + (role(i).isEmpty() ? "" : role(i) + "/")
            + slot(i) + ")"
        : i.id() + " (foreign)").orElse(instanceId);
  }

  String fleetLabel(String fleetId) {
    String version = versionOfFleet.get(fleetId);
    return version == null ? "fleet " + fleetId : version;
  }

  String describeSpec() {
    if (api.gone()) {
      return "(gone)";
    }
    ReleaseSpec s = api.spec();
    String shape = s.roles == null ? "fleetSize " + s.fleetSize + ", "
        + (s.elasticIp.allocationId != null ? s.elasticIp.allocationId : "allocate")
        : "roles " + s.layout().stream().map(r -> r.name() + " " + r.size()
            + (r.addresses().isEmpty() ? "" : " behind " + r.addresses().stream()
                .map(a -> a.allocationId).toList())).collect(Collectors.joining(", "))
            + (s.preview == null ? "" : ", preview " + s.preview.allocationId);
    return "version " + s.version + ", " + shape + ", TTL "
        + s.retention.previousFleetTTL + ", deadline " + s.verification.deadline
        + ", post-switch window " + s.postSwitch.window + ", soak " + s.promotion.soak
        + ", promotion " + s.promotion.mode
        + (s.drain == null ? "" : ", drain " + s.drain.timeout);
  }

  String describeCall(Call c) {
    String what = switch (c.operation()) {
      case "RunInstances" -> "RunInstances(" + c.detail() + ")"
          + (c.changed().isEmpty() ? c.instanceIds().isEmpty() ? ""
              : " → same token: " + c.instanceIds() + ", nothing launched"
              : " → " + String.join(",", c.changed()));
      case "TerminateInstances" -> "TerminateInstances(" + c.instanceIds().stream()
          .map(this::label).collect(Collectors.joining(", ")) + ")";
      case "AssociateAddress" -> "AssociateAddress(" + (world == World.SINGLE
          || c.allocationIds().isEmpty() ? "" : addressLabel(c.allocationIds().get(0)) + " → ")
          + c.instanceIds().stream().map(this::label).collect(Collectors.joining(", ")) + ")"
          + (c.allocationIds().size() > 1 ? " (took " + c.allocationIds().subList(1,
              c.allocationIds().size()).stream().map(this::addressLabel).toList() + " off it)"
              : "");
      default -> c.operation() + (c.allocationIds().isEmpty() ? ""
          : "(" + String.join(",", c.allocationIds()) + ")");
    };
    return what + " " + c.outcome();
  }

  String describeCalls(List<Call> calls) {
    List<String> parts = new ArrayList<>();
    boolean polled = false;
    for (Call c : calls) {
      if (!c.mutating()) {
        if (!c.ok()) {
          parts.add(c.operation() + " " + c.outcome());
        } else if (c.operation().equals("DescribeAddresses")) {
          polled = true;
          parts.add("polled");
        }
        continue;
      }
      parts.add(describeCall(c));
    }
    return parts.isEmpty() ? "no EC2 calls" : String.join(", ", parts);
  }

  private static String describeEvents(List<RecordingEvents.Event> events) {
    List<String> warnings = events.stream().filter(e -> e.type().equals("Warning"))
        .map(RecordingEvents.Event::reason).distinct().toList();
    return warnings.isEmpty() ? "" : " (warnings: " + String.join(", ", warnings) + ")";
  }

  private String describeIntent(Intent intent) {
    if (intent == null) {
      return "status";
    }
    if (intent.kind == Intent.Kind.Switch) {
      return "intent " + intent.reason + " " + intent.fromVersion + "→" + intent.toVersion;
    }
    return "intent " + intent.kind;
  }

  /** The stored status in a few words. */
  String describeStatus() {
    return api.gone() ? "" : describeStatus(api.status());
  }

  String describeStatus(ReleaseStatus s) {
    if (s == null) {
      return "[no status]";
    }
    List<String> parts = new ArrayList<>();
    parts.add(String.valueOf(s.phase));
    if (s.activeFleet != null) {
      parts.add("active " + s.activeFleet.version);
    }
    if (s.stagingFleet != null) {
      parts.add("staging " + s.stagingFleet.version);
    }
    if (s.previousFleet != null) {
      parts.add("retained " + s.previousFleet.version + (s.previousFleet.expiresAt == null ? ""
          : " until " + story.at(Instant.parse(s.previousFleet.expiresAt))));
    }
    if (s.heldFleets != null && !s.heldFleets.isEmpty()) {
      parts.add("held " + s.heldFleets.stream().map(h -> h.version).toList());
    }
    if (s.draining != null) {
      s.draining.forEach(d -> parts.add("draining " + d.version + " " + d.reason + " "
          + d.instanceIds.size() + " until " + story.at(Instant.parse(d.terminateAt))));
    }
    if (s.errors != null) {
      s.errors.forEach(e -> parts.add("error " + e.action + " " + e.code + " x" + e.attempts
          + (e.retryAt == null ? "" : " retry " + story.at(Instant.parse(e.retryAt)))));
    }
    if (s.lastFailure != null) {
      parts.add("lastFailure " + s.lastFailure.version + " " + s.lastFailure.reason);
    }
    if (s.intent != null) {
      parts.add(describeIntent(s.intent));
    }
    return "[" + String.join("; ", parts) + "]";
  }
}
