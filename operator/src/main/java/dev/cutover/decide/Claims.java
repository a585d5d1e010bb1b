package dev.cutover.decide;

import dev.cutover.decide.Action.ClaimAddress;
import dev.cutover.decide.Action.UnclaimAddress;
import dev.cutover.ec2.ElasticIp;
import java.util.Optional;

/**
 * An Elastic IP serves one Release. On first use Cutover claims an address the user owns with
 * tags (release uid, namespace/name); a Release naming an address claimed by another is stopped
 * and moves nothing. An address pointing at an instance Cutover does not own is never taken
 * unless the spec says {@code takeOver: true}: on first use it is reported as in use; later, as
 * moved by hand (reported once, not fought in a loop).
 */
final class Claims {

  private Claims() {}

  /**
   * Whether the Release may use its address: empty to go on (a claim is planned first when the
   * address is unclaimed), or why nothing may move.
   */
  static Optional<Health> check(Draft d) {
    if (d.eip.isEmpty()) {
      return Optional.empty();
    }
    ElasticIp address = d.eip.get();
    String uid = d.release.getMetadata().getUid();
    if (address.claimUid() != null && !address.claimUid().equals(uid)) {
      return Optional.of(Health.stalled(false, "ElasticIpClaimed", "Elastic IP "
          + address.publicIp() + " (" + address.allocationId() + ") serves Release "
          + (address.claimRelease() == null ? "(unnamed)" : address.claimRelease())
          + " (uid " + address.claimUid() + "); nothing moves. Name another address, or delete "
          + "that Release (its claim goes with it)."));
    }
    boolean foreign = pointsElsewhere(d);
    if (address.claimUid() == null) {
      if (foreign) {
        return Optional.of(Health.stalled(false, "ElasticIpInUse", "Elastic IP "
            + address.publicIp() + " (" + address.allocationId() + ") points at "
            + address.instanceId() + ", which this Release does not own; nothing moves. Set "
            + "elasticIp.takeOver: true to take it."));
      }
      if (!d.held("CreateTags")) {
        d.actions.add(new ClaimAddress(address));
      }
      return Optional.empty();
    }
    d.addressElsewhere = foreign;
    return Optional.empty();
  }

  /**
   * The address points at an instance that is not this Release's (and the spec does not say to
   * take it): someone moved it, or it was in use before Cutover.
   */
  private static boolean pointsElsewhere(Draft d) {
    String holder = d.holder();
    return holder != null && d.world.instance(holder).isEmpty()
        && !d.spec.elasticIp.takesOver();
  }

  /** The answer while a person has moved production's address elsewhere. */
  static Health movedByHand(Draft d, Health health) {
    ElasticIp address = d.eip.get();
    return Health.stalled(false, "ElasticIpMovedOutOfBand", "Elastic IP " + address.publicIp()
        + " points at " + address.instanceId() + ", which Cutover does not own: it was moved "
        + "outside Cutover, which does not move it back. Move it back by hand, or set "
        + "elasticIp.takeOver: true. Meanwhile: " + health.message());
  }

  /** On deletion the Release's claim goes, so the address can serve another Release. */
  static void release(Draft d) {
    d.eip.filter(a -> d.release.getMetadata().getUid().equals(a.claimUid())
            && a.ownerReleaseUid() == null)
        .filter(a -> !d.held("DeleteTags"))
        .ifPresent(a -> d.actions.add(new UnclaimAddress(a)));
  }

  /** Whether the claim is still on the address (a deletion is complete only once it is gone). */
  static boolean stillClaimed(Draft d) {
    return d.eip.filter(a -> d.release.getMetadata().getUid().equals(a.claimUid())
        && a.ownerReleaseUid() == null).isPresent();
  }
}
