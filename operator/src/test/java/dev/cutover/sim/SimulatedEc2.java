package dev.cutover.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Address;
import software.amazon.awssdk.services.ec2.model.CreateTagsRequest;
import software.amazon.awssdk.services.ec2.model.CreateTagsResponse;
import software.amazon.awssdk.services.ec2.model.DeleteTagsRequest;
import software.amazon.awssdk.services.ec2.model.DeleteTagsResponse;
import software.amazon.awssdk.services.ec2.model.AllocateAddressRequest;
import software.amazon.awssdk.services.ec2.model.AllocateAddressResponse;
import software.amazon.awssdk.services.ec2.model.AssociateAddressRequest;
import software.amazon.awssdk.services.ec2.model.AssociateAddressResponse;
import software.amazon.awssdk.services.ec2.model.DescribeAddressesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeAddressesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceStatusRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceStatusResponse;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.DisassociateAddressRequest;
import software.amazon.awssdk.services.ec2.model.DisassociateAddressResponse;
import software.amazon.awssdk.services.ec2.model.DomainType;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceState;
import software.amazon.awssdk.services.ec2.model.InstanceStateChange;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.InstanceStatus;
import software.amazon.awssdk.services.ec2.model.InstanceStatusSummary;
import software.amazon.awssdk.services.ec2.model.Placement;
import software.amazon.awssdk.services.ec2.model.ReleaseAddressRequest;
import software.amazon.awssdk.services.ec2.model.ReleaseAddressResponse;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;
import software.amazon.awssdk.services.ec2.model.SummaryStatus;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.TerminateInstancesRequest;
import software.amazon.awssdk.services.ec2.model.TerminateInstancesResponse;

/**
 * EC2 in memory, with the semantics of real AWS where they differ from moto's: ClientToken
 * idempotency, instances that boot (pending, then running), status checks that take time,
 * eventually consistent DescribeInstances, Elastic IP associations cleared at termination,
 * termination protection, the Elastic IP quota. Time is a {@link SimClock}: nothing happens
 * between two calls unless the clock moved. Faults can be programmed per operation, and every
 * call is logged with what it touched, so a test can hold the caller to ground truth.
 *
 * <p>No network, no threads, no real sleeps; not thread safe (a simulation is single threaded).
 */
public final class SimulatedEc2 implements Ec2Client {

  public static final String OWNER_ID = "111122223333";

  /** The mutating operations, as they appear in the call log. */
  public static final Set<String> MUTATING = Set.of("RunInstances", "AssociateAddress",
      "TerminateInstances", "AllocateAddress", "DisassociateAddress", "ReleaseAddress",
      "CreateTags", "DeleteTags");

  /** Timings and limits; change them at any time (a change applies to what happens next). */
  public static final class Settings {
    /** pending → running. */
    public Duration bootDelay = Duration.ofSeconds(10);
    /** From running until both EC2 status checks are ok. */
    public Duration statusOkDelay = Duration.ofSeconds(20);
    /** shutting-down → terminated (the Elastic IP association is cleared then). */
    public Duration terminateDelay = Duration.ofSeconds(5);
    /** stopping → stopped. */
    public Duration stopDelay = Duration.ofSeconds(5);
    /** How long a new instance, or a state change, takes to show in DescribeInstances. */
    public Duration describeLag = Duration.ZERO;
    /** Terminated instances stay visible this long, then they are gone (NotFound). */
    public Duration terminatedVisibleFor = Duration.ofHours(1);
    /** Largest page DescribeInstances / DescribeInstanceStatus return, whatever MaxResults. */
    public int pageSize = 1000;
    /** Elastic IPs per region (AWS default 5). */
    public int addressQuota = 5;
    /** Availability zone of each subnet; others are in {@link #defaultZone}. */
    public final Map<String, String> zoneOfSubnet = new HashMap<>();
    public String defaultZone = "us-east-1a";
  }

  /** What the next call of an operation suffers. */
  public enum FaultKind {
    /** RequestLimitExceeded, HTTP 503; nothing applied. */
    THROTTLE,
    /** InternalError, HTTP 500; nothing applied. */
    INTERNAL_ERROR,
    /** The call is applied, then the connection drops: the client gets SdkClientException. */
    LOST_RESPONSE,
    /** A given error code and status; nothing applied. */
    ERROR
  }

  public record Fault(FaultKind kind, String code, int status) {
    public static Fault throttle() {
      return new Fault(FaultKind.THROTTLE, "RequestLimitExceeded", 503);
    }

    public static Fault internalError() {
      return new Fault(FaultKind.INTERNAL_ERROR, "InternalError", 500);
    }

    public static Fault lostResponse() {
      return new Fault(FaultKind.LOST_RESPONSE, "LostResponse", 0);
    }

    public static Fault error(String code, int status) {
      return new Fault(FaultKind.ERROR, code, status);
    }

    public String describe() {
      return switch (kind) {
        case THROTTLE -> "throttle (RequestLimitExceeded 503)";
        case INTERNAL_ERROR -> "InternalError 500";
        case LOST_RESPONSE -> "lost response (applied, then the connection drops)";
        case ERROR -> code + " " + status;
      };
    }
  }

  /**
   * One call to this EC2.
   *
   * @param outcome "ok", the AWS error code, or "LostResponse" (applied, client saw an error)
   * @param applied whether the call changed anything (a refused call may still change part)
   * @param instanceIds instances the call named (RunInstances: the instances it returned)
   * @param changed instances whose state or address the call changed
   * @param allocationIds addresses the call named or changed
   * @param detail what was asked, in words (RunInstances: version and slot tags)
   * @param statesBefore for mutating calls: every instance's state just before the call
   * @param holdersBefore for mutating calls: allocation id → instance, just before the call
   */
  public record Call(int seq, String operation, String outcome, Instant at, boolean applied,
      List<String> instanceIds, List<String> changed, List<String> allocationIds, String detail,
      Map<String, InstanceStateName> statesBefore, Map<String, String> holdersBefore) {

    public boolean ok() {
      return outcome.equals("ok");
    }

    public boolean mutating() {
      return MUTATING.contains(operation);
    }

    @Override
    public String toString() {
      return operation + (detail.isEmpty() ? "" : "(" + detail + ")") + " " + outcome;
    }
  }

