package dev.cutover.testworld;

import dev.cutover.Cutover;
import dev.cutover.CutoverMetrics;
import dev.cutover.CutoverOperator;
import dev.cutover.OperatorConfig;
import dev.cutover.ReleaseReconciler;
import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.observe.CheckAddresses;
import dev.cutover.status.NotificationSecret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Cutover operators as the integration tests run them, against the test world. */
public final class Operators {

  /** How often the tests' operators poll EC2: short, so a test takes seconds. */
  public static final Duration POLL = Duration.ofSeconds(1);

  private Operators() {}

  /** A gateway to moto with its own AWS SDK client, counting its calls. */
  public static Ec2Gateway newGateway() {
    return new Ec2Gateway(TestWorld.newEc2Client(TestWorld.moto()));
  }

  /**
   * The reconciler with the production wiring (checks go where
   * {@code CheckAddresses.instanceIps()} sends them: http://&lt;private ip&gt;:&lt;check
   * port&gt;&lt;path&gt;), run by JOSDK in this JVM for one test class, in one namespace for the
   * class: each test names its Releases apart, moto is reset between tests.
   */
  public static LocallyRunOperatorExtension inThisJvm(Ec2Gateway gateway) {
    return inThisJvm(gateway, new String[0]);
  }

  /**
   * The same, also watching the namespaces {@code alsoWatched} beside the class's own (Releases
   * of two namespaces that meet in EC2).
   */
  public static LocallyRunOperatorExtension inThisJvm(Ec2Gateway gateway,
      String... alsoWatched) {
    return inThisJvm(Cutover.reconciler(TestWorld.client(), gateway, Clock.systemUTC(), POLL),
        alsoWatched);
  }

  /** The same, also notifying the URLs of the Secret {@code secretNamespace/secretName}. */
  public static LocallyRunOperatorExtension notifyingInThisJvm(Ec2Gateway gateway,
      String secretNamespace, String secretName) {
    return inThisJvm(Cutover.reconciler(TestWorld.client(), gateway, Clock.systemUTC(), POLL,
        CheckAddresses.instanceIps(), CutoverMetrics.unscraped(),
        Optional.of(new NotificationSecret(TestWorld.client(), secretNamespace, secretName,
            Clock.systemUTC()))));
  }

  private static LocallyRunOperatorExtension inThisJvm(ReleaseReconciler reconciler,
      String... alsoWatched) {
    return LocallyRunOperatorExtension.builder()
        // Its own client: the extension closes it when the class is done.
        .withKubernetesClient(TestWorld.kube().newClient())
        // The extension sets the class's namespace first, then applies this.
        .withReconciler(reconciler, config -> config.addingNamespaces(alsoWatched))
        // The previous class's extension may still be deleting the CRD: wait, then install it.
        .withBeforeStartHook(extension -> Crds.installReleaseCrd(TestWorld.client()))
        .oneNamespacePerClass(true)
        // No kube-controller-manager runs beside the API server, so a namespace never finishes
        // terminating: do not wait for it.
        .waitForNamespaceDeletion(false)
        .build();
  }

  /** Operator settings (environment variables): {@link #POLL} and {@code extra}. */
  public static Map<String, String> settings(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(extra);
    env.put("CUTOVER_POLL_INTERVAL", POLL.toSeconds() + "s");
    return env;
  }

  /** The whole operator, as its main method starts it, with its EC2 calls to moto. */
  public static CutoverOperator start(OperatorConfig config, KubernetesClient client,
      String identity, int healthPort) {
    return CutoverOperator.start(config, client, newGateway(), Clock.systemUTC(),
        CheckAddresses.instanceIps(), Optional.of(identity), healthPort);
  }
}
