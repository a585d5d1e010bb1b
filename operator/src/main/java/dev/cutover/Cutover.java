package dev.cutover;

import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.act.PlanExecutor;
import dev.cutover.observe.Accounts;
import dev.cutover.observe.CheckAddresses;
import dev.cutover.observe.Ec2Inventory;
import dev.cutover.observe.HttpChecker;
import dev.cutover.status.EventRecorder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;

/** Builds the reconciler and its parts; the same wiring runs in production and in tests. */
public final class Cutover {

  private Cutover() {}

  /** A poll older than this many intervals is refreshed by the reconcile that needs it. */
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

  public static ReleaseReconciler reconciler(KubernetesClient client, Ec2Gateway gateway,
      Clock clock, Duration pollInterval, CheckAddresses addresses, CutoverMetrics metrics) {
    Ec2Inventory inventory = new Ec2Inventory(gateway, clock,
        pollInterval.multipliedBy(MAX_POLL_AGE_INTERVALS));
    gateway.setListener(metrics::ec2Call);
    HttpChecker checker = new HttpChecker(addresses, clock);
    EventRecorder events = new EventRecorder(client, clock);
    ReleasePass pass = new ReleasePass(inventory, checker, new PlanExecutor(gateway, inventory),
        events, metrics, clock, new Accounts(client, clock));
    return new ReleaseReconciler(inventory, checker, pass, events, metrics, pollInterval);
  }
}