  /** A state an instance entered, when, and from when DescribeInstances shows it. */
  public record Change(Instant at, Instant visibleAt, InstanceStateName state) {}

  /** An instance as it really is (ground truth). */
  public final class SimInstance {
    private final String id;
    private final String reservationId;
    private final String clientToken;
    private final String imageId;
    private final String instanceType;
    private final String subnetId;
    private final String zone;
    private final Map<String, String> tags;
    private final String privateIp;
    private final int amiLaunchIndex;
    private final Instant launchTime;
    private final List<Change> history = new ArrayList<>();
    private Instant dueAt;
    private InstanceStateName dueState;
    private boolean terminationProtected;
    private boolean impaired;
    private Instant runningSince;

    private SimInstance(String id, String reservationId, String clientToken, String imageId,
        String instanceType, String subnetId, Map<String, String> tags, String privateIp,
        int amiLaunchIndex, Instant launchTime, boolean terminationProtected) {
      this.id = id;
      this.reservationId = reservationId;
      this.clientToken = clientToken;
      this.imageId = imageId;
      this.instanceType = instanceType;
      this.subnetId = subnetId;
      this.zone = settings.zoneOfSubnet.getOrDefault(subnetId, settings.defaultZone);
      this.tags = Map.copyOf(tags);
      this.privateIp = privateIp;
      this.amiLaunchIndex = amiLaunchIndex;
      this.launchTime = launchTime;
      this.terminationProtected = terminationProtected;
    }

    public String id() {
      return id;
    }

    public Map<String, String> tags() {
      return tags;
    }

    public String tag(String key) {
      return tags.get(key);
    }

    public String subnetId() {
      return subnetId;
    }

    public String zone() {
      return zone;
    }

    public String instanceType() {
      return instanceType;
    }

    public String privateIp() {
      return privateIp;
    }

    public int amiLaunchIndex() {
      return amiLaunchIndex;
    }

    public Instant launchTime() {
      return launchTime;
    }

    public String clientToken() {
      return clientToken;
    }

    public boolean terminationProtected() {
      return terminationProtected;
    }

    public boolean impaired() {
      return impaired;
    }

    /** The state now (ground truth). */
    public InstanceStateName state() {
      settle();
      return history.get(history.size() - 1).state();
    }

    /** Pending or running. */
    public boolean alive() {
      InstanceStateName s = state();
      return s == InstanceStateName.PENDING || s == InstanceStateName.RUNNING;
    }

    /** The state at a moment (ground truth); null before launch. */
    public InstanceStateName stateAt(Instant at) {
      settle();
      InstanceStateName found = null;
      for (Change c : history) {
        if (c.at().isAfter(at)) {
          break;
        }
        found = c.state();
      }
      return found;
    }

    /** What DescribeInstances shows at a moment; null while the instance is not visible. */
    public InstanceStateName visibleStateAt(Instant at) {
      settle();
      InstanceStateName found = null;
      for (Change c : history) {
        if (!c.visibleAt().isAfter(at)) {
          found = c.state();
        }
      }
      return found;
    }

    public List<Change> history() {
      settle();
      return List.copyOf(history);
    }

    /** When it last became running, or null while it is not running. */
    public Instant runningSince() {
      settle();
      return runningSince;
    }

    private boolean vanishedAt(Instant at) {
      Change last = history.get(history.size() - 1);
      return last.state() == InstanceStateName.TERMINATED
          && !last.at().plus(settings.terminatedVisibleFor).isAfter(at);
    }

    private void enter(InstanceStateName state, Instant at) {
      history.add(new Change(at, at.plus(settings.describeLag), state));
      runningSince = state == InstanceStateName.RUNNING ? at : null;
      if (state == InstanceStateName.TERMINATED) {
        // AWS disassociates the Elastic IP of a terminated instance (moto does not).
        for (SimAddress a : addresses.values()) {
          if (id.equals(a.instanceId)) {
            a.instanceId = null;
            a.associationId = null;
          }
        }
      }
    }

    private void schedule(InstanceStateName state, Instant at) {
      scheduled = true;
      dueState = state;
      dueAt = at;
    }

    @Override
    public String toString() {
      return id;
    }
  }

  /** An Elastic IP as it really is. */
  public static final class SimAddress {
    private final String allocationId;
    private final String publicIp;
    private Map<String, String> tags;
    private final Instant visibleAt;
    private String instanceId;
    private String associationId;

    private SimAddress(String allocationId, String publicIp, Map<String, String> tags,
        Instant visibleAt) {
      this.allocationId = allocationId;
      this.publicIp = publicIp;
      this.tags = Map.copyOf(tags);
      this.visibleAt = visibleAt;
    }

    public String allocationId() {
      return allocationId;
    }

    public String publicIp() {
      return publicIp;
    }

    public Map<String, String> tags() {
      return tags;
    }

    public String instanceId() {
      return instanceId;
    }

    public String associationId() {
      return associationId;
    }
  }

  private record Launch(String reservationId, String signature, List<String> instanceIds) {}

  /**
   * The process calling this EC2 died right after a call was applied and answered: nothing the
   * caller meant to do after that call happens. An {@link Error}, so that no catch of the code
   * under test (which handles SDK exceptions) mistakes it for an answer of EC2.
   */
  public static final class ProcessDied extends Error {
    private final transient Call after;

    ProcessDied(Call after) {
      super("simulated: the process died right after " + after, null, false, false);
      this.after = after;
    }

    /** The last call the process made. */
    public Call after() {
      return after;
    }
  }

  private static final class Touch {
    final Set<String> named = new LinkedHashSet<>();
    final Set<String> changed = new LinkedHashSet<>();
    final Set<String> allocations = new LinkedHashSet<>();
    boolean applied;
  }

