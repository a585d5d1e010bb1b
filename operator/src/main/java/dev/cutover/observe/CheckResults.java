package dev.cutover.observe;

import dev.cutover.ec2.ManagedInstance;
import dev.cutover.api.HttpCheck;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** The HTTP smoke checks a reconcile reads and steers: the real checker, or a simulated one. */
public interface CheckResults {

  /**
   * Checks exactly these instances of a Release from now on (new ones start, others stop);
   * {@code check} null stops every check of the Release.
   */
  void watch(String releaseKey, List<ManagedInstance> instances, HttpCheck check);

  /** The latest result of each instance ({@link HttpCheckResult#NOT_YET} when none). */
  Map<String, HttpCheckResult> results(Collection<String> instanceIds);
}
