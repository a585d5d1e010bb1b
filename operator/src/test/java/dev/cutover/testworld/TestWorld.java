package dev.cutover.testworld;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The real test world for integration tests: one kube-apiserver + etcd and one moto server per
 * JVM, started on first use and stopped when the JVM exits (also after failures). moto is reset
 * before every test. Failsafe runs several such JVMs side by side (operator/pom.xml), each with
 * its own world on its own free ports.
 *
 * <p>The Release CRD, once a class installs it ({@link Crds#installReleaseCrd}), stays for the
 * whole JVM: JOSDK's {@code LocallyRunOperatorExtension} is told not to delete it after its class
 * ({@code testsuite.deleteCRDs=false}). After every test class, the Releases it left are deleted,
 * finalizers removed first, so the next class starts with none, whatever this one left behind.
 *
 * <p>Use {@code @ExtendWith(TestWorld.class)} and take {@link KubernetesClient}, {@link Ec2Client}
 * or {@link MotoServer} as parameters, or call the static accessors from static initialisers
 * (JOSDK's {@code LocallyRunOperatorExtension} needs the client that early).
 */
public final class TestWorld
    implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback, ParameterResolver {

  public static final Region REGION = Region.US_EAST_1;

  static {
    // Read once, when LocallyRunOperatorExtension is loaded: this class is loaded before it (the
    // @ExtendWith extension is created before a class's static fields are read). The Failsafe
    // configuration in operator/pom.xml sets the same. An explicit -D setting wins.
    if (System.getProperty("testsuite.deleteCRDs") == null) {
      System.setProperty("testsuite.deleteCRDs", "false");
    }
  }

  private static final class Shared implements AutoCloseable {
    final KubeControlPlane kube;
    final MotoServer moto;
    final KubernetesClient client;
    final Ec2Client ec2;

    Shared() {
      // Both servers start in parallel: each takes a few seconds.
      var motoStart = java.util.concurrent.CompletableFuture.supplyAsync(MotoServer::start);
      KubeControlPlane startedKube = null;
      try {
        startedKube = KubeControlPlane.start();
        this.moto = motoStart.join();
      } catch (RuntimeException e) {
        if (startedKube != null) {
          startedKube.close();
        }
        motoStart.thenAccept(MotoServer::close);
        throw e;
      }
      this.kube = startedKube;
      this.client = kube.newClient();
      this.ec2 = newEc2Client(moto);
    }

    @Override
    public void close() {
      ec2.close();
      client.close();
      moto.close();
      kube.close();
    }
  }

  private static Shared shared;

  private static synchronized Shared shared() {
    if (shared == null) {
      shared = new Shared();
      Runtime.getRuntime().addShutdownHook(new Thread(TestWorld::stop, "test-world-stop"));
    }
    return shared;
  }

  private static synchronized void stop() {
    if (shared != null) {
      shared.close();
      shared = null;
    }
  }

  public static KubeControlPlane kube() {
    return shared().kube;
  }

  public static KubernetesClient client() {
    return shared().client;
  }

  public static MotoServer moto() {
    return shared().moto;
  }

  public static Ec2Client ec2() {
    return shared().ec2;
  }

  /** An EC2 client of the real AWS SDK pointed at moto with dummy credentials. */
  public static Ec2Client newEc2Client(MotoServer moto) {
    return newEc2Client(moto.endpoint());
  }

  /** The same, pointed at another endpoint (an {@link Ec2Proxy} in front of moto). */
  public static Ec2Client newEc2Client(java.net.URI endpoint) {
    return Ec2Client.builder()
        .endpointOverride(endpoint)
        .region(REGION)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create("testing", "testing")))
        .build();
  }

  /**
   * Starts the world if this JVM has none yet. It is not stopped when the JUnit run ends: a
   * Failsafe fork that takes its classes one at a time from a queue runs each class as its own
   * JUnit run, and the world (with the CRDs {@link Crds} installed) must outlive them all.
   */
  @Override
  public void beforeAll(ExtensionContext context) {
    shared();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    moto().reset();
  }

  /**
   * Runs after the class's own {@code @AfterAll} methods and after extensions registered later
   * (such as a {@code LocallyRunOperatorExtension}, which stops its operator first).
   */
  @Override
  public void afterAll(ExtensionContext context) {
    boolean topLevelClass = context.getParent().map(p -> p == context.getRoot()).orElse(false);
    Shared world;
    synchronized (TestWorld.class) {
      world = shared;
    }
    if (topLevelClass && world != null) {
      Crds.removeLeftoverReleases(world.client);
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == KubernetesClient.class || type == Ec2Client.class || type == MotoServer.class
        || type == KubeControlPlane.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    if (type == KubernetesClient.class) {
      return client();
    }
    if (type == Ec2Client.class) {
      return ec2();
    }
    if (type == MotoServer.class) {
      return moto();
    }
    return kube();
  }
}