  private final SimClock clock;
  private final Settings settings = new Settings();
  private final Map<String, SimInstance> instances = new LinkedHashMap<>();
  private final Map<String, SimAddress> addresses = new LinkedHashMap<>();
  private final Map<String, Launch> launchesByToken = new HashMap<>();
  private final Map<String, Deque<Fault>> nextFaults = new HashMap<>();
  private final Map<String, Integer> dieAfter = new HashMap<>();
  private final Set<String> noCapacity = new LinkedHashSet<>();
  private final Set<String> missingImages = new LinkedHashSet<>();
  private final List<Call> calls = new ArrayList<>();
  private Random randomFaults;
  private double randomFaultRate;
  private int nextInstance = 1;
  private int nextReservation = 1;
  private int nextAddress = 1;
  private int nextAssociation = 1;
  private int nextIp = 0;
  private Instant settledAt;
  private boolean scheduled;

  public SimulatedEc2(SimClock clock) {
    this.clock = clock;
  }

  public Settings settings() {
    return settings;
  }

  // ------------------------------------------------------------------ faults

  /** The next call of {@code operation} suffers {@code fault} (queued: one fault per call). */
  public SimulatedEc2 failNext(String operation, Fault fault) {
    nextFaults.computeIfAbsent(operation, k -> new ArrayDeque<>()).add(fault);
    return this;
  }

  /** Every call (of any operation) fails with this probability, seeded. */
  public SimulatedEc2 randomFaults(long seed, double rate) {
    this.randomFaults = new Random(seed);
    this.randomFaultRate = rate;
    return this;
  }

  /**
   * The caller's process dies right after its {@code nth} next successful call of
   * {@code operation} (a mutating one): the call is applied and answered, then
   * {@link ProcessDied} is thrown to the caller, as if the process had been killed between that
   * call and whatever it meant to do next (the next action of a plan, the status write).
   */
  public SimulatedEc2 dieAfter(String operation, int nth) {
    if (!MUTATING.contains(operation) || nth < 1) {
      throw new IllegalArgumentException(operation + " #" + nth);
    }
    dieAfter.put(operation, nth);
    return this;
  }

  /** No death after {@code operation} any more (one armed by {@link #dieAfter}). */
  public void noDeathAfter(String operation) {
    dieAfter.remove(operation);
  }

  public void clearFaults() {
    nextFaults.clear();
    dieAfter.clear();
    randomFaultRate = 0;
  }

  /** RunInstances in this subnet or of this instance type fails: InsufficientInstanceCapacity. */
  public void setCapacity(String subnetOrType, boolean available) {
    if (available) {
      noCapacity.remove(subnetOrType);
    } else {
      noCapacity.add(subnetOrType);
    }
  }

  /** RunInstances of this AMI fails: InvalidAMIID.NotFound (a deregistered image). */
  public void setImageMissing(String imageId, boolean missing) {
    if (missing) {
      missingImages.add(imageId);
    } else {
      missingImages.remove(imageId);
    }
  }

  // ------------------------------------------------------------------ ground truth

  public List<Call> calls() {
    return java.util.Collections.unmodifiableList(calls);
  }

  public Collection<SimInstance> instances() {
    settle();
    return java.util.Collections.unmodifiableCollection(instances.values());
  }

  public Optional<SimInstance> instance(String id) {
    settle();
    return Optional.ofNullable(instances.get(id));
  }

  public Collection<SimAddress> addresses() {
    settle();
    return java.util.Collections.unmodifiableCollection(addresses.values());
  }

  public Optional<SimAddress> address(String allocationId) {
    settle();
    return Optional.ofNullable(addresses.get(allocationId));
  }

  /** The address associated with an instance, if any. */
  public Optional<SimAddress> addressOn(String instanceId) {
    settle();
    return addresses.values().stream().filter(a -> instanceId.equals(a.instanceId))
        .findFirst();
  }

  // ------------------------------------------------------------------ out of band

  /** Instances launched by someone else (never logged as a call of the client under test). */
  public List<SimInstance> launchOutOfBand(Map<String, String> tags, int count, String subnetId) {
    settle();
    return launch(null, "ami-0fffffffffffffff0", "t3.micro", subnetId, tags, count, false);
  }

  /** The instance dies (hardware, spot, a person): protection does not stop this. */
  public void terminateOutOfBand(String instanceId) {
    settle();
    beginTermination(require(instanceId));
  }

  public void stopOutOfBand(String instanceId) {
    settle();
    SimInstance i = require(instanceId);
    if (i.alive()) {
      i.enter(InstanceStateName.STOPPING, clock.instant());
      i.schedule(InstanceStateName.STOPPED, clock.instant().plus(settings.stopDelay));
    }
  }

  public void setTerminationProtection(String instanceId, boolean on) {
    require(instanceId).terminationProtected = on;
  }

  public void setImpaired(String instanceId, boolean impaired) {
    require(instanceId).impaired = impaired;
  }

  /** An address someone allocated (the user's own, or another team's). */
  public SimAddress createAddressOutOfBand(String allocationId, String publicIp,
      Map<String, String> tags) {
    settle();
    SimAddress a = new SimAddress(allocationId, publicIp, tags, clock.instant());
    addresses.put(allocationId, a);
    return a;
  }

  public void disassociateOutOfBand(String allocationId) {
    settle();
    SimAddress a = addresses.get(allocationId);
    if (a != null) {
      a.instanceId = null;
      a.associationId = null;
    }
  }

  /** Someone points the address elsewhere (any instance in any state but gone). */
  public void associateOutOfBand(String allocationId, String instanceId) {
    settle();
    SimAddress a = Objects.requireNonNull(addresses.get(allocationId), allocationId);
    require(instanceId);
    addresses.values().stream().filter(o -> o != a && instanceId.equals(o.instanceId))
        .forEach(o -> {
          o.instanceId = null;
          o.associationId = null;
        });
    a.instanceId = instanceId;
    a.associationId = newAssociationId();
  }

  private SimInstance require(String instanceId) {
    SimInstance i = instances.get(instanceId);
    if (i == null) {
      throw new IllegalArgumentException("no instance " + instanceId);
    }
    return i;
  }

  // ------------------------------------------------------------------ time

