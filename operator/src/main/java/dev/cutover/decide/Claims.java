package dev.cutover.decide;

import dev.cutover.decide.Action.ClaimAddress;
import dev.cutover.decide.Action.UnclaimAddress;
import dev.cutover.ec2.ElasticIp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * An Elastic IP serves one Release. On first use Cutover claims an address the user owns with
 * tags (release uid, namespace/name); a Release naming an address claimed by another is stopped
 * and moves nothing. An address pointing at an instance Cutover does not own is never taken
 * unless the spec says {@code takeOver: true}: on first use it is reported as in use; later, as
 * moved by hand (reported once, not fought in a loop). Each address of a system (and the preview
 * address) is claimed and judged on its own.
 */
final class Claims {

  private Claims() {}

  /** Every address the Release names that EC2 lists: production's, then the preview. */
  private static List<Addresses.Binding> all(Draft d) {
    List<Addresses.Binding> all = new ArrayList<>(d.bindings);
    d.preview.ifPresent(all::add);
    return all.stream().filter(b -> b.address().isPresent()).toList();
  }

  /**
   * Whether the Release may use its addresses: empty to go on (claims are planned first for
   * unclaimed addresses), or why nothing may move.
   */
  static Optional<Health> check(Draft d) {
    String uid = d.release.getMetadata().getUid();
    for (Addresses.Binding b : all(d)) {
      ElasticIp address = b.address().get();
      if (address.claimUid() != null && !address.claimUid().equals(uid)) {
        return Optional.of(Health.stalled(false, "ElasticIpClaimed", "Elastic IP "
            + address.publicIp() + " (" + address.allocationId() + ") serves Release "
            + (address.claimRelease() == null ? "(unnamed)" : address.claimRelease())
            + " (uid " + address.claimUid() + "); nothing moves. Name another address, or "
            + "delete that Release (its claim goes with it)."));
      }
      if (address.claimUid() == null && pointsElsewhere(d, b)) {
        return Optional.of(Health.stalled(false, "ElasticIpInUse", "Elastic IP "
            + address.publicIp() + " (" + address.allocationId() + ") points at "
            + address.instanceId() + ", which this Release does not own; nothing moves. Set "
            + "takeOver: true on that address to take it."));
      }
    }
    for (Addresses.Binding b : all(d)) {
      ElasticIp address = b.address().get();
      if (address.claimUid() == null) {
        if (!d.held("CreateTags")) {
          d.actions.add(new ClaimAddress(address));
        }
      } else if (pointsElsewhere(d, b)) {
        d.elsewhere.add(address.allocationId());
        d.addressElsewhere |= b.primary();
      }
    }
    return Optional.empty();
  }

  /**
   * The address points at an instance that is not this Release's (and the spec does not say to
   * take it): someone moved it, or it was in use before Cutover.
   */
  private static boolean pointsElsewhere(Draft d, Addresses.Binding b) {
    String holder = b.holder();
    return holder != null && d.world.instance(holder).isEmpty() && !b.spec().takesOver();
  }

  /** The answer while a person has moved one of the Release's addresses elsewhere. */
  static Health movedByHand(Draft d, Health health) {
    String moved = all(d).stream()
        .filter(b -> d.elsewhere.contains(b.address().get().allocationId()))
        .map(b -> b.address().get().publicIp() + " points at " + b.holder())
        .collect(Collectors.joining(", "));
    boolean one = d.elsewhere.size() == 1;
    return Health.stalled(!d.addressElsewhere && health.available(), "ElasticIpMovedOutOfBand",
        "Elastic IP " + moved + ", which Cutover does not own: " + (one ? "it was" : "they were")
            + " moved outside Cutover, which does not move " + (one ? "it" : "them") + " back. "
            + "Move " + (one ? "it" : "them") + " back by hand, or set takeOver: true. "
            + "Meanwhile: " + health.message());
  }

  /** On deletion the Release's claims go, so the addresses can serve another Release. */
  static void release(Draft d) {
    if (d.held("DeleteTags")) {
      return;
    }
    claimedHere(d).forEach(a -> d.actions.add(new UnclaimAddress(a)));
  }

  /** Whether a claim is still on an address (a deletion is complete only once none is). */
  static boolean stillClaimed(Draft d) {
    return !claimedHere(d).isEmpty();
  }

  private static List<ElasticIp> claimedHere(Draft d) {
    String uid = d.release.getMetadata().getUid();
    return all(d).stream().map(b -> b.address().get())
        .filter(a -> uid.equals(a.claimUid()) && a.ownerReleaseUid() == null)
        .distinct().toList();
  }
}
