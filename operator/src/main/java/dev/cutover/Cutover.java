package dev.cutover;

import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.ec2.AwsClients;
import dev.cutover.observe.Accounts;
import dev.cutover.observe.CheckAddresses;
import dev.cutover.observe.Ec2Targets;
import dev.cutover.observe.HttpChecker;
import dev.cutover.observe.MetricChecker;
import dev.cutover.observe.RefreshEvents;
import dev.cutover.status.EventRecorder;
import dev.cutover.status.NotificationSecret;
import dev.cutover.status.Notifier;
import dev.cutover.status.ReleaseEvents;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Builds the reconciler and its parts; the same wiring runs in production and in tests. */
public final class Cutover {

  private Cutover() {}

  /**
   * A reconcile that finds no refresh of EC2 landed within this many poll intervals gets no world
   * and waits for the next refresh.
   */
  static final int MAX_POLL_AGE_INTERVALS = 3;

  public static ReleaseReconciler reconciler(KubernetesClient client, Ec2Gateway gateway,
      Clock clock, Duration pollInterval) {
    return reconciler(client, gateway, clock, pollInterval, CheckAddresses.instanceIps(),
        CutoverMetrics.unscraped());
  }

  /** With another way to reach instances for HTTP checks (integration tests). */
  public static ReleaseReconciler reconciler(KubernetesClient client, Ec2Gateway gateway,
      Clock clock, Duration pollInterval, CheckAddresses addresses) {
    return reconciler(client, gateway, clock, pollInterval, addresses,
        CutoverMetrics.unscraped());
  }

  /**
   * {@code gateway} is the operator's own (its credentials, region and endpoint); the accounts
   * of AwsAccounts with a role are reached with a role assumed from those credentials, through
   * the same endpoint.
   */
  public static ReleaseReconciler reconciler(KubernetesClient client, Ec2Gateway gateway,
      Clock clock, Duration pollInterval, CheckAddresses addresses, CutoverMetrics metrics) {
    return reconciler(client, gateway, clock, pollInterval, addresses, metrics,
        Optional.empty());
  }

  /**
   * The same, also notifying the URLs of {@code notifications} (the administrator's Secret) of
   * the Events {@link Notifier#REASONS} names.
   */
  public static ReleaseReconciler reconciler(KubernetesClient client, Ec2Gateway gateway,
      Clock clock, Duration pollInterval, CheckAddresses addresses, CutoverMetrics metrics,
      Optional<NotificationSecret> notifications) {
    return reconciler(client, new Ec2Targets(AwsClients.like(gateway), gateway,
        gateway.region(), clock, pollInterval.multipliedBy(MAX_POLL_AGE_INTERVALS)), clock,
        pollInterval, addresses, metrics, notifications);
  }

  /** With the targets (accounts and regions) given, e.g. to count each one's calls. */
  public static ReleaseReconciler reconciler(KubernetesClient client, Ec2Targets targets,
      Clock clock, Duration pollInterval, CheckAddresses addresses, CutoverMetrics metrics) {
    return reconciler(client, targets, clock, pollInterval, addresses, metrics,
        Optional.empty());
  }

  /** With the targets given and notifications, if any. */
  public static ReleaseReconciler reconciler(KubernetesClient client, Ec2Targets targets,
      Clock clock, Duration pollInterval, CheckAddresses addresses, CutoverMetrics metrics,
      Optional<NotificationSecret> notifications) {
    targets.setListener(metrics::ec2Call);
    RefreshEvents refreshes = new RefreshEvents();
    targets.onRefreshFor(refreshes::landedFor);
    HttpChecker checker = new HttpChecker(addresses, clock);
    EventRecorder recorder = new EventRecorder(client, clock);
    ReleaseEvents events = notifications
        .<ReleaseEvents>map(secret -> new Notifier(recorder, secret, clock)).orElse(recorder);
    Accounts accounts = new Accounts(client, clock);
    MetricChecker metricChecker = new MetricChecker(clock);
    ReleasePass pass = new ReleasePass(new AccountRoutes(targets, accounts), checker, events,
        metrics, clock, accounts).measuringWith(metricChecker);
    return new ReleaseReconciler(targets::fetchViews, checker, pass, events, metrics,
        pollInterval, List.of(refreshes, new AccountChecks(client, accounts, targets, clock),
            metricChecker));
  }
}