  /** Carries out every timed transition due by now, each at its own time. */
  public void settle() {
    Instant now = clock.instant();
    if (now.equals(settledAt) && !scheduled) {
      return;
    }
    settledAt = now;
    scheduled = false;
    for (SimInstance i : instances.values()) {
      while (i.dueAt != null && !i.dueAt.isAfter(now)) {
        Instant at = i.dueAt;
        InstanceStateName state = i.dueState;
        i.dueAt = null;
        i.dueState = null;
        i.enter(state, at);
        if (state == InstanceStateName.SHUTTING_DOWN) {
          i.schedule(InstanceStateName.TERMINATED, at.plus(settings.terminateDelay));
        }
      }
    }
  }

  // ------------------------------------------------------------------ the client

  @Override
  public String serviceName() {
    return SERVICE_NAME;
  }

  @Override
  public void close() {}

  @Override
  public DescribeInstancesResponse describeInstances(DescribeInstancesRequest request) {
    return read("DescribeInstances", () -> {
      Instant now = clock.instant();
      if (request.maxResults() != null) {
        if (request.hasInstanceIds() && !request.instanceIds().isEmpty()) {
          throw error("InvalidParameterCombination",
              "The parameter instancesSet cannot be used with the parameter maxResults", 400);
        }
        if (request.maxResults() < 5 || request.maxResults() > 1000) {
          throw error("InvalidParameterValue", "Value ( " + request.maxResults()
              + " ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.",
              400);
        }
      }
      List<SimInstance> visible = new ArrayList<>();
      for (SimInstance i : instances.values()) {
        InstanceStateName shown = i.visibleStateAt(now);
        if (shown != null && !i.vanishedAt(now)) {
          visible.add(i);
        }
      }
      if (request.hasInstanceIds()) {
        for (String id : request.instanceIds()) {
          if (visible.stream().noneMatch(i -> i.id.equals(id))) {
            throw error("InvalidInstanceID.NotFound", "The instance ID '" + id
                + "' does not exist", 400);
          }
        }
        visible.removeIf(i -> !request.instanceIds().contains(i.id));
      }
      List<Filter> filters = request.hasFilters() ? request.filters() : List.of();
      List<SimInstance> matching = visible.stream()
          .filter(i -> filters.stream().allMatch(f -> matches(i, f, now))).toList();
      int from = offset(request.nextToken(), matching.size());
      int size = Math.min(request.maxResults() == null ? Integer.MAX_VALUE
          : request.maxResults(), settings.pageSize);
      int to = (int) Math.min((long) from + size, matching.size());
      List<Reservation> reservations = new ArrayList<>();
      String current = null;
      List<Instance> group = new ArrayList<>();
      for (SimInstance i : matching.subList(from, to)) {
        if (!i.reservationId.equals(current) && !group.isEmpty()) {
          reservations.add(reservation(current, group));
          group = new ArrayList<>();
        }
        current = i.reservationId;
        group.add(toInstance(i, i.visibleStateAt(now)));
      }
      if (!group.isEmpty()) {
        reservations.add(reservation(current, group));
      }
      return DescribeInstancesResponse.builder().reservations(reservations)
          .nextToken(to < matching.size() ? token(to) : null).build();
    });
  }

  @Override
  public DescribeInstanceStatusResponse describeInstanceStatus(
      DescribeInstanceStatusRequest request) {
    return read("DescribeInstanceStatus", () -> {
      Instant now = clock.instant();
      if (request.hasFilters() && !request.filters().isEmpty()) {
        throw error("InvalidParameterValue", "filters are not simulated", 400);
      }
      if (request.maxResults() != null
          && (request.maxResults() < 5 || request.maxResults() > 1000)) {
        throw error("InvalidParameterValue", "maxResults must be between 5 and 1000", 400);
      }
      if (request.hasInstanceIds() && !request.instanceIds().isEmpty()) {
        if (request.maxResults() != null) {
          throw error("InvalidParameterCombination",
              "The parameter instancesSet cannot be used with the parameter maxResults", 400);
        }
        if (request.instanceIds().size() > 100) {
          throw error("InvalidParameterValue", "at most 100 instance ids may be given, not "
              + request.instanceIds().size(), 400);
        }
        // AWS fails the whole call for an id it does not know, and names every such id.
        List<String> unknown = request.instanceIds().stream().filter(id -> {
          SimInstance i = instances.get(id);
          return i == null || i.visibleStateAt(now) == null || i.vanishedAt(now);
        }).distinct().toList();
        if (unknown.size() == 1) {
          throw error("InvalidInstanceID.NotFound", "The instance ID '" + unknown.get(0)
              + "' does not exist", 400);
        }
        if (!unknown.isEmpty()) {
          throw error("InvalidInstanceID.NotFound", "The instance IDs '"
              + String.join(", ", unknown) + "' do not exist", 400);
        }
      }
      boolean all = Boolean.TRUE.equals(request.includeAllInstances());
      List<InstanceStatus> statuses = new ArrayList<>();
      for (SimInstance i : instances.values()) {
        InstanceStateName shown = i.visibleStateAt(now);
        if (shown == null || i.vanishedAt(now)) {
          continue;
        }
        if (request.hasInstanceIds() && !request.instanceIds().contains(i.id)) {
          continue;
        }
        if (shown != InstanceStateName.RUNNING && !all) {
          continue;
        }
        SummaryStatus summary;
        if (shown != InstanceStateName.RUNNING || i.state() != InstanceStateName.RUNNING) {
          summary = SummaryStatus.NOT_APPLICABLE;
        } else if (i.impaired) {
          summary = SummaryStatus.IMPAIRED;
        } else if (!now.isBefore(i.runningSince.plus(settings.statusOkDelay))) {
          summary = SummaryStatus.OK;
        } else {
          summary = SummaryStatus.INITIALIZING;
        }
        if (shown == InstanceStateName.RUNNING && i.state() != InstanceStateName.RUNNING) {
          // Shown running (lag) but already gone: its checks are no longer reported as ok.
          summary = SummaryStatus.INSUFFICIENT_DATA;
        }
        statuses.add(InstanceStatus.builder().instanceId(i.id).availabilityZone(i.zone)
            .instanceState(state(shown))
            .systemStatus(InstanceStatusSummary.builder().status(summary).build())
            .instanceStatus(InstanceStatusSummary.builder().status(summary).build()).build());
      }
      int from = offset(request.nextToken(), statuses.size());
      int size = Math.min(request.maxResults() == null ? Integer.MAX_VALUE
          : request.maxResults(), settings.pageSize);
      int to = (int) Math.min((long) from + size, statuses.size());
      return DescribeInstanceStatusResponse.builder()
          .instanceStatuses(List.copyOf(statuses.subList(from, to)))
          .nextToken(to < statuses.size() ? token(to) : null).build();
    });
  }

