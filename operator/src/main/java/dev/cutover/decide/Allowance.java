package dev.cutover.decide;

import dev.cutover.api.AllowedLaunches;
import dev.cutover.api.AwsAccount;
import dev.cutover.api.AwsAccountSpec;
import dev.cutover.api.InstanceTemplate;
import dev.cutover.api.ReleaseSpec;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Who may launch what: the rules an AwsAccount sets for the Releases that use it. The admission
 * policy (deploy/admission/policy.yaml) applies the same rules, in the same order and with the
 * same messages, when a Release is created or its spec changes; the operator applies them again
 * before every launch, so that a Release admitted before its account was narrowed launches
 * nothing the account no longer allows.
 *
 * <p>Rules, the first that fails is the refusal: the namespace matches {@code namespaceSelector}
 * (absent or empty: no namespace does), {@code spec.region} is one of {@code regions}, then the
 * {@code allowed} lists: subnets, security groups, instance profile, key pair, image (with
 * image owners), instance type (patterns with {@code *}). A list left out allows anything; an
 * empty list allows nothing. A Release without a security group, instance profile or key pair
 * passes those lists.
 *
 * <p>Images: with neither {@code images} nor {@code imageOwners}, any AMI; otherwise an AMI
 * listed in {@code images}, or one owned by an account in {@code imageOwners}. Admission cannot
 * know an AMI's owner, so it lets through an AMI not in {@code images} when {@code imageOwners}
 * is non-empty; so does {@link #refusal} when given no owner ({@link #needsImageOwner} says when
 * the operator must look it up first).
 *
 * <p>What admission cannot see is decided only here: a named account that does not exist, and
 * more than one account marked default ({@link #accountFor}).
 */
public final class Allowance {

  private Allowance() {}

  /**
   * The account a Release uses: an AwsAccount, none (the operator's own credentials and region,
   * when the Release names none and no account is the default), or a refusal.
   */
  public record AccountChoice(Optional<AwsAccount> account, Optional<String> refusal) {

    static AccountChoice of(AwsAccount account) {
      return new AccountChoice(Optional.of(account), Optional.empty());
    }

    static AccountChoice operatorsOwn() {
      return new AccountChoice(Optional.empty(), Optional.empty());
    }

    static AccountChoice refused(String why) {
      return new AccountChoice(Optional.empty(), Optional.of(why));
    }
  }

  /**
   * The account named by {@code spec.account}, else the one marked default, else none. Refused:
   * a named account that is not among {@code accounts}; no account named and more than one
   * marked default.
   */
  public static AccountChoice accountFor(ReleaseSpec spec, Collection<AwsAccount> accounts) {
    if (spec.account != null) {
      return accounts.stream().filter(a -> spec.account.equals(name(a))).findFirst()
          .map(AccountChoice::of)
          .orElseGet(() -> AccountChoice.refused("AwsAccount " + spec.account
              + " does not exist"));
    }
    List<AwsAccount> defaults = accounts.stream()
        .filter(a -> a.getSpec() != null && a.getSpec().defaultAccount()).toList();
    if (defaults.size() > 1) {
      return AccountChoice.refused("AwsAccounts " + defaults.stream().map(Allowance::name)
          .sorted().collect(Collectors.joining(", ")) + " are all marked default (spec.default):"
          + " mark at most one, or name the account in spec.account");
    }
    return defaults.isEmpty() ? AccountChoice.operatorsOwn() : AccountChoice.of(defaults.get(0));
  }

  /**
   * Why {@code account} does not allow the Release {@code spec} in {@code namespace} (whose
   * labels are {@code namespaceLabels}), or empty when it does: the message of the first rule
   * that fails, as admission gives it. {@code imageOwner} is the owner of the Release's AMI, or
   * null when it is unknown (then the image is judged as admission judges it).
   */
  public static Optional<String> refusal(AwsAccount account, Map<String, String> namespaceLabels,
      String namespace, ReleaseSpec spec, String imageOwner) {
    return refusalOfRoles(account, namespaceLabels, namespace, spec, image -> imageOwner);
  }

  /**
   * The same for a Release of one or several roles: every role's template is judged, and
   * {@code ownerOf} gives the owner of each AMI (null when unknown).
   */
  public static Optional<String> refusalOfRoles(AwsAccount account,
      Map<String, String> namespaceLabels, String namespace, ReleaseSpec spec,
      java.util.function.Function<String, String> ownerOf) {
    AwsAccountSpec rules = account.getSpec() == null ? new AwsAccountSpec() : account.getSpec();
    AllowedLaunches allowed = rules.allowedOrAll();
    String doesNotAllow = "AwsAccount " + name(account) + " does not allow ";
    Optional<String> placement = namespace(rules.namespaceSelector, labels(namespaceLabels),
        namespace).or(() -> region(rules.regions, spec.region));
    if (placement.isPresent()) {
      return placement.map(what -> doesNotAllow + what);
    }
    for (var role : spec.layout()) {
      InstanceTemplate t = role.template() == null ? new InstanceTemplate() : role.template();
      Optional<String> refused = launchTemplate(allowed, t)
          .or(() -> firstNotIn(allowed.subnets, t.subnetIds, "subnet ", "allowed.subnets"))
          .or(() -> firstNotIn(allowed.securityGroups, t.securityGroupIds, "security group ",
              "allowed.securityGroups"))
          .or(() -> firstNotIn(allowed.instanceProfiles, single(t.iamInstanceProfile),
              "instance profile ", "allowed.instanceProfiles"))
          .or(() -> firstNotIn(allowed.keyPairs, single(t.keyName), "key pair ",
              "allowed.keyPairs"))
          .or(() -> image(allowed, t.imageId, ownerOf.apply(t.imageId)))
          .or(() -> (t.instanceTypes != null ? t.instanceTypes
              : t.instanceType != null ? List.of(t.instanceType) : List.<String>of()).stream().map(type -> instanceType(allowed.instanceTypes, type))
              .flatMap(Optional::stream).findFirst());
      if (refused.isPresent()) {
        return refused.map(what -> doesNotAllow + what);
      }
    }
    return Optional.empty();
  }

  /**
   * True when the image rule depends on who owns the Release's AMI: {@code imageOwners} is
   * non-empty and the AMI is not in {@code images}. The operator looks the owner up
   * (DescribeImages) before it asks {@link #refusal}.
   */
  public static boolean needsImageOwner(AwsAccount account, ReleaseSpec spec) {
    AllowedLaunches allowed = account.getSpec() == null ? new AllowedLaunches()
        : account.getSpec().allowedOrAll();
    return nonEmpty(allowed.imageOwners) && spec.layout().stream()
        .map(r -> r.template() == null ? null : r.template().imageId)
        .anyMatch(imageId -> allowed.images == null || !allowed.images.contains(imageId));
  }

  /**
   * True when {@code value} matches {@code pattern}, where {@code *} stands for any characters
   * and every other character for itself (the admission policy quotes it the same way for RE2).
   */
  static boolean globMatches(String pattern, String value) {
    String regex = Arrays.stream(pattern.split("\\*", -1)).map(Pattern::quote)
        .collect(Collectors.joining(".*"));
    return Pattern.compile(regex).matcher(value).matches();
  }

  private static Optional<String> namespace(LabelSelector selector, Map<String, String> labels,
      String namespace) {
    return selects(selector, labels) ? Optional.empty()
        : Optional.of("namespace " + namespace + " (namespaceSelector)");
  }

  /** A Kubernetes label selector, except that an empty one selects nothing. */
  static boolean selects(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return false;
    }
    Map<String, String> matchLabels = selector.getMatchLabels();
    List<LabelSelectorRequirement> expressions = selector.getMatchExpressions();
    if (!nonEmpty(matchLabels) && !nonEmpty(expressions)) {
      return false;
    }
    return (matchLabels == null || matchLabels.entrySet().stream()
            .allMatch(e -> labels.containsKey(e.getKey())
                && Objects.equals(labels.get(e.getKey()), e.getValue())))
        && (expressions == null || expressions.stream().allMatch(r -> holds(r, labels)));
  }

  private static boolean holds(LabelSelectorRequirement r, Map<String, String> labels) {
    boolean present = labels.containsKey(r.getKey());
    List<String> values = r.getValues();
    return switch (String.valueOf(r.getOperator())) {
      case "In" -> present && values != null && values.contains(labels.get(r.getKey()));
      case "NotIn" -> !present || values == null || !values.contains(labels.get(r.getKey()));
      case "Exists" -> present;
      case "DoesNotExist" -> !present;
      default -> false;
    };
  }

  private static Optional<String> region(List<String> regions, String region) {
    if (region == null || regions != null && regions.contains(region)) {
      return Optional.empty();
    }
    return Optional.of("region " + region + " (regions)");
  }

  /** The first of {@code used} not in {@code allowed}; nothing when {@code allowed} is absent. */
  private static Optional<String> firstNotIn(List<String> allowed, List<String> used,
      String what, String rule) {
    if (allowed == null || used == null) {
      return Optional.empty();
    }
    return used.stream().filter(u -> !allowed.contains(u)).findFirst()
        .map(u -> what + u + " (" + rule + ")");
  }

  private static Optional<String> image(AllowedLaunches allowed, String imageId, String owner) {
    List<String> images = allowed.images;
    List<String> owners = allowed.imageOwners;
    if (images == null && owners == null || images != null && images.contains(imageId)) {
      return Optional.empty();
    }
    if (nonEmpty(owners)) {
      return owner == null || owners.contains(owner) ? Optional.empty()
          : Optional.of("image " + imageId + " owned by " + owner + " (allowed.imageOwners)");
    }
    return Optional.of("image " + imageId
        + (images != null ? " (allowed.images)" : " (allowed.imageOwners)"));
  }

  /**
   * What a launch template sets (its AMI, type, network, profile) is not in the Release, so
   * rules on those cannot be checked: an account that narrows any of them refuses templates.
   */
  private static Optional<String> launchTemplate(AllowedLaunches allowed, InstanceTemplate t) {
    boolean narrowed = allowed.subnets != null || allowed.securityGroups != null
        || allowed.instanceProfiles != null || allowed.keyPairs != null
        || allowed.images != null || allowed.imageOwners != null
        || allowed.instanceTypes != null;
    if (t.launchTemplate == null || !narrowed) {
      return Optional.empty();
    }
    return Optional.of("launch template " + t.launchTemplate.label() + " (allowed.* cannot "
        + "check what a launch template sets: give the launch fields in the Release instead)");
  }

  private static Optional<String> instanceType(List<String> patterns, String instanceType) {
    if (patterns == null || instanceType != null
        && patterns.stream().anyMatch(p -> p != null && globMatches(p, instanceType))) {
      return Optional.empty();
    }
    return Optional.of("instance type " + instanceType + " (allowed.instanceTypes)");
  }

  private static List<String> single(String value) {
    return value == null ? null : List.of(value);
  }

  private static Map<String, String> labels(Map<String, String> labels) {
    return labels == null ? Map.of() : labels;
  }

  private static boolean nonEmpty(Collection<?> c) {
    return c != null && !c.isEmpty();
  }

  private static boolean nonEmpty(Map<?, ?> m) {
    return m != null && !m.isEmpty();
  }

  private static String name(AwsAccount account) {
    return account.getMetadata() == null ? null : account.getMetadata().getName();
  }
}
