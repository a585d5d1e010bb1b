package dev.cutover.plugin;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The arguments of {@code kubectl cutover}, as kubectl plugins take them: a command, a Release
 * name, and flags anywhere ({@code -n shop}, {@code --namespace=shop}, {@code -ojson}).
 *
 * @param command get, promote, abort, retry, undo, pause, resume, history or help; null when
 *     only flags were given
 * @param release the Release named, or null
 * @param namespace -n/--namespace, or null for the kubeconfig context's namespace
 * @param allNamespaces -A/--all-namespaces
 * @param context --context, or null for the current context
 * @param kubeconfig --kubeconfig, or null for $KUBECONFIG or ~/.kube/config
 * @param json -o json
 * @param watch -w/--watch
 * @param version promote's --version, or null
 * @param help -h/--help
 */
public record CommandLine(String command, String release, String namespace,
    boolean allNamespaces, String context, String kubeconfig, boolean json, boolean watch,
    String version, boolean help) {

  /** The commands, in the order help lists them. */
  public static final List<String> COMMANDS = List.of("get", "promote", "abort", "retry", "undo",
      "pause", "resume", "history", "help");

  /** The command line is wrong; the message says how. */
  public static final class UsageException extends Exception {
    public UsageException(String message) {
      super(message);
    }
  }

  public static CommandLine parse(String... args) throws UsageException {
    List<String> positional = new ArrayList<>();
    String namespace = null;
    String context = null;
    String kubeconfig = null;
    String version = null;
    String output = null;
    boolean all = false;
    boolean watch = false;
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String flag = arg;
      String inline = null;
      if (arg.startsWith("--") && arg.contains("=")) {
        flag = arg.substring(0, arg.indexOf('='));
        inline = arg.substring(arg.indexOf('=') + 1);
      } else if (arg.startsWith("-o") && arg.length() > 2 && !arg.startsWith("--")) {
        flag = "-o";
        inline = arg.substring(2).replaceFirst("^=", "");
      } else if (arg.startsWith("-n") && arg.length() > 2 && !arg.startsWith("--")) {
        flag = "-n";
        inline = arg.substring(2).replaceFirst("^=", "");
      }
      switch (flag) {
        case "-n", "--namespace" -> {
          namespace = value(flag, inline, args, i);
          i += inline == null ? 1 : 0;
        }
        case "--context" -> {
          context = value(flag, inline, args, i);
          i += inline == null ? 1 : 0;
        }
        case "--kubeconfig" -> {
          kubeconfig = value(flag, inline, args, i);
          i += inline == null ? 1 : 0;
        }
        case "--version" -> {
          version = value(flag, inline, args, i);
          i += inline == null ? 1 : 0;
        }
        case "-o", "--output" -> {
          output = value(flag, inline, args, i);
          i += inline == null ? 1 : 0;
        }
        case "-A", "--all-namespaces" -> all = noValue(flag, inline);
        case "-w", "--watch" -> watch = noValue(flag, inline);
        case "-h", "--help" -> help = noValue(flag, inline);
        case "--" -> {
          for (i++; i < args.length; i++) {
            positional.add(args[i]);
          }
        }
        default -> {
          if (arg.startsWith("-") && arg.length() > 1) {
            throw new UsageException("unknown flag: " + arg);
          }
          positional.add(arg);
        }
      }
    }
    String command = positional.isEmpty() ? null : positional.get(0);
    if (command != null && !COMMANDS.contains(command)) {
      throw new UsageException("unknown command \"" + command + "\"");
    }
    if (positional.size() > 2 && !"help".equals(command)) {
      throw new UsageException(command + " takes one Release, got "
          + String.join(" ", positional.subList(1, positional.size())));
    }
    String release = positional.size() > 1 ? positional.get(1) : null;
    if (output != null && !output.equals("json")) {
      throw new UsageException("unknown output format \"" + output + "\": only -o json");
    }
    CommandLine line = new CommandLine(command, release, namespace, all, context, kubeconfig,
        output != null, watch, version, help);
    if (!help && command != null && !command.equals("help")) {
      line.check();
    }
    return line;
  }

  private void check() throws UsageException {
    boolean get = command.equals("get");
    if (release == null && !get) {
      throw new UsageException(command + " needs a Release: kubectl cutover " + command
          + " RELEASE");
    }
    if (allNamespaces && !get) {
      throw new UsageException("-A/--all-namespaces is only for get");
    }
    if (allNamespaces && release != null) {
      throw new UsageException("a Release name cannot be combined with -A: name its "
          + "namespace with -n instead");
    }
    if (allNamespaces && namespace != null) {
      throw new UsageException("-A and -n cannot be combined");
    }
    if (watch && !get) {
      throw new UsageException("--watch is only for get");
    }
    if (watch && json) {
      throw new UsageException("--watch prints trees: it cannot be combined with -o json");
    }
    if (version != null && !command.equals("promote")) {
      throw new UsageException("--version is only for promote");
    }
  }

  private static String value(String flag, String inline, String[] args, int i)
      throws UsageException {
    if (inline != null) {
      if (inline.isEmpty()) {
        throw new UsageException(flag + " needs a value");
      }
      return inline;
    }
    if (i + 1 >= args.length || args[i + 1].startsWith("-") && args[i + 1].length() > 1) {
      throw new UsageException(flag + " needs a value");
    }
    return args[i + 1];
  }

  private static boolean noValue(String flag, String inline) throws UsageException {
    if (inline != null) {
      throw new UsageException(flag + " takes no value");
    }
    return true;
  }

  /** The command help asks about: {@code help promote} or {@code promote --help}. */
  public Optional<String> helpTopic() {
    if ("help".equals(command)) {
      return Optional.ofNullable(release);
    }
    return Optional.ofNullable(command);
  }
}
