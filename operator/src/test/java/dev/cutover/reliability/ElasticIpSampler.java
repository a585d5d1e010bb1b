package dev.cutover.reliability;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The zero-downtime probe: reads the Elastic IP's association every 50 ms, straight from EC2,
 * and records every sample, once production is served, where it points at nothing or at an
 * instance that is not running.
 */
final class ElasticIpSampler implements AutoCloseable {

  private final Ec2Client ec2;
  private final String allocationId;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicInteger samples = new AtomicInteger();
  private boolean served;
  private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
  private final Thread thread;

  ElasticIpSampler(Ec2Client ec2, String allocationId) {
    this.ec2 = ec2;
    this.allocationId = allocationId;
    this.thread = new Thread(this::sample, "eip-sampler");
    thread.setDaemon(true);
    thread.start();
  }

  private void sample() {
    while (running.get()) {
      var address = ec2.describeAddresses(r -> r.allocationIds(allocationId)).addresses().get(0);
      String instance = address.instanceId();
      String state = instance == null || instance.isEmpty() ? "unassociated"
          : ec2.describeInstances(r -> r.instanceIds(instance)).reservations().get(0)
              .instances().get(0).state().nameAsString();
      samples.incrementAndGet();
      // Before the first release goes live there is no production to interrupt.
      served |= state.equals("running");
      if (served && !state.equals("running")) {
        violations.add(instance + " " + state);
      }
      // The sampling period, not a wait for a condition.
      LockSupport.parkNanos(50_000_000L);
    }
  }

  int samples() {
    return samples.get();
  }

  List<String> violations() {
    return List.copyOf(violations);
  }

  @Override
  public void close() {
    running.set(false);
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
