package dev.cutover.plugin;

import java.util.List;

/**
 * The result of one command: its exit code ({@link ExitCodes}), a sentence for people (on
 * stdout when it succeeded, stderr otherwise) and warnings that do not change the exit code
 * (e.g. a GitOps controller will revert the change).
 */
public record Outcome(int exitCode, String message, List<String> warnings) {

  public Outcome {
    warnings = List.copyOf(warnings);
  }

  public static Outcome ok(String message, List<String> warnings) {
    return new Outcome(ExitCodes.OK, message, warnings);
  }

  public static Outcome ok(String message) {
    return ok(message, List.of());
  }

  public static Outcome notPossible(String message) {
    return new Outcome(ExitCodes.NOT_POSSIBLE, message, List.of());
  }

  public static Outcome notFound(String namespace, String name) {
    return new Outcome(ExitCodes.NOT_FOUND, "Release " + name + " not found in namespace "
        + namespace, List.of());
  }

  public boolean succeeded() {
    return exitCode == ExitCodes.OK;
  }
}
