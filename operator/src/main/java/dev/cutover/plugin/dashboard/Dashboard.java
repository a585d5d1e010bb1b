package dev.cutover.plugin.dashboard;

import dev.cutover.plugin.ExitCodes;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code kubectl cutover dashboard}: a live page of the Releases, served on 127.0.0.1 until the
 * command is stopped. The process watches the Releases and their Events with the user's
 * kubeconfig and pushes every change to the open pages; the page's promote, abort and undo
 * buttons run the command line's own actions with the same credentials.
 */
public final class Dashboard implements AutoCloseable {

  private final ReleaseFeed feed;
  private final DashboardServer server;

  private Dashboard(ReleaseFeed feed, DashboardServer server) {
    this.feed = feed;
    this.server = server;
  }

  /**
   * Runs the dashboard until the process is stopped (Ctrl-C) or the Release watch ends for good.
   * Prints the URL (with its token) to {@code out}, then one line per action taken on the page.
   *
   * @return the exit code: {@link ExitCodes#USAGE} for bad arguments, {@link
   *     ExitCodes#FORBIDDEN} or {@link ExitCodes#API_ERROR} when the Releases cannot be read
   */
  public static int run(KubernetesClient client, List<String> args, PrintStream out) {
    DashboardOptions options;
    try {
      options = DashboardOptions.parse(args);
    } catch (DashboardOptions.BadArguments e) {
      out.println("error: " + e.getMessage());
      out.print(DashboardOptions.USAGE);
      return ExitCodes.USAGE;
    }
    if (options.help()) {
      out.print(DashboardOptions.USAGE);
      return ExitCodes.OK;
    }
    Dashboard dashboard;
    try {
      dashboard = start(client, options, ReleaseCommands.of(client), out);
    } catch (KubernetesClientException e) {
      out.println("error: cannot read Releases (" + options.describeScope() + "): "
          + ReleaseFeed.reason(e));
      return e.getCode() == 403 ? ExitCodes.FORBIDDEN : ExitCodes.API_ERROR;
    } catch (UncheckedIOException e) {
      out.println("error: " + e.getMessage());
      return ExitCodes.USAGE;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      dashboard.close();
      stopped.countDown();
    }, "dashboard-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    ReleaseFeed.Scope scope = dashboard.feed.scope();
    out.println("Cutover releases (" + scope.describe()
        + (scope.context() == null ? "" : ", context " + scope.context()) + ") at");
    out.println();
    out.println("    " + dashboard.url());
    out.println();
    if (scope.note() != null) {
      out.println(scope.note());
    }
    if (options.open() && !Browser.open(dashboard.url())) {
      out.println("(no browser could be opened: open the address above)");
    }
    out.println("The address holds a secret token, new on every run: do not share it. "
        + "Ctrl-C stops the page.");
    out.flush();
    dashboard.feed.stopped().whenComplete((ok, failure) -> stopped.countDown());
    boolean interrupted = false;
    try {
      stopped.await();
    } catch (InterruptedException e) {
      // Stopped by whoever runs this command in its own thread.
      interrupted = true;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is stopping: the hook closes the dashboard.
      return ExitCodes.OK;
    }
    dashboard.close();
    if (interrupted) {
      Thread.currentThread().interrupt();
      return ExitCodes.OK;
    }
    out.println("error: the watch on Releases ended; the page is stopped");
    return ExitCodes.API_ERROR;
  }

  /**
   * Lists and watches the Releases, then serves the page; returns at once. {@code log} gets one
   * line per action taken on the page.
   */
  static Dashboard start(KubernetesClient client, DashboardOptions options,
      ReleaseCommands commands, PrintStream log) {
    ReleaseFeed feed = ReleaseFeed.start(client, options.namespace());
    try {
      return new Dashboard(feed, DashboardServer.start(options.port(), feed, commands, log));
    } catch (RuntimeException e) {
      feed.close();
      throw e;
    }
  }

  /** The page's address, with this run's token. */
  String url() {
    return server.url();
  }

  int port() {
    return server.port();
  }

  String token() {
    return server.token();
  }

  @Override
  public void close() {
    server.close();
    feed.close();
  }
}
