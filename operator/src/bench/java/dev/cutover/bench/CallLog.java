package dev.cutover.bench;

import dev.cutover.ec2.Tags;
import dev.cutover.testworld.Ec2Proxy;
import dev.cutover.testworld.Ec2Proxy.Call;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What the proxy saw, read for the benchmarks: the mutating calls that belong to one Release
 * (RunInstances by the Release tag it launches with, AssociateAddress by the Elastic IP,
 * TerminateInstances by the instances the Release launched), and reads per poll.
 */
final class CallLog {

  private final List<Call> calls;

  CallLog(List<Call> calls) {
    // The proxy logs a call when it is answered; its seq is its order of arrival.
    this.calls = calls.stream().sorted(java.util.Comparator.comparingLong(Call::seq)).toList();
  }

  /**
   * Mutating calls, by Action, from {@code since} on, that belong to the Release
   * {@code releaseKey} (namespace/name) serving on {@code addresses}.
   */
  Map<String, Long> mutatingOf(String releaseKey, Set<String> addresses, Instant since) {
    Set<String> launched = calls.stream().filter(c -> c.action().equals("RunInstances")
            && releaseKey.equals(releaseTag(c)))
        .flatMap(c -> c.created().stream()).collect(Collectors.toSet());
    Map<String, Long> counted = new TreeMap<>();
    calls.stream().filter(c -> !c.at().isBefore(since))
        .filter(c -> Ec2Proxy.MUTATING.contains(c.action()))
        .filter(c -> switch (c.action()) {
          case "RunInstances" -> releaseKey.equals(releaseTag(c));
          case "AssociateAddress", "DisassociateAddress", "ReleaseAddress" ->
              addresses.contains(c.param("AllocationId"));
          case "TerminateInstances", "StopInstances", "StartInstances" ->
              c.list("InstanceId").stream().anyMatch(launched::contains);
          case "CreateTags", "DeleteTags" -> c.list("ResourceId").stream()
              .anyMatch(id -> launched.contains(id) || addresses.contains(id));
          default -> false;
        })
        .forEach(c -> counted.merge(c.action(), 1L, Long::sum));
    return counted;
  }

  /** The cutover.dev/release tag a RunInstances request launches with. */
  private static String releaseTag(Call run) {
    for (int spec = 1; run.params().containsKey("TagSpecification." + spec + ".ResourceType");
        spec++) {
      for (int tag = 1; ; tag++) {
        String key = run.param("TagSpecification." + spec + ".Tag." + tag + ".Key");
        if (key == null) {
          break;
        }
        if (key.equals(Tags.RELEASE)) {
          return run.param("TagSpecification." + spec + ".Tag." + tag + ".Value");
        }
      }
    }
    return null;
  }

  static long total(Map<String, Long> byAction) {
    return byAction.values().stream().mapToLong(Long::longValue).sum();
  }

  /** "RunInstances 1, AssociateAddress 1": by Action. */
  static String detail(Map<String, Long> byAction) {
    return byAction.isEmpty() ? "none" : byAction.entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
  }

  /** The first call of {@code action} at or after {@code since} that {@code also} accepts. */
  Optional<Call> first(String action, Instant since, java.util.function.Predicate<Call> also) {
    return calls.stream().filter(c -> c.action().equals(action) && !c.at().isBefore(since)
        && also.test(c)).findFirst();
  }

  /**
   * Reads per poll: the reads between the arrivals of two DescribeAddresses calls {@code polls}
   * refreshes apart (each refresh reads the addresses once), divided by {@code polls}.
   *
   * @param pollPeriod the time between those two arrivals, divided by {@code polls}
   */
  record Polls(int polls, Map<String, Double> readsPerPoll, double writesPerPoll,
      Duration pollPeriod) {

    double reads() {
      return readsPerPoll.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    double of(String action) {
      return readsPerPoll.getOrDefault(action, 0.0);
    }

    String detail() {
      return readsPerPoll.entrySet().stream().map(e -> e.getKey() + " " + number(e.getValue()))
          .collect(Collectors.joining(", "));
    }
  }

  /** The last {@code polls} whole refreshes in the log, or empty when there are fewer. */
  Optional<Polls> lastPolls(int polls) {
    List<Call> markers = calls.stream().filter(c -> c.action().equals("DescribeAddresses"))
        .toList();
    if (markers.size() < polls + 1) {
      return Optional.empty();
    }
    Call from = markers.get(markers.size() - 1 - polls);
    Call to = markers.get(markers.size() - 1);
    Map<String, Long> reads = new TreeMap<>();
    long writes = 0;
    for (Call c : calls) {
      if (c.seq() >= from.seq() && c.seq() < to.seq()) {
        if (Ec2Proxy.MUTATING.contains(c.action())) {
          writes++;
        } else {
          reads.merge(c.action(), 1L, Long::sum);
        }
      }
    }
    Map<String, Double> perPoll = new TreeMap<>();
    reads.forEach((action, n) -> perPoll.put(action, n / (double) polls));
    return Optional.of(new Polls(polls, perPoll, writes / (double) polls,
        Duration.between(from.at(), to.at()).dividedBy(polls)));
  }

  static String number(double value) {
    return value == Math.rint(value) ? String.valueOf((long) value)
        : String.format(java.util.Locale.ROOT, "%.1f", value);
  }

  static Map<String, Long> byAction(List<Call> calls) {
    Map<String, Long> counted = new HashMap<>();
    calls.forEach(c -> counted.merge(c.action(), 1L, Long::sum));
    return new TreeMap<>(counted);
  }
}