  @Override
  public DescribeAddressesResponse describeAddresses(DescribeAddressesRequest request) {
    return read("DescribeAddresses", () -> {
      Instant now = clock.instant();
      List<SimAddress> visible = addresses.values().stream()
          .filter(a -> !a.visibleAt.isAfter(now)).toList();
      if (request.hasAllocationIds()) {
        for (String id : request.allocationIds()) {
          if (visible.stream().noneMatch(a -> a.allocationId.equals(id))) {
            throw error("InvalidAllocationID.NotFound", "The allocation ID '" + id
                + "' does not exist", 400);
          }
        }
      }
      List<Address> found = new ArrayList<>();
      for (SimAddress a : visible) {
        if (request.hasAllocationIds() && !request.allocationIds().contains(a.allocationId)) {
          continue;
        }
        if (request.hasPublicIps() && !request.publicIps().contains(a.publicIp)) {
          continue;
        }
        if (request.hasFilters() && !request.filters().stream()
            .allMatch(f -> matches(a, f))) {
          continue;
        }
        found.add(toAddress(a));
      }
      return DescribeAddressesResponse.builder().addresses(found).build();
    });
  }

  @Override
  public RunInstancesResponse runInstances(RunInstancesRequest request) {
    String detail = launchDetail(request);
    return mutate("RunInstances", detail, touch -> {
      if (request.imageId() == null || request.minCount() == null
          || request.maxCount() == null) {
        throw error("MissingParameter", "ImageId, MinCount and MaxCount are required", 400);
      }
      if (request.minCount() < 1 || request.maxCount() < request.minCount()) {
        throw error("InvalidParameterValue", "MinCount must be at least 1 and at most "
            + "MaxCount", 400);
      }
      String type = request.instanceTypeAsString() == null ? "m1.small"
          : request.instanceTypeAsString();
      String subnet = request.subnetId();
      String signature = request.imageId() + "|" + type + "|" + subnet + "|"
          + request.minCount() + "|" + request.maxCount();
      String token = request.clientToken();
      if (token != null && launchesByToken.containsKey(token)) {
        Launch before = launchesByToken.get(token);
        if (!before.signature().equals(signature)) {
          throw error("IdempotentParameterMismatch", "The client token '" + token
              + "' was used before with other parameters", 400);
        }
        // The original reservation, whatever became of its instances: nothing is launched.
        touch.named.addAll(before.instanceIds());
        List<Instance> same = before.instanceIds().stream()
            .map(id -> toInstance(instances.get(id), instances.get(id).state())).toList();
        return RunInstancesResponse.builder().reservationId(before.reservationId())
            .ownerId(OWNER_ID).instances(same).build();
      }
      if (missingImages.contains(request.imageId())) {
        throw error("InvalidAMIID.NotFound", "The image id '[" + request.imageId()
            + "]' does not exist", 400);
      }
      if (noCapacity.contains(type) || subnet != null && noCapacity.contains(subnet)) {
        throw error("InsufficientInstanceCapacity", "We currently do not have sufficient "
            + type + " capacity in the Availability Zone you requested ("
            + settings.zoneOfSubnet.getOrDefault(subnet, settings.defaultZone)
            + "). Our system will be working on provisioning additional capacity.", 500);
      }
      Map<String, String> tags = new LinkedHashMap<>();
      if (request.hasTagSpecifications()) {
        for (TagSpecification spec : request.tagSpecifications()) {
          if ("instance".equals(spec.resourceTypeAsString()) && spec.hasTags()) {
            spec.tags().forEach(t -> tags.put(t.key(), t.value()));
          }
        }
      }
      List<SimInstance> launched = launch(token, request.imageId(), type, subnet, tags,
          request.maxCount(), Boolean.TRUE.equals(request.disableApiTermination()));
      launched.forEach(i -> {
        touch.named.add(i.id);
        touch.changed.add(i.id);
      });
      touch.applied = true;
      return RunInstancesResponse.builder().reservationId(launched.get(0).reservationId)
          .ownerId(OWNER_ID).instances(launched.stream()
              .map(i -> toInstance(i, i.state())).toList()).build();
    });
  }

  @Override
  public AssociateAddressResponse associateAddress(AssociateAddressRequest request) {
    return mutate("AssociateAddress", request.allocationId() + " -> " + request.instanceId(),
        request.instanceId() == null ? List.of() : List.of(request.instanceId()),
        request.allocationId() == null ? List.of() : List.of(request.allocationId()),
        touch -> {
          SimAddress a = findAddress(request.allocationId(), request.publicIp());
          touch.allocations.add(a.allocationId);
          if (request.instanceId() == null) {
            throw error("MissingParameter", "Either InstanceId or NetworkInterfaceId is "
                + "required", 400);
          }
          touch.named.add(request.instanceId());
          SimInstance i = instances.get(request.instanceId());
          Instant now = clock.instant();
          if (i == null || i.vanishedAt(now) || i.visibleStateAt(now) == null) {
            throw error("InvalidInstanceID.NotFound", "The instance ID '"
                + request.instanceId() + "' does not exist", 400);
          }
          if (i.state() != InstanceStateName.RUNNING) {
            throw error("IncorrectInstanceState", "The instance '" + i.id
                + "' is not in a valid state for this operation.", 400);
          }
          if (a.instanceId != null && !a.instanceId.equals(i.id)
              && !Boolean.TRUE.equals(request.allowReassociation())) {
            throw error("Resource.AlreadyAssociated", "resource " + a.allocationId
                + " is already associated with associate-id " + a.associationId, 400);
          }
          // An instance has one Elastic IP on its primary private address: another one leaves.
          for (SimAddress other : addresses.values()) {
            if (other != a && i.id.equals(other.instanceId)) {
              other.instanceId = null;
              other.associationId = null;
              touch.allocations.add(other.allocationId);
            }
          }
          a.instanceId = i.id;
          a.associationId = newAssociationId();
          touch.changed.add(i.id);
          touch.applied = true;
          return AssociateAddressResponse.builder().associationId(a.associationId).build();
        });
  }

