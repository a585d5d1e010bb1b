package dev.cutover.testworld;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The zero-downtime probe. It samples the control-plane association state of the Elastic IP,
 * not traffic: every {@link #PERIOD_MILLIS} ms (fixed rate) one DescribeAddresses for the
 * allocation id and, when the address is associated, one DescribeInstances for that instance,
 * both sent straight to moto (not through the proxy the operator uses, so injected faults do not
 * touch it). Once a sample has seen the address on a running instance (production is served), a
 * sample that finds it unassociated or on an instance that is not running is a violation. A
 * sample that throws (moto busy, a race with a reset) is counted as an error and sampling goes
 * on.
 */
public final class ElasticIpSampler implements AutoCloseable {

  public static final long PERIOD_MILLIS = 50;

  /** What one sample reads, for docs/RELIABILITY.md. */
  public static final String WHAT = "every " + PERIOD_MILLIS + " ms (fixed rate), one "
      + "DescribeAddresses for the Release's allocation id and, when the address is associated, "
      + "one DescribeInstances for that instance, both straight to moto (not through the fault "
      + "proxy). A sample is a violation when, after the first sample that saw the address on a "
      + "running instance, the address is unassociated or its instance is not running. A sample "
      + "that throws is counted as an error, not a violation, and sampling goes on";

  private final Ec2Client ec2;
  private final Supplier<String> allocationId;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicInteger samples = new AtomicInteger();
  private final AtomicInteger errors = new AtomicInteger();
  private final ConcurrentLinkedQueue<String> errorMessages = new ConcurrentLinkedQueue<>();
  private boolean served;
  private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private final long startedNanos = System.nanoTime();
  private volatile long stoppedNanos;

  public ElasticIpSampler(Ec2Client ec2, String allocationId) {
    this(ec2, () -> allocationId, false);
  }

  /** @param allocationId the address to sample; null until it is known (nothing is sampled) */
  public ElasticIpSampler(Ec2Client ec2, Supplier<String> allocationId) {
    this(ec2, allocationId, false);
  }

  /**
   * A probe of an address that already serves production: every sample must find it on a
   * running instance, the first one included.
   */
  public static ElasticIpSampler serving(Ec2Client ec2, String allocationId) {
    return new ElasticIpSampler(ec2, () -> allocationId, true);
  }

  private ElasticIpSampler(Ec2Client ec2, Supplier<String> allocationId, boolean served) {
    this.ec2 = ec2;
    this.allocationId = allocationId;
    this.served = served;
    this.thread = new Thread(this::run, "eip-sampler");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    long period = PERIOD_MILLIS * 1_000_000L;
    long next = System.nanoTime();
    while (running.get()) {
      try {
        sample();
      } catch (RuntimeException e) {
        errors.incrementAndGet();
        if (errorMessages.size() < 5) {
          errorMessages.add(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
      }
      next += period;
      long now = System.nanoTime();
      if (next < now) {
        // A slow sample: the next one starts now, missed periods are not made up.
        next = now;
      }
      // The sampling period, not a wait for a condition.
      LockSupport.parkNanos(next - now);
    }
  }

  private void sample() {
    String id = allocationId.get();
    if (id == null) {
      return;
    }
    var address = ec2.describeAddresses(r -> r.allocationIds(id)).addresses().get(0);
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
  }

  /** Samples that read the association (errors not included). */
  public int samples() {
    return samples.get();
  }

  /** Samples that threw. */
  public int errors() {
    return errors.get();
  }

  public List<String> errorMessages() {
    return List.copyOf(errorMessages);
  }

  public List<String> violations() {
    return List.copyOf(violations);
  }

  /** From the start of the probe to its close (or now). */
  public long millis() {
    long end = stoppedNanos == 0 ? System.nanoTime() : stoppedNanos;
    return (end - startedNanos) / 1_000_000;
  }

  /** Samples a probe of this duration takes at its stated rate. */
  public long expected() {
    return millis() / PERIOD_MILLIS;
  }

  @Override
  public void close() {
    if (running.getAndSet(false)) {
      stoppedNanos = System.nanoTime();
    }
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
