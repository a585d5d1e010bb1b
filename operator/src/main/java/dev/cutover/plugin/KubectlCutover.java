package dev.cutover.plugin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cutover.api.HistoryEntry;
import dev.cutover.api.Release;
import dev.cutover.plugin.dashboard.Dashboard;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code kubectl cutover}: the kubectl plugin that shows Releases as trees and promotes, aborts,
 * retries, undoes, pauses and resumes them. It talks only to the API server, with the user's own
 * kubeconfig and permissions.
 */
public final class KubectlCutover {

  static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  private KubectlCutover() {}

  public static void main(String[] args) {
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true,
        StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true,
        StandardCharsets.UTF_8);
    int code = run(args, out, err, System.console() != null, Clock.systemUTC());
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Runs one command line; returns the exit code ({@link ExitCodes}). */
  static int run(String[] args, PrintStream out, PrintStream err, boolean terminal,
      Clock clock) {
    if (args.length > 0 && "dashboard".equals(args[0])) {
      return dashboard(Arrays.asList(args).subList(1, args.length), out, err);
    }
    CommandLine line;
    try {
      line = CommandLine.parse(args);
    } catch (CommandLine.UsageException e) {
      err.println("error: " + e.getMessage());
      err.println("Run 'kubectl cutover --help' for usage.");
      return ExitCodes.USAGE;
    }
    if (line.command() == null && !line.help()) {
      err.print(Help.OVERVIEW);
      return ExitCodes.USAGE;
    }
    if (line.help() || "help".equals(line.command())) {
      out.print(Help.of(line.helpTopic().orElse(null)));
      return ExitCodes.OK;
    }
    Config config;
    try {
      config = Clients.config(line);
    } catch (Clients.ConfigException e) {
      err.println("error: " + e.getMessage());
      return ExitCodes.USAGE;
    } catch (KubernetesClientException e) {
      err.println("error: cannot use the kubeconfig: " + ApiFailures.rootCause(e));
      return ExitCodes.API_ERROR;
    }
    String namespace = Clients.namespace(line, config);
    int code = command(line, config, namespace, out, err, terminal, clock);
    if (code == ExitCodes.API_ERROR) {
      err.println("(API server " + config.getMasterUrl() + ", context "
          + (config.getCurrentContext() == null ? "none" : config.getCurrentContext().getName())
          + ")");
    }
    return code;
  }

