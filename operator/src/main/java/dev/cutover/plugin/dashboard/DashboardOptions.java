package dev.cutover.plugin.dashboard;

import java.util.List;

/**
 * The command line of {@code kubectl cutover dashboard}.
 *
 * @param port the local port, 0 for any free one
 * @param namespace the one namespace to show, or null for all
 * @param open whether to open the page in the default browser
 */
record DashboardOptions(int port, String namespace, boolean open, boolean help) {

  static final String USAGE = """
      Usage: kubectl cutover dashboard [--port N] [-n NAMESPACE | -A] [--no-open]

      Serves a live page of the Releases on http://127.0.0.1 (this machine only), with a new
      secret token in its URL on every run. Promote, abort and undo on the page act with your
      kubeconfig's permissions.

        --port N            listen on this port (default: any free port)
        -n, --namespace NS  show the Releases of one namespace
        -A, --all-namespaces
                            show the Releases of every namespace (the default; when you may not
                            list them all, your kubeconfig's namespace is shown)
        --no-open           print the URL, do not open a browser
      """;

  /** Bad arguments: the message says which. */
  static final class BadArguments extends Exception {
    BadArguments(String message) {
      super(message);
    }
  }

  String describeScope() {
    return namespace == null ? "all namespaces" : "namespace " + namespace;
  }

  static DashboardOptions parse(List<String> args) throws BadArguments {
    int port = 0;
    String namespace = null;
    boolean all = false;
    boolean open = true;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        value = arg.substring(eq + 1);
        arg = arg.substring(0, eq);
      }
      switch (arg) {
        case "-h", "--help" -> {
          return new DashboardOptions(0, null, false, true);
        }
        case "--port", "-p" -> {
          value = value != null ? value : next(args, ++i, arg);
          try {
            port = Integer.parseInt(value);
          } catch (NumberFormatException e) {
            port = -1;
          }
          if (port < 0 || port > 65535) {
            throw new BadArguments("--port must be a number from 0 to 65535, not '" + value
                + "'");
          }
        }
        case "-n", "--namespace" -> {
          namespace = value != null ? value : next(args, ++i, arg);
          if (!namespace.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
            throw new BadArguments("'" + namespace + "' is not a namespace name");
          }
        }
        case "-A", "--all-namespaces" -> all = true;
        case "--no-open" -> open = false;
        default -> throw new BadArguments("unknown argument '" + args.get(i) + "'");
      }
    }
    if (all && namespace != null) {
      throw new BadArguments("-n and -A exclude each other");
    }
    return new DashboardOptions(port, namespace, open, false);
  }

  private static String next(List<String> args, int i, String flag) throws BadArguments {
    if (i >= args.size()) {
      throw new BadArguments(flag + " needs a value");
    }
    return args.get(i);
  }
}
