package dev.cutover.bench.micro;

import dev.cutover.ec2.Ec2Gateway;
import dev.cutover.observe.Ec2Inventory;
import dev.cutover.observe.ReleaseView;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * One poll of the shared inventory, as the operator's polling event source runs it: the EC2
 * reads through the real SDK client (signing, XML parsing; EC2's answers served from memory by
 * {@link CannedEc2}), the new snapshot, and the views fanned out per Release.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class InventoryPollBenchmark {

  @Param("1000")
  public int releases;
  @Param("10")
  public int instancesPerRelease;

  private Ec2Client client;
  private Ec2Inventory inventory;

  @Setup
  public void account() {
    CannedEc2 ec2 = new CannedEc2(releases, instancesPerRelease);
    client = Ec2Client.builder().httpClient(ec2).region(Region.US_EAST_1)
        .endpointOverride(URI.create("http://ec2.canned.invalid"))
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create("bench", "bench"))).build();
    // Refreshes on the calling thread: the benchmark's one thread does all of a poll's work.
    inventory = new Ec2Inventory(new Ec2Gateway(client), Clock.systemUTC(),
        Duration.ofMinutes(1), Runnable::run);
    Map<ResourceID, Set<ReleaseView>> views = poll();
    int seen = views.values().stream().flatMap(Set::stream)
        .mapToInt(v -> v.instances().size()).sum();
    if (views.size() != releases || seen != releases * instancesPerRelease) {
      throw new IllegalStateException("a poll saw " + views.size() + " Releases and " + seen
          + " instances");
    }
    System.out.println("canned EC2: " + ec2.bytesPerInstance() + " bytes of XML per instance;"
        + " calls of one poll: " + ec2.calls());
  }

  @Benchmark
  public Map<ResourceID, Set<ReleaseView>> poll() {
    return inventory.fetchViews();
  }

  @TearDown
  public void close() {
    inventory.close();
    client.close();
  }
}
