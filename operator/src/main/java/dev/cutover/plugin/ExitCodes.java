package dev.cutover.plugin;

/** What {@code kubectl cutover} exits with, so that a script can tell the cases apart. */
public final class ExitCodes {

  /** Done (or already so). */
  public static final int OK = 0;
  /** The command line is wrong: unknown command or flag, missing argument. */
  public static final int USAGE = 1;
  /** No such Release (or no Release at all where one was asked for). */
  public static final int NOT_FOUND = 2;
  /** The Release is not in a state that allows it: not Manual, nothing to undo to, etc. */
  public static final int NOT_POSSIBLE = 3;
  /** The API server refused it (RBAC): the message names the verb and resource. */
  public static final int FORBIDDEN = 4;
  /** Any other API error, or the cluster cannot be reached. */
  public static final int API_ERROR = 5;

  private ExitCodes() {}
}