  @Override
  public TerminateInstancesResponse terminateInstances(TerminateInstancesRequest request) {
    List<String> ids = request.hasInstanceIds() ? request.instanceIds() : List.of();
    return mutate("TerminateInstances", String.join(",", ids), ids, List.of(), touch -> {
      if (ids.isEmpty()) {
        throw error("MissingParameter", "The request must contain the parameter InstanceId",
            400);
      }
      Instant now = clock.instant();
      touch.named.addAll(ids);
      List<SimInstance> targets = new ArrayList<>();
      for (String id : ids) {
        SimInstance i = instances.get(id);
        if (i == null || i.vanishedAt(now)) {
          throw error("InvalidInstanceID.NotFound", "The instance ID '" + id
              + "' does not exist", 400);
        }
        targets.add(i);
      }
      // AWS: instances in the zone of a protected instance are not terminated; the others are,
      // and the call still fails.
      Set<String> protectedZones = new LinkedHashSet<>();
      SimInstance firstProtected = null;
      for (SimInstance i : targets) {
        boolean gone = i.state() == InstanceStateName.SHUTTING_DOWN
            || i.state() == InstanceStateName.TERMINATED;
        if (i.terminationProtected && !gone) {
          protectedZones.add(i.zone);
          firstProtected = firstProtected == null ? i : firstProtected;
        }
      }
      List<InstanceStateChange> changes = new ArrayList<>();
      for (SimInstance i : targets) {
        if (protectedZones.contains(i.zone)) {
          continue;
        }
        InstanceStateName before = i.state();
        if (beginTermination(i)) {
          touch.changed.add(i.id);
          touch.applied = true;
        }
        changes.add(InstanceStateChange.builder().instanceId(i.id).previousState(state(before))
            .currentState(state(i.state())).build());
      }
      if (firstProtected != null) {
        throw error("OperationNotPermitted", "The instance '" + firstProtected.id
            + "' may not be terminated. Modify its 'disableApiTermination' instance attribute "
            + "and try again.", 400);
      }
      return TerminateInstancesResponse.builder().terminatingInstances(changes).build();
    });
  }

  @Override
  public AllocateAddressResponse allocateAddress(AllocateAddressRequest request) {
    return mutate("AllocateAddress", "", touch -> {
      if (addresses.size() >= settings.addressQuota) {
        throw error("AddressLimitExceeded", "The maximum number of addresses has been "
            + "reached.", 400);
      }
      Map<String, String> tags = new LinkedHashMap<>();
      if (request.hasTagSpecifications()) {
        for (TagSpecification spec : request.tagSpecifications()) {
          if ("elastic-ip".equals(spec.resourceTypeAsString()) && spec.hasTags()) {
            spec.tags().forEach(t -> tags.put(t.key(), t.value()));
          }
        }
      }
      int n = nextAddress++;
      String allocationId = String.format("eipalloc-%017x", 0xa000L + n);
      SimAddress a = new SimAddress(allocationId, "127.17.0." + (n % 250 + 1), tags,
          clock.instant().plus(settings.describeLag));
      addresses.put(allocationId, a);
      touch.allocations.add(allocationId);
      touch.applied = true;
      return AllocateAddressResponse.builder().allocationId(allocationId)
          .publicIp(a.publicIp).domain(DomainType.VPC).build();
    });
  }

  @Override
  public DisassociateAddressResponse disassociateAddress(DisassociateAddressRequest request) {
    List<String> byAssociation = addresses.values().stream()
        .filter(x -> x.associationId != null && x.associationId.equals(request.associationId()))
        .map(x -> x.allocationId).toList();
    return mutate("DisassociateAddress", String.valueOf(request.associationId()), List.of(),
        byAssociation, touch -> {
      SimAddress a = addresses.values().stream()
          .filter(x -> request.associationId() != null
              ? request.associationId().equals(x.associationId)
              : request.publicIp() != null && request.publicIp().equals(x.publicIp))
          .findFirst().orElseThrow(() -> error("InvalidAssociationID.NotFound",
              "The association ID '" + request.associationId() + "' does not exist", 400));
      touch.allocations.add(a.allocationId);
      if (a.instanceId != null) {
        touch.named.add(a.instanceId);
      }
      a.instanceId = null;
      a.associationId = null;
      touch.applied = true;
      return DisassociateAddressResponse.builder().build();
    });
  }

  /** Tags on Elastic IPs (the only resources Cutover tags after creation). */
  @Override
  public CreateTagsResponse createTags(CreateTagsRequest request) {
    return mutate("CreateTags", String.join(",", request.resources()), List.of(),
        request.resources(), touch -> {
      for (String id : request.resources()) {
        SimAddress a = findAddress(id, null);
        Map<String, String> tags = new LinkedHashMap<>(a.tags);
        request.tags().forEach(t -> tags.put(t.key(), t.value()));
        if (tags.size() > 50) {
          throw error("TagLimitExceeded", "The maximum number of tags for a resource is 50.",
              400);
        }
        a.tags = Map.copyOf(tags);
      }
      touch.applied = true;
      return CreateTagsResponse.builder().build();
    });
  }

  @Override
  public DeleteTagsResponse deleteTags(DeleteTagsRequest request) {
    return mutate("DeleteTags", String.join(",", request.resources()), List.of(),
        request.resources(), touch -> {
      for (String id : request.resources()) {
        SimAddress a = findAddress(id, null);
        Map<String, String> tags = new LinkedHashMap<>(a.tags);
        request.tags().forEach(t -> tags.remove(t.key()));
        a.tags = Map.copyOf(tags);
      }
      touch.applied = true;
      return DeleteTagsResponse.builder().build();
    });
  }

