package dev.cutover.api;

/** The duration format of the API: Kubernetes style, e.g. "500ms", "90s", "15m", "1h30m". */
public final class Durations {

  /** CEL that accepts the format; each field adds its own bounds with duration(self). */
  public static final String RULE = "self.matches('^([0-9]+(ms|s|m|h))+$')";

  private Durations() {}
}
