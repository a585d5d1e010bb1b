package dev.cutover.sim;

import dev.cutover.act.Drainer;
import dev.cutover.api.DrainCall;
import dev.cutover.decide.Action.Drain.Call;
import dev.cutover.ec2.ManagedInstance;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;

/**
 * The instances' side of drain calls in a simulation: each call is received at the simulated
 * time (a running instance answers, any other does not) and remembered, as the application on
 * the instance would, across operator crashes. The invariants read when each instance last
 * received one.
 */
final class SimulatedDrains extends Drainer {

  /** The last drain call an instance received, and the drain timeout the spec had then. */
  record Received(Instant at, Duration timeout) {}

  private final Clock clock;
  private final SimulatedEc2 ec2;
  private final Map<String, Received> received = new HashMap<>();
  private Consumer<String> onCall = id -> { };
  private Duration timeout = Duration.ZERO;

  SimulatedDrains(Clock clock, SimulatedEc2 ec2) {
    this.clock = clock;
    this.ec2 = ec2;
  }

  /** Told of each instance as its call arrives (the invariants' check). */
  void onCall(Consumer<String> check) {
    this.onCall = check;
  }

  /** The drain timeout of the spec the pass runs with. */
  void timeout(Duration timeout) {
    this.timeout = timeout;
  }

  @Override
  public List<Call> drain(DrainCall http, List<ManagedInstance> instances) {
    return instances.stream().map(i -> {
      onCall.accept(i.id());
      received.put(i.id(), new Received(clock.instant(), timeout));
      boolean running = ec2.instance(i.id()).map(s -> s.state() == InstanceStateName.RUNNING)
          .orElse(false);
      return new Call(i.id(), running ? null : "ConnectException: Connection refused");
    }).toList();
  }

  /** The last drain call this instance received, if any. */
  Received last(String instanceId) {
    return received.get(instanceId);
  }

  int calls() {
    return received.size();
  }
}
