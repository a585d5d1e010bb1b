package dev.cutover;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import software.amazon.awssdk.regions.Region;

/**
 * The operator's configuration, read from environment variables. Each setting is declared once
 * with its default and its description ({@link #SETTINGS}; the README's table is this list).
 * Invalid values fail at start with a message naming the variable.
 */
public record OperatorConfig(
    Region region,
    Optional<URI> ec2Endpoint,
    Duration pollInterval,
    Set<String> namespaces,
    boolean leaderElection,
    String leaseName,
    Optional<String> leaseNamespace,
    int healthPort,
    String logFormat,
    Optional<SecretRef> notificationsSecret,
    Optional<String> shard,
    Optional<ReleaseSelector> releaseSelector) {

  /** The lease of an operator without CUTOVER_LEASE_NAME; a shard's adds its name. */
  public static final String DEFAULT_LEASE_NAME = "cutover-operator";

  /**
   * How this operator names itself where people and other shards read it: Events'
   * reportingInstance, the log line at start, status.shard of the Releases it acts on.
   */
  public String instanceName() {
    return instanceName(shard);
  }

  /** cutover-operator, or cutover-operator-SHARD. */
  public static String instanceName(Optional<String> shard) {
    return shard.map(s -> DEFAULT_LEASE_NAME + "-" + s).orElse(DEFAULT_LEASE_NAME);
  }

  /**
   * A Secret named {@code name} or {@code namespace/name}; without a namespace it is in the
   * operator's own (its ServiceAccount's, or the kubeconfig context's when run outside a pod).
   */
  public record SecretRef(Optional<String> namespace, String name) {

    static SecretRef parse(String value) {
      String[] parts = value.split("/", -1);
      if (parts.length > 2 || !parts[parts.length - 1].matches(DNS_SUBDOMAIN)
          || parts.length == 2 && !parts[0].matches(DNS_LABEL)) {
        throw new IllegalArgumentException();
      }
      return parts.length == 2 ? new SecretRef(Optional.of(parts[0]), parts[1])
          : new SecretRef(Optional.empty(), parts[0]);
    }

    @Override
    public String toString() {
      return namespace.map(n -> n + "/").orElse("") + name;
    }
  }

  private static final String DNS_LABEL = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";
  private static final String DNS_SUBDOMAIN = "(?=.{1,253}$)[a-z0-9]([-a-z0-9.]*[a-z0-9])?";

  /** One environment variable: name, default (null: none), description. */
  public record Setting(String name, String defaultValue, String description) {}

  public static final List<Setting> SETTINGS = List.of(
      new Setting("CUTOVER_REGION", null,
          "AWS region of the fleets. Defaults to AWS_REGION, then us-east-1."),
      new Setting("CUTOVER_EC2_ENDPOINT", null,
          "EC2 endpoint override, e.g. an emulator such as http://127.0.0.1:5000. "
              + "Unset: the region's AWS endpoint."),
      new Setting("CUTOVER_POLL_INTERVAL", "10s",
          "How often EC2 is polled, for all Releases at once: one DescribeAddresses, one "
              + "DescribeInstances page per 1,000 of Cutover's instances and one "
              + "DescribeInstanceStatus per 100 of them (3 reads up to 100 instances)."),
      new Setting("CUTOVER_NAMESPACES", "",
          "Comma-separated namespaces to watch; empty watches all."),
      new Setting("CUTOVER_LEADER_ELECTION", "false",
          "true: only the holder of a coordination.k8s.io Lease reconciles (run 2 replicas)."),
      new Setting("CUTOVER_SHARD", null,
          "Name of this operator's shard when several operators split the Releases (by "
              + "CUTOVER_NAMESPACES or CUTOVER_RELEASE_SELECTOR): a DNS label of at most 40 "
              + "characters, unique among the cluster's operators. It names the Lease, the "
              + "operator in Events and metrics, and the shard in status.shard of the Releases "
              + "it acts on. Unset: one operator for everything it watches."),
      new Setting("CUTOVER_RELEASE_SELECTOR", null,
          "Label selector of the Releases this shard reconciles, in kubectl's syntax "
              + "(cutover.dev/shard=a; !key, key in (a,b), key notin (a,b), key!=v, key). Needs "
              + "CUTOVER_SHARD. Unset: every Release in the watched namespaces."),
      new Setting("CUTOVER_LEASE_NAME", null, "Name of the leader-election Lease. Defaults to "
          + "cutover-operator, or cutover-operator-<CUTOVER_SHARD>."),
      new Setting("CUTOVER_LEASE_NAMESPACE", null,
          "Namespace of the Lease. Defaults to the operator's own namespace."),
      new Setting("CUTOVER_HEALTH_PORT", "8080",
          "Port of /healthz, /readyz and /metrics; 0 disables them."),
      new Setting("CUTOVER_LOG_FORMAT", "text",
          "text for people, json for log pipelines (one ECS JSON object per line)."),
      new Setting("CUTOVER_NOTIFICATIONS_SECRET", null,
          "Secret (name, or namespace/name; default namespace: the operator's own) whose keys "
              + "webhook-urls and slack-urls list the URLs notified of promotions, reverts, "
              + "switch-backs, failures, terminations and releases awaiting promotion. Unset: "
              + "no notifications."));

  public static OperatorConfig fromEnvironment(Map<String, String> env) {
    Map<String, String> values = new LinkedHashMap<>();
    for (Setting s : SETTINGS) {
      String v = env.get(s.name());
      values.put(s.name(), v == null || v.isBlank() ? s.defaultValue() : v.trim());
    }
    String region = Optional.ofNullable(values.get("CUTOVER_REGION"))
        .or(() -> Optional.ofNullable(env.get("AWS_REGION")).filter(r -> !r.isBlank()))
        .orElse("us-east-1");
    if (!region.matches("[a-z]{2}(-[a-z]+)+-[0-9]+")) {
      throw invalid("CUTOVER_REGION", region, "an AWS region such as eu-west-1");
    }
    Optional<String> shard = Optional.ofNullable(values.get("CUTOVER_SHARD"))
        .map(v -> parse("CUTOVER_SHARD", v, OperatorConfig::shardName,
            "a DNS label of at most 40 characters such as team-a"));
    Optional<ReleaseSelector> selector = Optional.ofNullable(
        values.get("CUTOVER_RELEASE_SELECTOR")).map(OperatorConfig::selector);
    if (selector.isPresent() && shard.isEmpty()) {
      throw new IllegalArgumentException("CUTOVER_RELEASE_SELECTOR=\"" + selector.get()
          + "\" needs CUTOVER_SHARD: the shard's name tells the operators that split the "
          + "Releases apart (Lease, status.shard, Events).");
    }
    String leaseName = Optional.ofNullable(values.get("CUTOVER_LEASE_NAME"))
        .orElse(shard.map(s -> DEFAULT_LEASE_NAME + "-" + s).orElse(DEFAULT_LEASE_NAME));
    if (!leaseName.matches(DNS_SUBDOMAIN)) {
      throw invalid("CUTOVER_LEASE_NAME", leaseName, "a Lease name such as cutover-operator");
    }
    return new OperatorConfig(
        Region.of(region),
        Optional.ofNullable(values.get("CUTOVER_EC2_ENDPOINT"))
            .map(v -> parse("CUTOVER_EC2_ENDPOINT", v, URI::create, "a URL such as "
                + "http://127.0.0.1:5000")),
        positive("CUTOVER_POLL_INTERVAL", values.get("CUTOVER_POLL_INTERVAL")),
        Arrays.stream(values.get("CUTOVER_NAMESPACES").split(",")).map(String::trim)
            .filter(n -> !n.isEmpty()).collect(Collectors.toUnmodifiableSet()),
        bool("CUTOVER_LEADER_ELECTION", values.get("CUTOVER_LEADER_ELECTION")),
        leaseName,
        Optional.ofNullable(values.get("CUTOVER_LEASE_NAMESPACE")),
        parse("CUTOVER_HEALTH_PORT", values.get("CUTOVER_HEALTH_PORT"), v -> {
          int port = Integer.parseInt(v);
          if (port < 0 || port > 65535) {
            throw new IllegalArgumentException();
          }
          return port;
        }, "a port number from 0 to 65535"),
        parse("CUTOVER_LOG_FORMAT", values.get("CUTOVER_LOG_FORMAT"), v -> {
          if (!v.equals("text") && !v.equals("json")) {
            throw new IllegalArgumentException();
          }
          return v;
        }, "text or json"),
        Optional.ofNullable(values.get("CUTOVER_NOTIFICATIONS_SECRET"))
            .map(v -> parse("CUTOVER_NOTIFICATIONS_SECRET", v, SecretRef::parse,
                "a Secret name such as cutover-notifications, or namespace/name")),
        shard, selector);
  }

  private static String shardName(String value) {
    if (value.length() > 40 || !value.matches(DNS_LABEL)) {
      throw new IllegalArgumentException();
    }
    return value;
  }

  private static ReleaseSelector selector(String value) {
    try {
      return ReleaseSelector.parse(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("CUTOVER_RELEASE_SELECTOR=\"" + value + "\" is "
          + "invalid: " + e.getMessage() + ". Expected a label selector such as "
          + "cutover.dev/shard=a or cutover.dev/shard in (a,b),!canary.", e);
    }
  }

  private static Duration positive(String name, String value) {
    Duration d = parse(name, value, v -> dev.cutover.api.Durations.parse(v, null),
        "a duration such as 10s or 1m");
    if (d.isZero() || d.isNegative()) {
      throw invalid(name, value, "a duration above zero");
    }
    return d;
  }

  private static boolean bool(String name, String value) {
    if (!value.equals("true") && !value.equals("false")) {
      throw invalid(name, value, "true or false");
    }
    return Boolean.parseBoolean(value);
  }

  private static <T> T parse(String name, String value, Function<String, T> parser,
      String expected) {
    try {
      T parsed = parser.apply(value);
      if (parsed == null) {
        throw new IllegalArgumentException();
      }
      return parsed;
    } catch (RuntimeException e) {
      throw invalid(name, value, expected);
    }
  }

  private static IllegalArgumentException invalid(String name, String value, String expected) {
    return new IllegalArgumentException(name + "=\"" + value + "\" is invalid: expected "
        + expected + ".");
  }
}