  @Override
  public ReleaseAddressResponse releaseAddress(ReleaseAddressRequest request) {
    return mutate("ReleaseAddress", String.valueOf(request.allocationId()), List.of(),
        request.allocationId() == null ? List.of() : List.of(request.allocationId()), touch -> {
      SimAddress a = findAddress(request.allocationId(), request.publicIp());
      touch.allocations.add(a.allocationId);
      if (a.associationId != null) {
        throw error("InvalidIPAddress.InUse", "Address " + a.publicIp + " is in use.", 400);
      }
      addresses.remove(a.allocationId);
      touch.applied = true;
      return ReleaseAddressResponse.builder().build();
    });
  }

  // ------------------------------------------------------------------ machinery

  private <T> T read(String operation, Supplier<T> body) {
    settle();
    Fault fault = takeFault(operation);
    if (fault != null && fault.kind() != FaultKind.LOST_RESPONSE) {
      log(operation, fault.code(), false, List.of(), List.of(), List.of(), "", Map.of(), Map.of());
      throw error(fault.code(), "simulated " + fault.describe(), fault.status());
    }
    T result;
    try {
      result = body.get();
    } catch (Ec2Exception e) {
      log(operation, e.awsErrorDetails().errorCode(), false, List.of(), List.of(), List.of(), "",
          Map.of(), Map.of());
      throw e;
    }
    if (fault != null) {
      log(operation, "LostResponse", false, List.of(), List.of(), List.of(), "", Map.of(),
          Map.of());
      throw SdkClientException.builder().message("simulated: connection reset reading the "
          + operation + " response").build();
    }
    log(operation, "ok", false, List.of(), List.of(), List.of(), "", Map.of(), Map.of());
    return result;
  }

  private <T> T mutate(String operation, String detail, Function<Touch, T> body) {
    return mutate(operation, detail, List.of(), List.of(), body);
  }

  /** {@code named}, {@code allocations}: what the request names, logged even if it fails. */
  private <T> T mutate(String operation, String detail, List<String> named,
      List<String> allocations, Function<Touch, T> body) {
    settle();
    Map<String, InstanceStateName> states = new LinkedHashMap<>();
    instances.values().forEach(i -> states.put(i.id, i.state()));
    Map<String, String> holders = new LinkedHashMap<>();
    addresses.values().forEach(a -> holders.put(a.allocationId, a.instanceId));
    Fault fault = takeFault(operation);
    Touch touch = new Touch();
    touch.named.addAll(named);
    touch.allocations.addAll(allocations);
    if (fault != null && fault.kind() != FaultKind.LOST_RESPONSE) {
      log(operation, fault.code(), false, List.copyOf(touch.named), List.of(),
          List.copyOf(touch.allocations), detail, states, holders);
      throw error(fault.code(), "simulated " + fault.describe(), fault.status());
    }
    T result;
    try {
      result = body.apply(touch);
    } catch (Ec2Exception e) {
      log(operation, e.awsErrorDetails().errorCode(), touch.applied, List.copyOf(touch.named),
          List.copyOf(touch.changed), List.copyOf(touch.allocations), detail, states, holders);
      throw e;
    }
    if (fault != null) {
      log(operation, "LostResponse", touch.applied, List.copyOf(touch.named),
          List.copyOf(touch.changed), List.copyOf(touch.allocations), detail, states, holders);
      throw SdkClientException.builder().message("simulated: connection reset after "
          + operation + " was applied").build();
    }
    log(operation, "ok", touch.applied, List.copyOf(touch.named), List.copyOf(touch.changed),
        List.copyOf(touch.allocations), detail, states, holders);
    Integer left = dieAfter.get(operation);
    if (left != null) {
      if (left <= 1) {
        dieAfter.remove(operation);
        throw new ProcessDied(calls.get(calls.size() - 1));
      }
      dieAfter.put(operation, left - 1);
    }
    return result;
  }

  /** "2.0.0 slots 0,1 fleet 1b9bbc6e5b", from the tags a launch asks for. */
  private static String launchDetail(RunInstancesRequest request) {
    Map<String, String> tags = new HashMap<>();
    if (request.hasTagSpecifications()) {
      request.tagSpecifications().stream().filter(t -> t.hasTags())
          .forEach(t -> t.tags().forEach(tag -> tags.put(tag.key(), tag.value())));
    }
    String version = tags.getOrDefault("cutover.dev/version", "?");
    String slots = tags.getOrDefault("cutover.dev/slot", "?");
    String fleet = tags.getOrDefault("cutover.dev/fleet", "?");
    return version + " slots " + slots + " fleet " + fleet;
  }

  private Fault takeFault(String operation) {
    Deque<Fault> queue = nextFaults.get(operation);
    if (queue != null && !queue.isEmpty()) {
      return queue.poll();
    }
    if (randomFaultRate > 0 && randomFaults.nextDouble() < randomFaultRate) {
      return switch (randomFaults.nextInt(3)) {
        case 0 -> Fault.throttle();
        case 1 -> Fault.internalError();
        default -> Fault.lostResponse();
      };
    }
    return null;
  }

  private void log(String operation, String outcome, boolean applied, List<String> named,
      List<String> changed, List<String> allocationIds, String detail,
      Map<String, InstanceStateName> states, Map<String, String> holders) {
    calls.add(new Call(calls.size(), operation, outcome, clock.instant(), applied, named,
        changed, allocationIds, detail, states, holders));
  }

