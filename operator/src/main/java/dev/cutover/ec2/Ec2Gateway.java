package dev.cutover.ec2;

import dev.cutover.ec2.ManagedInstance.StatusChecks;
import java.net.URI;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.ec2.model.Address;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DomainType;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStatus;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.SummaryStatus;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * The only class that talks to EC2. Every call is counted by operation and outcome, and every
 * failure is classified ({@link Ec2Failure}). Retries of throttling and 5xx inside one call are
 * the AWS SDK's (standard retry mode); beyond those the reconcile is retried with backoff.
 */
public class Ec2Gateway implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Ec2Gateway.class);

  /** Told of every call's outcome ("ok" or the error code), e.g. for metrics. */
  @FunctionalInterface
  public interface CallListener {
    void called(String operation, String outcome);
  }

  /**
   * How long after a call EC2's Describe calls may still not list its effect (DescribeInstances
   * and DescribeAddresses are eventually consistent).
   */
  public static final Duration LISTING_DELAY = Duration.ofSeconds(10);

  /**
   * The longest a call that changes something may take, the SDK's retries inside it included:
   * then it is abandoned (a ClientError whose outcome is unknown, as a lost answer), and Cutover
   * looks at EC2 again before anything else. Without it a call could go on for minutes (three
   * attempts of up to 30 s of reading each, and backoff), long after the Release it acts for was
   * handed to another shard ({@code ShardOwnership.LAST_CALL}). EC2 answers these calls in
   * about a second.
   */
  public static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

  private final Ec2Client ec2;
  private final Ec2Client once;
  /** What every call that changes something carries: {@link #CALL_TIMEOUT} (or a test's). */
  private final AwsRequestOverrideConfiguration bounded;
  private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
  private volatile CallListener listener = (operation, outcome) -> { };

  public Ec2Gateway(Ec2Client ec2) {
    this(ec2, ec2);
  }

  /**
   * @param ec2 for every call the SDK may retry on throttling, 5xx and network errors
   * @param once for the calls that must not be sent twice blindly: AllocateAddress has no
   *     idempotency token (a retry after a lost answer allocates a second address), and a
   *     RunInstances retried inside the SDK is not seen by the policy. Cutover retries both
   *     itself, after looking at EC2 again (its own backoff, the launch's ClientToken).
   */
  public Ec2Gateway(Ec2Client ec2, Ec2Client once) {
    this(ec2, once, CALL_TIMEOUT);
  }

  /** The same, abandoning calls that change something after {@code callTimeout}. */
  public Ec2Gateway(Ec2Client ec2, Ec2Client once, Duration callTimeout) {
    this.ec2 = ec2;
    this.once = once;
    this.bounded = AwsRequestOverrideConfiguration.builder().apiCallTimeout(callTimeout).build();
  }

  public void setListener(CallListener listener) {
    this.listener = listener;
  }

  /**
   * An EC2 client for a region, optionally pointed at another endpoint (an emulator), with the
   * default AWS credentials chain (environment, profile, web identity for IRSA, instance role).
   */
  public static Ec2Gateway create(Region region, Optional<URI> endpoint) {
    return create(region, endpoint, null);
  }

  /**
   * The same with the given credentials (an AwsAccount's assumed role); null: the default
   * chain.
   */
  public static Ec2Gateway create(Region region, Optional<URI> endpoint,
      IdentityProvider<? extends AwsCredentialsIdentity> credentials) {
    var retrying = Ec2Client.builder().region(region);
    var once = Ec2Client.builder().region(region)
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
    if (credentials != null) {
      retrying.credentialsProvider(credentials);
      once.credentialsProvider(credentials);
    }
    endpoint.ifPresent(retrying::endpointOverride);
    endpoint.ifPresent(once::endpointOverride);
    return new Ec2Gateway(retrying.build(), once.build());
  }

  /** The region of this gateway's client. */
  public Region region() {
    return ec2.serviceClientConfiguration().region();
  }

  /** The endpoint override of this gateway's client (an emulator), if any. */
  public Optional<URI> endpoint() {
    return ec2.serviceClientConfiguration().endpointOverride();
  }

  /** The credentials this gateway's client signs with. */
  public IdentityProvider<? extends AwsCredentialsIdentity> credentials() {
    return ec2.serviceClientConfiguration().credentialsProvider();
  }

  // ---- reads: one set per poll, for every Release at once ----

  /**
   * DescribeInstances' largest page (AWS accepts 5 to 1000): the fewer pages, the fewer calls
   * against the account's DescribeInstances budget (50 burst, 10 a second).
   */
  public static final int MAX_PAGE = 1000;
  /** AWS accepts at most this many explicit instance ids in one DescribeInstanceStatus. */
  public static final int STATUS_BATCH = 100;
  private static final java.util.regex.Pattern INSTANCE_ID = java.util.regex.Pattern.compile(
      "\\bi-[0-9a-f]+\\b");

  private volatile int pageSize = MAX_PAGE;

  /**
   * Pages of this many instances instead of {@link #MAX_PAGE}, so that paging can be watched
   * without launching thousands of instances (tests).
   */
  public Ec2Gateway withPageSize(int size) {
    if (size < 5 || size > MAX_PAGE) {
      throw new IllegalArgumentException("a DescribeInstances page holds 5 to " + MAX_PAGE
          + " instances, not " + size);
    }
    this.pageSize = size;
    return this;
  }

  /**
   * Every instance tagged as Cutover's, in any state, across all pages (EC2 applies the tag
   * filter: instances of others never cross the wire).
   */
  public List<ManagedInstance> describeManagedInstances() {
    int size = pageSize;
    return call("DescribeInstances", () -> {
      List<ManagedInstance> found = new ArrayList<>();
      ec2.describeInstancesPaginator(r -> r.filters(Filter.builder().name("tag:" + Tags.MANAGED_BY)
              .values(Tags.MANAGED_BY_VALUE).build()).maxResults(size))
          .reservations().forEach(reservation -> reservation.instances()
              .forEach(instance -> toManaged(instance).ifPresent(found::add)));
      return found;
    });
  }

  /** Every Elastic IP of the account in this region (DescribeAddresses has no pages). */
  public List<ElasticIp> describeAddresses() {
    return call("DescribeAddresses", () -> ec2.describeAddresses(r -> { })
        .addresses().stream().map(Ec2Gateway::toElasticIp).toList());
  }

  /**
   * The account that owns an AMI, for an AwsAccount that allows images by owner; empty when EC2
   * does not show the image to this account.
   */
  public java.util.Optional<String> describeImageOwner(String imageId) {
    try {
      return call("DescribeImages", () -> ec2.describeImages(r -> r.imageIds(imageId)).images()
          .stream().findFirst().map(software.amazon.awssdk.services.ec2.model.Image::ownerId));
    } catch (Ec2Failure e) {
      if (e.code() != null && e.code().startsWith("InvalidAMIID")) {
        return java.util.Optional.empty();
      }
      throw e;
    }
  }

  /**
   * EC2 status checks of these instances (Cutover's own, as DescribeInstances just listed
   * them), by instance id: one DescribeInstanceStatus per {@value #STATUS_BATCH} ids, with
   * IncludeAllInstances so that an instance not running yet is answered too, instead of paging
   * through every instance of the account. No ids, no call: DescribeInstanceStatus without ids
   * would describe the whole account.
   *
   * <p>An id EC2 no longer knows (an instance terminated long enough ago to be forgotten
   * between the two calls) fails its whole batch with InvalidInstanceID.NotFound, naming the
   * unknown ids: the batch is asked again without them, and they are left out of the answer.
   */
  public Map<String, StatusChecks> describeInstanceStatuses(java.util.Collection<String> ids) {
    Map<String, StatusChecks> statuses = new HashMap<>();
    List<String> all = List.copyOf(new java.util.LinkedHashSet<>(ids));
    for (int from = 0; from < all.size(); from += STATUS_BATCH) {
      List<String> batch = new ArrayList<>(all.subList(from,
          Math.min(from + STATUS_BATCH, all.size())));
      while (!batch.isEmpty()) {
        List<String> asked = List.copyOf(batch);
        try {
          call("DescribeInstanceStatus", () -> {
            // MaxResults cannot be combined with InstanceIds; 100 ids fit one answer, and the
            // paginator follows a NextToken should EC2 send one anyway.
            ec2.describeInstanceStatusPaginator(r -> r.instanceIds(asked)
                    .includeAllInstances(true)).instanceStatuses()
                .forEach(s -> statuses.put(s.instanceId(), toChecks(s)));
            return null;
          });
          break;
        } catch (Ec2Failure e) {
          List<String> unknown = unknownInstances(e, asked);
          if (unknown.isEmpty()) {
            throw e;
          }
          batch.removeAll(unknown);
        }
      }
    }
    return statuses;
  }

  /** The ids an InvalidInstanceID.NotFound names among those asked; none for another error. */
  static List<String> unknownInstances(Ec2Failure failure, List<String> asked) {
    if (!"InvalidInstanceID.NotFound".equals(failure.code())) {
      return List.of();
    }
    List<String> named = new ArrayList<>();
    java.util.regex.Matcher m = INSTANCE_ID.matcher(failure.awsMessage());
    while (m.find()) {
      if (asked.contains(m.group()) && !named.contains(m.group())) {
        named.add(m.group());
      }
    }
    return named;
  }

  // ---- writes ----

  /**
   * Launches the instances. A request over one of EC2's limits (user data size, tags) is not
   * sent: it fails at once, not retryable, with the limit it breaks as its code.
   */
  public List<ManagedInstance> runInstances(LaunchRequest launch) {
    var over = launch.overLimit();
    if (over.isPresent()) {
      log.warn("RunInstances not sent: {}: {}", over.get().code(), over.get().message());
      throw new Ec2Failure("RunInstances", over.get().code(),
          "not sent: " + over.get().message(), false, null);
    }
    return call("RunInstances", () -> once.runInstances(r -> {
      List<Tag> tags = toTags(launch.tags());
      r.overrideConfiguration(bounded).clientToken(launch.clientToken())
          .subnetId(launch.subnetId())
          .minCount(launch.count())
          .maxCount(launch.count())
          // Tagged at launch, all three: no CreateTags afterwards (an instance is never seen
          // untagged, and the caller needs no CreateTags permission on instances or volumes).
          .tagSpecifications(
              TagSpecification.builder().resourceType(ResourceType.INSTANCE).tags(tags).build(),
              TagSpecification.builder().resourceType(ResourceType.VOLUME).tags(tags).build(),
              TagSpecification.builder().resourceType(ResourceType.NETWORK_INTERFACE).tags(tags)
                  .build());
      if (launch.imageId() != null) {
        r.imageId(launch.imageId());
      }
      if (launch.instanceType() != null) {
        r.instanceType(launch.instanceType());
      }
      options(r, launch.options());
      if (!launch.options().blockDevices().isEmpty()) {
        // An encrypted volume with a customer managed key needs KMS grants for EC2.
        r.blockDeviceMappings(launch.options().blockDevices().stream()
            .map(Ec2Gateway::toMapping).toList());
      }
      if (launch.securityGroupIds() != null && !launch.securityGroupIds().isEmpty()) {
        r.securityGroupIds(launch.securityGroupIds());
      }
      if (launch.keyName() != null) {
        r.keyName(launch.keyName());
      }
      if (launch.iamInstanceProfile() != null) {
        String profile = launch.iamInstanceProfile();
        r.iamInstanceProfile(p -> {
          if (profile.startsWith("arn:")) {
            p.arn(profile);
          } else {
            p.name(profile);
          }
        });
      }
      if (launch.userData() != null) {
        r.userData(Base64.getEncoder().encodeToString(
            launch.userData().getBytes(StandardCharsets.UTF_8)));
      }
    }).instances().stream().map(Ec2Gateway::toManaged).flatMap(Optional::stream).toList());
  }

  /** The launch template, metadata, placement and monitoring of a launch. */
  private static void options(RunInstancesRequest.Builder r, LaunchOptions o) {
    if (o.fromLaunchTemplate()) {
      r.launchTemplate(t -> t.launchTemplateId(o.launchTemplateId())
          .version(o.launchTemplateVersion()));
    }
    if (o.metadata() != null) {
      var m = o.metadata();
      r.metadataOptions(mo -> {
        if (m.httpTokens != null) {
          mo.httpTokens(m.httpTokens);
        }
        if (m.httpPutResponseHopLimit != null) {
          mo.httpPutResponseHopLimit(m.httpPutResponseHopLimit);
        }
        if (m.httpEndpoint != null) {
          mo.httpEndpoint(m.httpEndpoint);
        }
      });
    }
    if (o.placement() != null) {
      r.placement(p -> {
        if (o.placement().groupName != null) {
          p.groupName(o.placement().groupName);
        }
        if (o.placement().tenancy != null) {
          p.tenancy(o.placement().tenancy);
        }
      });
    }
    if (o.detailedMonitoring() != null) {
      r.monitoring(m -> m.enabled(o.detailedMonitoring()));
    }
  }

  private static BlockDeviceMapping toMapping(dev.cutover.api.BlockDevice device) {
    var v = device.ebs;
    return BlockDeviceMapping.builder().deviceName(device.deviceName).ebs(e -> e
        .volumeSize(v.volumeSize).volumeType(v.volumeType).iops(v.iops).throughput(v.throughput)
        .encrypted(v.encrypted).kmsKeyId(v.kmsKeyId).deleteOnTermination(v.deleteOnTermination)
        .snapshotId(v.snapshotId)).build();
  }

  /**
   * One version of a launch template: a number, $Latest or $Default, by template id or name.
   * Throws the AWS error (e.g. InvalidLaunchTemplateName.NotFoundException) when EC2 has none.
   */
  public LaunchTemplateVersion describeLaunchTemplateVersion(String templateId,
      String templateName, String version) {
    return call("DescribeLaunchTemplateVersions", () -> {
      var found = ec2.describeLaunchTemplateVersions(r -> {
        if (templateId != null) {
          r.launchTemplateId(templateId);
        } else {
          r.launchTemplateName(templateName);
        }
        r.versions(version);
      }).launchTemplateVersions();
      if (found.isEmpty()) {
        throw Ec2Exception.builder().message("launch template " + (templateId != null
            ? templateId : templateName) + " has no version " + version)
            .awsErrorDetails(AwsErrorDetails.builder()
                .errorCode("InvalidLaunchTemplateId.VersionNotFound").build())
            .statusCode(400).build();
      }
      var v = found.get(0);
      var data = v.launchTemplateData();
      return new LaunchTemplateVersion(v.launchTemplateId(), v.launchTemplateName(),
          v.versionNumber(), data == null ? null : data.imageId(),
          data == null ? null : data.instanceTypeAsString(),
          data == null || data.metadataOptions() == null ? null
              : data.metadataOptions().httpTokensAsString());
    });
  }

  /** Points the Elastic IP at the instance in one call, whatever it pointed at before. */
  public void associateAddress(String allocationId, String instanceId) {
    call("AssociateAddress", () -> ec2.associateAddress(r -> r.overrideConfiguration(bounded).allocationId(allocationId)
        .instanceId(instanceId).allowReassociation(true)));
  }

  public void terminateInstances(List<String> instanceIds) {
    call("TerminateInstances", () -> ec2.terminateInstances(r -> r.overrideConfiguration(bounded).instanceIds(instanceIds)));
  }

  public ElasticIp allocateAddress(Map<String, String> tags) {
    return call("AllocateAddress", () -> {
      var allocated = once.allocateAddress(r -> r.overrideConfiguration(bounded).domain(DomainType.VPC).tagSpecifications(
          TagSpecification.builder().resourceType(ResourceType.ELASTIC_IP)
              .tags(toTags(tags)).build()));
      return new ElasticIp(allocated.allocationId(), allocated.publicIp(), null, null,
          tags.get(Tags.RELEASE_UID), tags.get(Tags.RELEASE_UID), tags.get(Tags.RELEASE));
    });
  }

  /** Tags an Elastic IP the user owns as claimed by a Release (CreateTags on the address). */
  public void claimAddress(String allocationId, Map<String, String> tags) {
    call("CreateTags", () -> ec2.createTags(r -> r.overrideConfiguration(bounded).resources(allocationId).tags(toTags(tags))));
  }

  /** Removes a Release's claim tags from an Elastic IP the user owns (DeleteTags). */
  public void unclaimAddress(String allocationId) {
    call("DeleteTags", () -> ec2.deleteTags(r -> r.overrideConfiguration(bounded).resources(allocationId).tags(
        Tags.CLAIM_KEYS.stream().map(k -> Tag.builder().key(k).build()).toList())));
  }

  public void disassociateAddress(String associationId) {
    call("DisassociateAddress", () -> ec2.disassociateAddress(r -> r
        .overrideConfiguration(bounded).associationId(associationId)));
  }

  public void releaseAddress(String allocationId) {
    call("ReleaseAddress", () -> ec2.releaseAddress(r -> r.overrideConfiguration(bounded).allocationId(allocationId)));
  }

  /** Calls made so far, keyed "Operation/outcome" (outcome: ok or the error code). */
  public Map<String, Long> callCounts() {
    Map<String, Long> snapshot = new java.util.TreeMap<>();
    calls.forEach((k, v) -> snapshot.put(k, v.get()));
    return snapshot;
  }

  @Override
  public void close() {
    ec2.close();
    if (once != ec2) {
      once.close();
    }
  }

  private <T> T call(String operation, Supplier<T> body) {
    try {
      T result = body.get();
      count(operation, "ok");
      return result;
    } catch (AwsServiceException | SdkClientException e) {
      Ec2Failure failure = Ec2Failure.from(operation, e);
      count(operation, failure.code());
      if (!"ClientError".equals(failure.code())) {
        log.warn("{} failed ({}): {}: {}", operation, failure.retryable() ? "will retry"
            : "terminal", failure.code(), failure.awsMessage());
      }
      throw failure;
    }
  }

  private void call(String operation, Runnable body) {
    call(operation, () -> {
      body.run();
      return null;
    });
  }

  private void count(String operation, String outcome) {
    calls.computeIfAbsent(operation + "/" + outcome, k -> new AtomicLong()).incrementAndGet();
    listener.called(operation, outcome);
  }

  private static List<Tag> toTags(Map<String, String> tags) {
    return tags.entrySet().stream()
        .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
  }

  private static Optional<ManagedInstance> toManaged(Instance instance) {
    Map<String, String> tags = new HashMap<>();
    instance.tags().forEach(t -> tags.put(t.key(), t.value()));
    if (!Tags.MANAGED_BY_VALUE.equals(tags.get(Tags.MANAGED_BY))
        || tags.get(Tags.RELEASE_UID) == null || tags.get(Tags.RELEASE) == null
        || tags.get(Tags.FLEET) == null) {
      return Optional.empty();
    }
    return Optional.of(new ManagedInstance(
        instance.instanceId(),
        tags.get(Tags.RELEASE_UID),
        tags.get(Tags.RELEASE),
        tags.get(Tags.FLEET),
        tags.getOrDefault(Tags.VERSION, ""),
        slotOf(tags.get(Tags.SLOT), instance.amiLaunchIndex()),
        InstanceState.of(instance.state().nameAsString()),
        instance.privateIpAddress(),
        instance.publicIpAddress(),
        instance.launchTime(),
        StatusChecks.PENDING,
        tags.getOrDefault(Tags.ROLE, ""),
        instance.instanceTypeAsString()));
  }

  /** The slot tag lists the slots of one launch; the AMI launch index picks this one's. */
  static int slotOf(String slotTag, Integer amiLaunchIndex) {
    if (slotTag == null || slotTag.isBlank()) {
      return amiLaunchIndex == null ? 0 : amiLaunchIndex;
    }
    return Tags.slotAt(slotTag, amiLaunchIndex == null ? 0 : amiLaunchIndex);
  }

  private static ElasticIp toElasticIp(Address address) {
    Map<String, String> tags = new java.util.HashMap<>();
    address.tags().forEach(t -> tags.put(t.key(), t.value()));
    String uid = tags.get(Tags.RELEASE_UID);
    boolean claimed = tags.containsKey(Tags.CLAIMED);
    return new ElasticIp(address.allocationId(), address.publicIp(),
        blankAsNull(address.instanceId()), blankAsNull(address.associationId()),
        claimed ? null : uid, uid, tags.get(Tags.RELEASE));
  }

  /** An address associated with nothing: AWS omits the field, moto may send it empty. */
  private static String blankAsNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  private static StatusChecks toChecks(InstanceStatus status) {
    SummaryStatus system = status.systemStatus() == null ? null : status.systemStatus().status();
    SummaryStatus instance = status.instanceStatus() == null ? null
        : status.instanceStatus().status();
    if (system == SummaryStatus.IMPAIRED || instance == SummaryStatus.IMPAIRED) {
      return StatusChecks.IMPAIRED;
    }
    if (system == SummaryStatus.OK && instance == SummaryStatus.OK) {
      return StatusChecks.OK;
    }
    return StatusChecks.PENDING;
  }
}
