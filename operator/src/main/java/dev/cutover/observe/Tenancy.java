package dev.cutover.observe;

import dev.cutover.api.AwsAccount;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the cluster administrator allows, as observed for one Release: the AwsAccounts, the labels
 * of the Release's namespace, the owner of its AMI (looked up only when an account allows images
 * by owner) and how many live instances Cutover's Releases hold in that namespace. Decide checks
 * the same rules the admission policy checks, before every launch.
 */
public record Tenancy(List<AwsAccount> accounts, Map<String, String> namespaceLabels,
    Optional<String> imageOwner, int namespaceInstances, Map<String, String> imageOwners) {

  /** One AMI (a single-role Release): its owner, if known. */
  public Tenancy(List<AwsAccount> accounts, Map<String, String> namespaceLabels,
      Optional<String> imageOwner, int namespaceInstances) {
    this(accounts, namespaceLabels, imageOwner, namespaceInstances, Map.of());
  }

  /** The owner of this AMI, if it was looked up. */
  public String ownerOf(String imageId) {
    return imageOwners.getOrDefault(imageId, imageOwner.orElse(null));
  }

  /** No AwsAccount and nothing known: the operator's own credentials, nothing refused. */
  public static Tenancy none() {
    return new Tenancy(List.of(), Map.of(), Optional.empty(), 0);
  }
}
