package dev.cutover.api;

/** What deleting a Release does to its EC2 resources. */
public enum DeletionPolicy {
  /** Terminate every instance of the Release; release an Elastic IP Cutover allocated. */
  Delete,
  /** Leave every instance and the Elastic IP as they are. */
  Retain
}