  static Ec2Exception error(String code, String message, int status) {
    return (Ec2Exception) Ec2Exception.builder()
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message)
            .serviceName("EC2").build())
        .statusCode(status).message(message + " (Service: Ec2, Status Code: " + status + ")")
        .build();
  }

  private List<SimInstance> launch(String token, String imageId, String type, String subnet,
      Map<String, String> tags, int count, boolean protect) {
    Instant now = clock.instant();
    String reservationId = String.format("r-%017x", (long) nextReservation++);
    List<SimInstance> launched = new ArrayList<>();
    for (int index = 0; index < count; index++) {
      String id = String.format("i-%06d", nextInstance++);
      int n = nextIp++;
      String ip = "127.16." + (1 + n / 250) + "." + (4 + n % 250);
      SimInstance i = new SimInstance(id, reservationId, token, imageId, type, subnet, tags, ip,
          index, now, protect);
      i.enter(InstanceStateName.PENDING, now);
      i.schedule(InstanceStateName.RUNNING, now.plus(settings.bootDelay));
      instances.put(id, i);
      launched.add(i);
    }
    if (token != null) {
      launchesByToken.put(token, new Launch(reservationId, imageId + "|" + type + "|" + subnet
          + "|" + count + "|" + count, launched.stream().map(i -> i.id).toList()));
    }
    return launched;
  }

  /** Returns whether the instance was on its way out only now. */
  private boolean beginTermination(SimInstance i) {
    InstanceStateName s = i.state();
    if (s == InstanceStateName.SHUTTING_DOWN || s == InstanceStateName.TERMINATED) {
      return false;
    }
    i.enter(InstanceStateName.SHUTTING_DOWN, clock.instant());
    i.schedule(InstanceStateName.TERMINATED, clock.instant().plus(settings.terminateDelay));
    return true;
  }

  private SimAddress findAddress(String allocationId, String publicIp) {
    Instant now = clock.instant();
    return addresses.values().stream().filter(a -> !a.visibleAt.isAfter(now))
        .filter(a -> allocationId != null ? allocationId.equals(a.allocationId)
            : publicIp != null && publicIp.equals(a.publicIp))
        .findFirst().orElseThrow(() -> error("InvalidAllocationID.NotFound",
            "The allocation ID '" + allocationId + "' does not exist", 400));
  }

  private String newAssociationId() {
    return String.format("eipassoc-%017x", (long) nextAssociation++);
  }

  private static String token(int offset) {
    return "page-" + offset;
  }

  private static int offset(String token, int size) {
    if (token == null || token.isEmpty()) {
      return 0;
    }
    try {
      int offset = Integer.parseInt(token.substring("page-".length()));
      if (offset < 0 || offset > size) {
        throw new NumberFormatException();
      }
      return offset;
    } catch (RuntimeException e) {
      throw error("InvalidParameterValue", "Invalid value '" + token + "' for nextToken", 400);
    }
  }

  private boolean matches(SimInstance i, Filter f, Instant now) {
    List<String> values = f.hasValues() ? f.values() : List.of();
    String name = f.name();
    if (name.startsWith("tag:")) {
      String v = i.tags.get(name.substring(4));
      return v != null && values.stream().anyMatch(w -> wildcard(w, v));
    }
    return switch (name) {
      case "tag-key" -> values.stream().anyMatch(k -> i.tags.keySet().stream()
          .anyMatch(key -> wildcard(k, key)));
      case "tag-value" -> values.stream().anyMatch(k -> i.tags.values().stream()
          .anyMatch(v -> wildcard(k, v)));
      case "instance-state-name" -> values.contains(i.visibleStateAt(now).toString());
      case "instance-id" -> values.contains(i.id);
      case "subnet-id" -> values.contains(i.subnetId);
      default -> throw error("InvalidParameterValue", "The filter '" + name + "' is invalid",
          400);
    };
  }

  private static boolean matches(SimAddress a, Filter f) {
    List<String> values = f.hasValues() ? f.values() : List.of();
    String name = f.name();
    if (name.startsWith("tag:")) {
      String v = a.tags.get(name.substring(4));
      return v != null && values.stream().anyMatch(w -> wildcard(w, v));
    }
    return switch (name) {
      case "tag-key" -> values.stream().anyMatch(k -> a.tags.containsKey(k));
      case "allocation-id" -> values.contains(a.allocationId);
      case "instance-id" -> a.instanceId != null && values.contains(a.instanceId);
      case "domain" -> values.contains("vpc");
      default -> throw error("InvalidParameterValue", "The filter '" + name + "' is invalid",
          400);
    };
  }

  private static boolean wildcard(String pattern, String value) {
    if (!pattern.contains("*")) {
      return pattern.equals(value);
    }
    return value.matches(java.util.regex.Pattern.quote(pattern).replace("*", "\\E.*\\Q"));
  }

  private static Reservation reservation(String id, List<Instance> instances) {
    return Reservation.builder().reservationId(id).ownerId(OWNER_ID).instances(instances).build();
  }

  private Instance toInstance(SimInstance i, InstanceStateName shown) {
    String publicIp = addresses.values().stream().filter(a -> i.id.equals(a.instanceId))
        .map(a -> a.publicIp).findFirst().orElse(null);
    boolean terminated = shown == InstanceStateName.TERMINATED;
    return Instance.builder().instanceId(i.id).imageId(i.imageId).instanceType(i.instanceType)
        .subnetId(terminated ? null : i.subnetId)
        .placement(Placement.builder().availabilityZone(i.zone).build())
        .privateIpAddress(terminated ? null : i.privateIp).publicIpAddress(publicIp)
        .amiLaunchIndex(i.amiLaunchIndex).launchTime(i.launchTime).clientToken(i.clientToken)
        .state(state(shown))
        .tags(i.tags.entrySet().stream()
            .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList())
        .build();
  }

  private static Address toAddress(SimAddress a) {
    return Address.builder().allocationId(a.allocationId).publicIp(a.publicIp)
        .domain(DomainType.VPC).associationId(a.associationId).instanceId(a.instanceId)
        .tags(a.tags.entrySet().stream()
            .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList())
        .build();
  }

  private static InstanceState state(InstanceStateName name) {
    int code = switch (name) {
      case PENDING -> 0;
      case RUNNING -> 16;
      case SHUTTING_DOWN -> 32;
      case TERMINATED -> 48;
      case STOPPING -> 64;
      case STOPPED -> 80;
      default -> -1;
    };
    return InstanceState.builder().code(code).name(name).build();
  }
}
