package dev.cutover.ec2;

/**
 * An Elastic IP as EC2 reports it.
 *
 * @param instanceId the instance it points at, or null
 * @param ownerReleaseUid the Release Cutover allocated it for (release-uid tag, no claim tag),
 *     else null: only such an address is ever released by Cutover
 * @param claimUid the Release that uses it (release-uid tag: allocated for it, or claimed by it
 *     on first use), else null
 * @param claimRelease namespace/name of that Release (release tag), for people to read
 */
public record ElasticIp(String allocationId, String publicIp, String instanceId,
    String associationId, String ownerReleaseUid, String claimUid, String claimRelease) {

  /** An address allocated for a Release (or no one's when {@code ownerReleaseUid} is null). */
  public ElasticIp(String allocationId, String publicIp, String instanceId,
      String associationId, String ownerReleaseUid) {
    this(allocationId, publicIp, instanceId, associationId, ownerReleaseUid, ownerReleaseUid,
        null);
  }

  public ElasticIp associatedWith(String newInstanceId) {
    return new ElasticIp(allocationId, publicIp, newInstanceId, associationId, ownerReleaseUid,
        claimUid, claimRelease);
  }

  /** The same address claimed by a Release (uid and namespace/name), or unclaimed (nulls). */
  public ElasticIp claimedBy(String uid, String release) {
    return new ElasticIp(allocationId, publicIp, instanceId, associationId, ownerReleaseUid,
        uid, release);
  }
}
