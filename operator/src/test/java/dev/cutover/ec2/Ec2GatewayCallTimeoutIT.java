package dev.cutover.ec2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.testworld.Ec2Proxy;
import dev.cutover.testworld.Ec2World;
import dev.cutover.testworld.TestWorld;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * A call that changes something is abandoned after the gateway's call timeout, the SDK's
 * retries included, and reported as a ClientError (outcome unknown) that Cutover retries after
 * looking at EC2 again; a read is not bounded by it. Here the timeout is 1 s and the proxy holds
 * AssociateAddress and DescribeAddresses 3 s before forwarding them to moto.
 */
@ExtendWith(TestWorld.class)
class Ec2GatewayCallTimeoutIT {

  static final Duration TIMEOUT = Duration.ofSeconds(1);
  static final int HELD_MILLIS = 3000;

  static final Ec2Proxy proxy = new Ec2Proxy(TestWorld.moto().endpoint());

  @AfterAll
  static void stopProxy() {
    proxy.close();
  }

  @Test
  void aMutatingCallIsAbandonedAfterTheCallTimeoutAndAReadIsNot() {
    Ec2World world = new Ec2World(TestWorld.ec2());
    String allocationId = world.allocateAddress();
    String instance = world.launchUntagged();
    proxy.reset();
    proxy.inject(Ec2Proxy.Faults.seeded(1).withLatency(HELD_MILLIS)
        .onlyFor(Set.of("AssociateAddress", "DescribeAddresses")::contains));
    Ec2Client client = TestWorld.newEc2Client(proxy.endpoint());
    try (Ec2Gateway gateway = new Ec2Gateway(client, client, TIMEOUT)) {
      long started = System.nanoTime();
      assertThatThrownBy(() -> gateway.associateAddress(allocationId, instance))
          .isInstanceOfSatisfying(Ec2Failure.class, f -> {
            assertThat(f.code()).isEqualTo("ClientError");
            assertThat(f.retryable()).isTrue();
          });
      Duration abandonedAfter = Duration.ofNanos(System.nanoTime() - started);
      assertThat(abandonedAfter).as("abandoned at the timeout, not when the proxy answered")
          .isGreaterThanOrEqualTo(TIMEOUT).isLessThan(Duration.ofMillis(HELD_MILLIS));

      started = System.nanoTime();
      assertThat(gateway.describeAddresses()).extracting(ElasticIp::allocationId)
          .contains(allocationId);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).as("a read waits it out")
          .isGreaterThanOrEqualTo(Duration.ofMillis(HELD_MILLIS));
    }
  }
}
