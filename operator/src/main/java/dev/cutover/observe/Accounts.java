package dev.cutover.observe;

import dev.cutover.api.AwsAccount;
import dev.cutover.api.Release;
import dev.cutover.ec2.Ec2Failure;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's AwsAccounts (watched), the labels of the namespaces Releases live in (read when
 * an account's rules need them, kept a short while) and the owners of AMIs (immutable, kept): the
 * observations {@link Tenancy} is made of. Without the AwsAccount CRD installed every Release
 * uses the operator's own credentials, as before accounts existed.
 */
public final class Accounts implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Accounts.class);
  /** Namespace labels change rarely; a relabelled namespace is seen within this time. */
  static final Duration LABELS_KEPT = Duration.ofSeconds(30);
  /** How often a missing AwsAccount CRD (or a watch that could not start) is tried again. */
  static final Duration RETRY_WATCH = Duration.ofMinutes(1);

  private final KubernetesClient client;
  private final Clock clock;
  private final Map<String, Labels> labels = new ConcurrentHashMap<>();
  private final Map<String, Optional<String>> imageOwners = new ConcurrentHashMap<>();
  private volatile SharedIndexInformer<AwsAccount> informer;
  private volatile Instant lastTry = Instant.MIN;

  private record Labels(Map<String, String> values, Instant readAt) {}

  public Accounts(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** Accounts that use nothing: a Release is judged by no AwsAccount rules (unit tests). */
  public static Accounts none() {
    return new Accounts(null, Clock.systemUTC());
  }

  /** What the rules need to judge this Release. */
  public Tenancy tenancyFor(Release release, Ec2Inventory inventory) {
    List<AwsAccount> accounts = accounts();
    if (accounts.isEmpty() && release.getSpec().account == null) {
      return Tenancy.none();
    }
    String namespace = release.getMetadata().getNamespace();
    Map<String, String> owners = new java.util.HashMap<>();
    release.getSpec().layout().stream().map(r -> r.template() == null ? null : r.template().imageId)
        .filter(java.util.Objects::nonNull).distinct()
        .forEach(image -> imageOwner(accounts, image, inventory).ifPresent(o -> owners.put(image, o)));
    String first = release.getSpec().layout().get(0).template() == null ? null
        : release.getSpec().layout().get(0).template().imageId;
    return new Tenancy(accounts, namespaceLabels(namespace),
        Optional.ofNullable(first == null ? null : owners.get(first)),
        inventory.liveInstancesIn(namespace), Map.copyOf(owners));
  }

  /** The AwsAccounts as last watched; none without the CRD. */
  public List<AwsAccount> accounts() {
    if (client == null) {
      return List.of();
    }
    SharedIndexInformer<AwsAccount> watching = informer;
    if (watching == null) {
      watching = startWatch();
    }
    return watching == null ? List.of() : List.copyOf(watching.getStore().list());
  }

  private synchronized SharedIndexInformer<AwsAccount> startWatch() {
    Instant now = clock.instant();
    if (informer != null || now.isBefore(lastTry.plus(RETRY_WATCH))) {
      return informer;
    }
    lastTry = now;
    try {
      informer = client.resources(AwsAccount.class).inform();
    } catch (KubernetesClientException e) {
      log.warn("AwsAccounts cannot be watched ({}); Releases use the operator's own "
          + "credentials until they can", e.getMessage());
    }
    return informer;
  }

  private Map<String, String> namespaceLabels(String namespace) {
    Instant now = clock.instant();
    Labels known = labels.get(namespace);
    if (known != null && now.isBefore(known.readAt().plus(LABELS_KEPT))) {
      return known.values();
    }
    try {
      Namespace ns = client.namespaces().withName(namespace).get();
      Map<String, String> values = ns == null || ns.getMetadata().getLabels() == null
          ? Map.of() : Map.copyOf(ns.getMetadata().getLabels());
      labels.put(namespace, new Labels(values, now));
      return values;
    } catch (KubernetesClientException e) {
      log.warn("cannot read namespace {}: {}", namespace, e.getMessage());
      return known == null ? Map.of() : known.values();
    }
  }

  /** Looked up only when some account allows images by owner. */
  private Optional<String> imageOwner(List<AwsAccount> accounts, String imageId,
      Ec2Inventory inventory) {
    boolean byOwner = accounts.stream().anyMatch(a -> a.getSpec() != null
        && a.getSpec().allowed != null && a.getSpec().allowed.imageOwners != null
        && !a.getSpec().allowed.imageOwners.isEmpty());
    if (imageId == null || !byOwner) {
      return Optional.empty();
    }
    Optional<String> known = imageOwners.get(imageId);
    if (known != null) {
      return known;
    }
    try {
      Optional<String> owner = inventory.gateway().describeImageOwner(imageId);
      imageOwners.put(imageId, owner);
      return owner;
    } catch (Ec2Failure e) {
      log.warn("cannot read the owner of {}: {}", imageId, e.getMessage());
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
  }
}
