package dev.cutover.decide;

/** Why a staging fleet was given up (besides an AWS refusal, whose code is the reason). */
public enum FailureReason {
  DeadlineExceeded,
  InstanceImpaired,
  CheckFailedDuringSoak,
  InstancesKeepFailing,
  /** A metric check of the staging fleet reached its failure limit. */
  MetricCheckFailed,
  /** A verified fleet was not approved within promotion.approvalTimeout. */
  ApprovalExpired,
  /** The preSwitch hook (failurePolicy Abort) refused or failed: the switch never happened. */
  PreSwitchHookVetoed,
  /** The new active fleet failed its checks within the post-switch window. */
  PostSwitchCheckFailed,
  /** A person gave the version up (annotation cutover.dev/abort naming the generation). */
  Aborted;

  public boolean is(String reason) {
    return name().equals(reason);
  }
}
