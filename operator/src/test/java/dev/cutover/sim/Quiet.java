package dev.cutover.sim;

/** Keeps the operator's own logging out of the way of thousands of simulated histories. */
final class Quiet {

  private static boolean done;

  private Quiet() {}

  static synchronized void logs() {
    if (done) {
      return;
    }
    done = true;
    try {
      org.apache.logging.log4j.core.config.Configurator.setLevel("dev.cutover",
          org.apache.logging.log4j.Level.ERROR);
    } catch (LinkageError e) {
      // Another logging backend: its own configuration decides.
    }
  }
}
