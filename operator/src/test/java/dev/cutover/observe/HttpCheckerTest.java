package dev.cutover.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.cutover.api.HttpCheck;
import dev.cutover.ec2.InstanceState;
import dev.cutover.ec2.ManagedInstance;
import dev.cutover.ec2.ManagedInstance.StatusChecks;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A check stored before the CRD refused its values (a path with a space, a zero timeout) is
 * reported in each instance's result; it never throws inside a reconcile and never runs.
 */
class HttpCheckerTest {

  final HttpChecker checker = new HttpChecker(CheckAddresses.instanceIps(), Clock.systemUTC());
  final List<ManagedInstance> instances = List.of(instance("i-1", "127.16.0.11"),
      instance("i-2", "127.16.0.12"));

  @AfterEach
  void close() {
    checker.close();
  }

  @Test
  void aPathTheHttpClientCannotSendIsReportedNotThrown() {
    HttpCheck check = new HttpCheck();
    check.path = "/health check";
    assertThatCode(() -> CheckAddresses.instanceIps().uriFor(instances.get(0), check))
        .as("what used to throw inside reconcile").isInstanceOf(IllegalArgumentException.class);

    assertThatCode(() -> checker.watch("shop/web", instances, check))
        .doesNotThrowAnyException();

    Map<String, HttpCheckResult> results = checker.results(List.of("i-1", "i-2"));
    assertThat(results.values()).allSatisfy(r -> {
      assertThat(r.last()).startsWith("not run: path must start with / and be a URI path");
      assertThat(r.consecutiveFailures()).as("not a failure of the instance").isZero();
      assertThat(r.passed(1)).isFalse();
    });
    assertThat(results.get("i-1").describe(3)).contains("http 0/3 (not run: path must start");
  }

  @Test
  void aZeroTimeoutIsReportedAndAFixedCheckStartsAfresh() {
    HttpCheck zero = new HttpCheck();
    zero.timeout = "0s";
    checker.watch("shop/web", instances, zero);
    assertThat(checker.results(List.of("i-1")).get("i-1").last())
        .isEqualTo("not run: timeout must be more than 0s (got \"0s\")");

    checker.watch("shop/web", instances, null);
    assertThat(checker.results(List.of("i-1", "i-2")).values())
        .containsOnly(HttpCheckResult.NOT_YET);
  }

  private static ManagedInstance instance(String id, String ip) {
    return new ManagedInstance(id, "uid-1", "shop/web", "fleet-a", "1.0.0", 0,
        InstanceState.RUNNING, ip, null, Instant.parse("2026-11-27T12:00:00Z"),
        StatusChecks.OK);
  }
}
