package dev.cutover.status;

import dev.cutover.api.Release;

/** Where Events about a Release go: Kubernetes Events in the operator, a list in a simulation. */
public interface ReleaseEvents {

  void normal(Release release, String reason, String message);

  void warning(Release release, String reason, String message);
}