  /**
   * {@code dashboard} has flags of its own (port, browser): the kubeconfig flags every command
   * shares are taken here, the rest goes to the page's own parser.
   */
  private static int dashboard(List<String> args, PrintStream out, PrintStream err) {
    List<String> kubeFlags = new ArrayList<>(List.of("get"));
    List<String> pageFlags = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      boolean kube = arg.equals("--context") || arg.equals("--kubeconfig");
      if (kube && i + 1 < args.size()) {
        kubeFlags.add(arg);
        kubeFlags.add(args.get(++i));
      } else if (arg.startsWith("--context=") || arg.startsWith("--kubeconfig=")) {
        kubeFlags.add(arg);
      } else {
        pageFlags.add(arg);
      }
    }
    Config config;
    try {
      config = Clients.config(CommandLine.parse(kubeFlags.toArray(String[]::new)));
    } catch (CommandLine.UsageException | Clients.ConfigException e) {
      err.println("error: " + e.getMessage());
      return ExitCodes.USAGE;
    } catch (KubernetesClientException e) {
      err.println("error: cannot use the kubeconfig: " + ApiFailures.rootCause(e));
      return ExitCodes.API_ERROR;
    }
    try (KubernetesClient client = Clients.client(config)) {
      return Dashboard.run(client, pageFlags, out);
    }
  }

  private static int command(CommandLine line, Config config, String namespace, PrintStream out,
      PrintStream err, boolean terminal, Clock clock) {
    try (KubernetesClient client = Clients.client(config)) {
      return switch (line.command()) {
        case "get" -> line.watch()
            ? new ReleaseWatch(client, line.allNamespaces() ? null : namespace, line.release(),
                out, err, terminal, clock).run()
            : get(client, line, namespace, out, err, clock);
        case "history" -> history(client, line, namespace, out, err, clock);
        default -> report(line, namespace, act(client, line, namespace), out, err);
      };
    } catch (KubernetesClientException e) {
      // Anything the commands did not classify themselves.
      Outcome failed = ApiFailures.of(e, line.command(), "releases.cutover.dev");
      err.println("error: " + failed.message());
      return failed.exitCode();
    }
  }

  private static Outcome act(KubernetesClient client, CommandLine line, String namespace) {
    String name = line.release();
    return switch (line.command()) {
      case "promote" -> ReleaseActions.promote(client, namespace, name, line.version());
      case "abort" -> ReleaseActions.abort(client, namespace, name);
      case "retry" -> ReleaseActions.retry(client, namespace, name);
      case "undo" -> ReleaseActions.undo(client, namespace, name);
      case "pause" -> ReleaseActions.pause(client, namespace, name);
      case "resume" -> ReleaseActions.resume(client, namespace, name);
      default -> throw new IllegalArgumentException(line.command());
    };
  }

  /** Prints an action's outcome (as JSON with -o json); warnings always go to stderr. */
  static int report(CommandLine line, String namespace, Outcome outcome, PrintStream out,
      PrintStream err) {
    for (String warning : outcome.warnings()) {
      err.println("Warning: " + warning);
    }
    if (line.json()) {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("command", line.command());
      result.put("namespace", namespace);
      result.put("release", line.release());
      result.put("exitCode", outcome.exitCode());
      result.put("succeeded", outcome.succeeded());
      result.put("message", outcome.message());
      result.put("warnings", outcome.warnings());
      out.println(json(result));
    } else if (outcome.succeeded()) {
      out.println(outcome.message());
    } else {
      err.println("error: " + outcome.message());
    }
    return outcome.exitCode();
  }

  private static int get(KubernetesClient client, CommandLine line, String namespace,
      PrintStream out, PrintStream err, Clock clock) {
    if (line.release() == null) {
      List<Release> releases;
      try {
        releases = line.allNamespaces()
            ? client.resources(Release.class).inAnyNamespace().list().getItems()
            : client.resources(Release.class).inNamespace(namespace).list().getItems();
      } catch (KubernetesClientException e) {
        return fail(err, listFailure(e, line.allNamespaces() ? null : namespace));
      }
      if (line.json()) {
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("apiVersion", "v1");
        list.put("kind", "List");
        list.put("items", releases);
        out.println(json(list));
      } else if (releases.isEmpty()) {
        err.println("No Releases found" + (line.allNamespaces() ? "."
            : " in namespace " + namespace + "."));
      } else {
        out.print(ReleaseTree.renderAll(releases, Map.of(), clock.instant()));
      }
      return ExitCodes.OK;
    }
    Read read = read(client, line, namespace, err);
    if (read.release() == null) {
      return read.exitCode();
    }
    Release release = read.release();
    if (line.json()) {
      out.println(json(release));
      return ExitCodes.OK;
    }
    List<Event> events = events(client, namespace, line.release(), err);
    out.print(ReleaseTree.render(release, events, Map.of(), clock.instant()));
    return ExitCodes.OK;
  }

  /** The Release the command names, or the exit code of why not (told on {@code err}). */
  private record Read(Release release, int exitCode) {}

  private static Read read(KubernetesClient client, CommandLine line, String namespace,
      PrintStream err) {
    try {
      Release release = client.resources(Release.class).inNamespace(namespace)
          .withName(line.release()).get();
      return release != null ? new Read(release, ExitCodes.OK)
          : new Read(null, fail(err, Outcome.notFound(namespace, line.release())));
    } catch (KubernetesClientException e) {
      return new Read(null, fail(err, ApiFailures.of(e, "get",
          "releases.cutover.dev " + line.release() + " in namespace " + namespace)));
    }
  }

  /** The Events about the Release; none (and a note) when they cannot be read. */
  static List<Event> events(KubernetesClient client, String namespace, String name,
      PrintStream err) {
    try {
      return client.v1().events().inNamespace(namespace)
          .withField("involvedObject.name", name).list().getItems().stream()
          .filter(e -> Events.about(e, name)).toList();
    } catch (KubernetesClientException e) {
      err.println("(Events not shown: " + ApiFailures.of(e, "list",
          "events in namespace " + namespace).message() + ")");
      return List.of();
    }
  }

  static Outcome listFailure(KubernetesClientException e, String namespace) {
    if (e.getCode() == 404) {
      return new Outcome(ExitCodes.NOT_FOUND, "the API server does not know Releases "
          + "(releases.cutover.dev): is Cutover's CRD installed in this cluster?", List.of());
    }
    return ApiFailures.of(e, "list", "releases.cutover.dev"
        + (namespace == null ? " in all namespaces" : " in namespace " + namespace));
  }

  private static int history(KubernetesClient client, CommandLine line, String namespace,
      PrintStream out, PrintStream err, Clock clock) {
    Read read = read(client, line, namespace, err);
    if (read.release() == null) {
      return read.exitCode();
    }
    Release release = read.release();
    List<HistoryEntry> history = release.getStatus() == null
        || release.getStatus().history == null ? List.of() : release.getStatus().history;
    if (line.json()) {
      out.println(json(history));
    } else {
      out.print(historyTable(history, clock.instant()));
    }
    return ExitCodes.OK;
  }

  /** The switches as a table, oldest first as status keeps them. */
  static String historyTable(List<HistoryEntry> history, Instant now) {
    if (history.isEmpty()) {
      return "No switches yet.\n";
    }
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("AT", "AGE", "FROM", "TO", "REASON"));
    for (HistoryEntry h : history) {
      Instant at = Times.parse(h.at);
      rows.add(List.of(h.at == null ? "" : h.at,
          at == null ? "" : Times.span(java.time.Duration.between(at, now).abs()),
          h.from == null ? "-" : h.from, h.to == null ? "-" : h.to,
          h.reason == null ? "" : h.reason));
    }
    return String.join("\n", ReleaseTree.align(rows)) + "\n";
  }

  private static int fail(PrintStream err, Outcome outcome) {
    err.println("error: " + outcome.message());
    return outcome.exitCode();
  }

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
