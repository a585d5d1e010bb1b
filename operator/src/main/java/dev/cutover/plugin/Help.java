package dev.cutover.plugin;

import java.util.Map;

/** What {@code --help} prints, for the plugin and each command. */
final class Help {

  private Help() {}

  static final String FLAGS = """
      Flags of every command:
        -n, --namespace NS   the Release's namespace (default: the kubeconfig context's)
            --context NAME   the kubeconfig context to use (default: the current one)
            --kubeconfig F   the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)
        -h, --help           this help
      """;

  static final String EXIT_CODES = """
      Exit codes: 0 done, 1 usage, 2 Release not found, 3 not possible in the Release's state,
      4 forbidden (RBAC), 5 other API error or the cluster cannot be reached.
      """;

  static final String OVERVIEW = """
      kubectl cutover: see and steer Cutover Releases (blue/green releases of EC2 fleets).

      Usage: kubectl cutover COMMAND [RELEASE] [flags]

      Commands:
        get [RELEASE]           a Release as a tree: phase, conditions, fleets, instances,
                                addresses, Events (all Releases without RELEASE); -w redraws
        promote RELEASE         approve the version of a Manual promotion
        abort RELEASE           give up the staging version; production stays as it is
        retry RELEASE           stage the failed or aborted version again
        undo RELEASE            switch back to the retained version (one Elastic IP move)
        pause RELEASE           observe only: change nothing in EC2
        resume RELEASE          act again
        history RELEASE         the switches of the Release, newest last
        dashboard               a live page of the Releases on 127.0.0.1, with promote,
                                abort and undo (--port N, -n NS | -A, --no-open)

      Run kubectl cutover COMMAND --help for a command's flags.

      """ + FLAGS + "\n" + EXIT_CODES;

  private static final Map<String, String> COMMANDS = Map.of(
      "get", """
          Usage: kubectl cutover get [RELEASE] [-n NS | -A] [-w] [-o json]

          Shows a Release as a tree: its phase and the conditions that matter, then its fleets
          (active, retained with when it expires, staging with its deadline, held, draining)
          and their instances with state, slot, role, checks and the Elastic IPs that point at
          them; then its latest Events. Without RELEASE, every Release of the namespace.

            -A, --all-namespaces  every Release of every namespace
            -w, --watch           redraw on every change of the Releases or their Events
                                  (clears the screen on a terminal; otherwise prints a
                                  separator and the new tree, so the session can be recorded)
            -o json               the Release (or a List of them) as JSON
          """,
      "promote", """
          Usage: kubectl cutover promote RELEASE [--version V] [-o json]

          Approves a Manual promotion: sets spec.promotion.approvedVersion to V (default: the
          Release's spec.version). The verified fleet then receives the Elastic IP. Not possible
          (exit 3) when the Release is not in Manual mode or V is not its spec.version. Warns
          when a GitOps controller owns the Release, and says what to commit instead.
          """,
      "abort", """
          Usage: kubectl cutover abort RELEASE [-o json]

          Gives up the version being staged: annotates the Release with cutover.dev/abort (its
          metadata.generation). Cutover terminates the staging fleet, leaves production as it
          is and reports Stalled (reason Aborted) until the spec changes or `retry`. The spec
          is not changed, so a GitOps controller has nothing to revert. Not possible (exit 3)
          when the spec's version already serves and nothing is staged.
          """,
      "retry", """
          Usage: kubectl cutover retry RELEASE [-o json]

          Stages the failed or aborted version again: removes cutover.dev/abort and sets
          cutover.dev/retry to the time now. Not possible (exit 3) when nothing failed or was
          aborted.
          """,
      "undo", """
          Usage: kubectl cutover undo RELEASE [-o json]

          Switches back to the retained fleet: sets spec.version to status.previousFleet.version.
          Cutover moves the Elastic IPs (of every role) back in one step and launches nothing.
          Not possible (exit 3) when no fleet is retained, or when the template changed since
          that fleet served (the version alone would then name a new fleet). Warns when a
          GitOps controller owns the Release.
          """,
      "pause", """
          Usage: kubectl cutover pause RELEASE [-o json]

          Sets spec.paused: Cutover keeps observing and reporting and changes nothing in EC2.
          """,
      "resume", """
          Usage: kubectl cutover resume RELEASE [-o json]

          Clears spec.paused: Cutover acts again.
          """,
      "history", """
          Usage: kubectl cutover history RELEASE [-o json]

          The last switches of the Release (status.history): when, from which version to which,
          and why (Promoted, SwitchedBack, Reverted, Healed).
          """,
      "help", """
          Usage: kubectl cutover help [COMMAND]
          """);

  static String of(String command) {
    String text = COMMANDS.get(command);
    return text == null ? OVERVIEW : text + "\n" + FLAGS + "\n" + EXIT_CODES;
  }
}
