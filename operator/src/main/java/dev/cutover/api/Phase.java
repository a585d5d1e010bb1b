package dev.cutover.api;

/** The phase of a Release, as shown by {@code kubectl get rel}. */
public enum Phase {
  /** Nothing launched yet. */
  Pending,
  /** A new fleet is being launched and booted. */
  Provisioning,
  /** The new fleet is running and its checks are in progress. */
  Verifying,
  /** Verified; waiting for promotion.approvedVersion to equal the version. */
  AwaitingPromotion,
  /** The Elastic IP is being moved to the new fleet. */
  Switching,
  /** The desired fleet serves production through the Elastic IP. */
  Live,
  /** Production serves, but not the desired version or not at full health. */
  Degraded,
  /** The new fleet failed; production is untouched; nothing is retried until the spec changes. */
  Failed,
  /** The Release is being deleted. */
  Deleting
}
