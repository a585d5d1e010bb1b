package dev.cutover.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * EC2 reads per poll with a few Live Releases (an operator in this JVM), and the formula every
 * reads-per-poll row is held to: the reads do not grow with the number of Releases, only with
 * Cutover's instances, 100 status checks per call.
 */
final class ReadsPerPoll {

  static final String SECTION = "2. EC2 reads per poll";
  /** AWS returns at most 1,000 instances per DescribeInstances page (MaxResults). */
  static final int INSTANCES_PER_PAGE = 1000;
  /** DescribeInstanceStatus takes at most 100 instance ids per call. */
  static final int STATUS_IDS_PER_CALL = 100;
  static final String TARGET = "DescribeInstances ⌈i/1000⌉ + DescribeAddresses 1 + "
      + "DescribeInstanceStatus ⌈i/100⌉ (i = Cutover's instances): constant in Releases";
  static final int POLLS = 2;

  private final Fixtures world;
  private final Report report;

  ReadsPerPoll(Fixtures world, Report report) {
    this.world = world;
    this.report = report;
  }

  /** With the operator in this JVM that watches {@code ns}, in an account of nothing else. */
  void run(Sizes sizes, String ns) {
    {
      int created = 0;
      for (int releases : sizes.smallReleases()) {
        for (; created < releases; created++) {
          world.create(ns, world.release("r" + created, "1.0.0", 1, world.allocate()));
        }
        int expected = releases;
        org.awaitility.Awaitility.await().atMost(Fixtures.PATIENCE)
            .pollInterval(Duration.ofMillis(250))
            .until(() -> world.live(ns, "1.0.0") == expected);
        Instant since = Instant.now();
        CallLog.Polls polls = world.awaitPolls(since, POLLS, Fixtures.PATIENCE);
        report.add(SECTION, row("2" + (char) ('a' + sizes.smallReleases().indexOf(releases)),
            releases + " Live Release" + (releases == 1 ? "" : "s") + " of 1 instance",
            "operator in the benchmark's JVM, poll interval " + Fixtures.POLL.toSeconds()
                + " s; reads at the proxy between two DescribeAddresses arrivals " + POLLS
                + " refreshes apart, divided by " + POLLS, releases, polls));
      }
    }
  }

  /** The row of one measurement with {@code instances} Cutover instances in the account. */
  static Row row(String id, String what, String method, int instances, CallLog.Polls polls) {
    long pages = (instances + INSTANCES_PER_PAGE - 1) / INSTANCES_PER_PAGE;
    long statuses = (instances + STATUS_IDS_PER_CALL - 1) / STATUS_IDS_PER_CALL;
    long expected = Math.max(1, pages) + 1 + statuses;
    boolean met = polls.of("DescribeInstances") == Math.max(1, pages)
        && polls.of("DescribeAddresses") == 1 && polls.of("DescribeInstanceStatus") == statuses
        && polls.reads() == expected;
    return Row.judged(id, what, method, CallLog.number(polls.reads()) + " (" + polls.detail()
            + "; " + CallLog.number(polls.writesPerPoll()) + " writes per poll; a refresh every "
            + String.format(Locale.ROOT, "%.1f", polls.pollPeriod().toMillis() / 1000.0)
            + " s on moto)",
        TARGET + "; here " + Math.max(1, pages) + " + 1 + " + statuses + " = " + expected, met);
  }
}
