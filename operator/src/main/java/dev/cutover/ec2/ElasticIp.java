package dev.cutover.ec2;

/**
 * An Elastic IP as EC2 reports it.
 *
 * @param instanceId the instance it points at, or null
 * @param ownerReleaseUid the release-uid tag when Cutover allocated it, else null
 */
public record ElasticIp(String allocationId, String publicIp, String instanceId,
    String associationId, String ownerReleaseUid) {

  public ElasticIp associatedWith(String newInstanceId) {
    return new ElasticIp(allocationId, publicIp, newInstanceId, associationId, ownerReleaseUid);
  }
}
