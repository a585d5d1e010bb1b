package dev.cutover.plugin;

import dev.cutover.api.ActionError;
import dev.cutover.api.ActiveFleet;
import dev.cutover.api.AddressStatus;
import dev.cutover.api.DrainingFleet;
import dev.cutover.api.Failure;
import dev.cutover.api.FleetInstance;
import dev.cutover.api.HeldFleet;
import dev.cutover.api.PreviousFleet;
import dev.cutover.api.Promotion;
import dev.cutover.api.Release;
import dev.cutover.api.ReleaseStatus;
import dev.cutover.api.StagingFleet;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Release as a tree of text: the Release with its phase and the conditions that matter, its
 * addresses and fleets (active, retained, staging, held, draining) with their instances, and its
 * latest Events. A pure function of what it is given and the time, so that it is tested with a
 * fixed clock and the same input always draws the same tree.
 *
 * <p>Status records state, slot, role and checks only for the staging fleet's instances; for the
 * active and retained fleets it lists the instance ids. {@code known} fills in what was seen of
 * an instance while it was staged (its slot, role and type do not change), so that a watch
 * keeps showing them after the switch.
 */
public final class ReleaseTree {

  /** How many of the latest Events a tree shows. */
  static final int EVENTS = 8;

  private ReleaseTree() {}

  /** The tree of one Release with its latest Events. */
  public static String render(Release release, List<Event> events,
      Map<String, FleetInstance> known, Instant now) {
    StringBuilder out = new StringBuilder();
    tree(out, release, known, now);
    events(out, events, now);
    return out.toString();
  }

  /** The trees of several Releases, without Events, one after another. */
  public static String renderAll(List<Release> releases, Map<String, FleetInstance> known,
      Instant now) {
    if (releases.isEmpty()) {
      return "No Releases.\n";
    }
    StringBuilder out = new StringBuilder();
    List<Release> sorted = new ArrayList<>(releases);
    sorted.sort(Comparator.comparing((Release r) -> r.getMetadata().getNamespace())
        .thenComparing(r -> r.getMetadata().getName()));
    for (int i = 0; i < sorted.size(); i++) {
      if (i > 0) {
        out.append('\n');
      }
      tree(out, sorted.get(i), known, now);
    }
    return out.toString();
  }

  /** Instance details a status shows, by instance id: what the staging fleet reports. */
  public static Map<String, FleetInstance> instancesOf(Release release) {
    Map<String, FleetInstance> seen = new LinkedHashMap<>();
    ReleaseStatus s = release.getStatus();
    if (s != null && s.stagingFleet != null && s.stagingFleet.instances != null) {
      s.stagingFleet.instances.forEach(i -> seen.put(i.id, i));
    }
    return seen;
  }

  private static void tree(StringBuilder out, Release release, Map<String, FleetInstance> known,
      Instant now) {
    var meta = release.getMetadata();
    var spec = release.getSpec();
    ReleaseStatus s = release.getStatus();
    out.append("Release ").append(meta.getNamespace()).append('/').append(meta.getName())
        .append("  ").append(spec.version).append("  ")
        .append(s == null || s.phase == null ? "(not reconciled yet)" : s.phase).append('\n');
    List<String> facts = new ArrayList<>();
    Promotion promotion = spec.promotion;
    if (promotion != null && promotion.mode == Promotion.Mode.Manual) {
      facts.add("promotion Manual, " + (promotion.approvedVersion == null
          || promotion.approvedVersion.isEmpty() ? "nothing approved"
          : "approved " + promotion.approvedVersion));
    }
    if (Boolean.TRUE.equals(spec.paused)) {
      facts.add("PAUSED: Cutover changes nothing in EC2");
    }
    String abort = ReleaseFacts.annotation(release, Release.ABORT_ANNOTATION);
    if (ReleaseFacts.abortAsked(release)) {
      facts.add("aborted at generation " + abort + " (kubectl cutover retry " + meta.getName()
          + " stages it again)");
    } else if (abort != null) {
      facts.add("abort annotation of generation " + abort + " ignored: the spec changed "
          + "since, or a retry set it aside");
    }
    ReleaseStatus retried = release.getStatus();
    if (retried != null && retried.lastRetry != null && retried.lastRetry.generation != null
        && retried.lastRetry.generation.equals(meta.getGeneration())) {
      facts.add("retried " + Times.relative(retried.lastRetry.at, now) + " after "
          + retried.lastRetry.failure);
    }
    if (s != null && s.observedGeneration != null && meta.getGeneration() != null
        && s.observedGeneration < meta.getGeneration()) {
      facts.add("status is of generation " + s.observedGeneration + ", the spec is at "
          + meta.getGeneration() + ": Cutover has not acted on the change yet");
    }
    for (String fact : facts) {
      out.append("  ").append(fact).append('\n');
    }
    if (s == null) {
      return;
    }
    conditions(out, s);
    Failure failure = ReleaseFacts.blockingFailure(release).orElse(null);
    if (failure != null) {
      out.append("  failed   ").append(failure.version).append(' ').append(failure.reason)
          .append(' ').append(Times.relative(failure.at, now)).append(": ")
          .append(failure.message).append('\n');
    }
    if (s.errors != null) {
      for (ActionError e : s.errors) {
        out.append("  error    ").append(e.action).append(' ').append(e.code)
            .append(e.retryAt == null ? "" : ", tried again " + Times.relative(e.retryAt, now))
            .append(e.message == null ? "" : ": " + e.message).append('\n');
      }
    }
    Map<String, List<String>> pointing = addressesByInstance(s);
    List<Branch> branches = new ArrayList<>();
    branches.add(addresses(s));
    if (s.activeFleet != null) {
      branches.add(active(s.activeFleet, pointing, known, now));
    }
    if (s.previousFleet != null) {
      branches.add(retained(s.previousFleet, pointing, known, now));
    }
    if (s.stagingFleet != null) {
      branches.add(staging(s.stagingFleet, pointing, now));
    }
    if (s.heldFleets != null) {
      s.heldFleets.forEach(h -> branches.add(held(h, pointing, known, now)));
    }
    if (s.draining != null) {
      s.draining.forEach(d -> branches.add(draining(d, pointing, known, now)));
    }
    branches.removeIf(Objects::isNull);
    for (int b = 0; b < branches.size(); b++) {
      boolean last = b == branches.size() - 1;
      Branch branch = branches.get(b);
      out.append(last ? "└─ " : "├─ ").append(branch.title()).append('\n');
      List<String> rows = align(branch.rows());
      for (int r = 0; r < rows.size(); r++) {
        out.append(last ? "   " : "│  ").append(r == rows.size() - 1 ? "└─ " : "├─ ")
            .append(rows.get(r)).append('\n');
      }
    }
  }

  /** A fleet (or the addresses): its title line and its rows, each a list of columns. */
  private record Branch(String title, List<List<String>> rows) {}

  private static void conditions(StringBuilder out, ReleaseStatus s) {
    List<String> said = new ArrayList<>();
    for (Condition c : s.conditions == null ? List.<Condition>of() : s.conditions) {
      boolean matters = switch (String.valueOf(c.getType())) {
        case "Ready" -> true;
        case "Stalled", "Reconciling" -> "True".equals(c.getStatus());
        case "Available" -> "False".equals(c.getStatus());
        default -> false;
      };
      if (matters) {
        // Conditions often share their message (Ready and Reconciling): say it once.
        boolean sentence = c.getMessage() != null && !c.getMessage().isEmpty()
            && !said.contains(c.getMessage());
        out.append("  ").append(c.getType()).append('=').append(c.getStatus())
            .append(c.getReason() == null ? "" : " " + c.getReason())
            .append(sentence ? ": " + c.getMessage() : "").append('\n');
        said.add(c.getMessage());
      }
    }
  }

  private static Branch addresses(ReleaseStatus s) {
    List<List<String>> rows = new ArrayList<>();
    if (s.addresses != null && !s.addresses.isEmpty()) {
      for (AddressStatus a : s.addresses) {
        rows.add(List.of(nonNull(a.publicIp, "(no address yet)"), addressName(a),
            a.instanceId == null ? "→ nothing"
                : "→ " + a.instanceId + (a.version == null ? "" : " (" + a.version + ")")));
      }
    } else if (s.elasticIp != null) {
      rows.add(List.of(nonNull(s.elasticIp.publicIp, "(no address yet)"),
          nonNull(s.elasticIp.allocationId, ""),
          s.elasticIp.instanceId == null ? "→ nothing" : "→ " + s.elasticIp.instanceId));
    }
    return rows.isEmpty() ? null : new Branch("addresses", rows);
  }

  private static String addressName(AddressStatus a) {
    String id = nonNull(a.allocationId, "");
    if ("preview".equals(a.role) && a.index == null) {
      return id + " preview";
    }
    return id + (a.role == null ? "" : " " + a.role + (a.index == null ? "" : "[" + a.index
        + "]"));
  }

  private static Map<String, List<String>> addressesByInstance(ReleaseStatus s) {
    Map<String, List<String>> byInstance = new LinkedHashMap<>();
    if (s.addresses != null && !s.addresses.isEmpty()) {
      for (AddressStatus a : s.addresses) {
        if (a.instanceId != null && a.publicIp != null) {
          byInstance.computeIfAbsent(a.instanceId, k -> new ArrayList<>())
              .add(a.publicIp + ("preview".equals(a.role) && a.index == null ? " (preview)" : ""));
        }
      }
    } else if (s.elasticIp != null && s.elasticIp.instanceId != null) {
      byInstance.put(s.elasticIp.instanceId, List.of(nonNull(s.elasticIp.publicIp,
          s.elasticIp.allocationId)));
    }
    return byInstance;
  }

  private static Branch active(ActiveFleet f, Map<String, List<String>> pointing,
      Map<String, FleetInstance> known, Instant now) {
    String types = f.instanceTypes == null ? "" : "  " + String.join(", ",
        f.instanceTypes.entrySet().stream().map(e -> e.getKey() + "×" + e.getValue()).toList());
    return new Branch(title("active", f.version, f.id)
        + (f.since == null ? "" : "  live since " + Times.relative(f.since, now)) + types,
        ids(f.instanceIds, pointing, known));
  }

  private static Branch retained(PreviousFleet f, Map<String, List<String>> pointing,
      Map<String, FleetInstance> known, Instant now) {
    return new Branch(title("retained", f.version, f.id)
        + (f.expiresAt == null ? "" : "  expires " + Times.relative(f.expiresAt, now)),
        ids(f.instanceIds, pointing, known));
  }

  private static Branch staging(StagingFleet f, Map<String, List<String>> pointing,
      Instant now) {
    StringBuilder title = new StringBuilder(title("staging", f.version, f.id));
    if (f.startedAt != null) {
      title.append("  started ").append(Times.relative(f.startedAt, now));
    }
    if (f.verifiedAt != null) {
      title.append("  verified ").append(Times.relative(f.verifiedAt, now));
    } else if (f.deadline != null) {
      title.append("  deadline ").append(Times.relative(f.deadline, now));
    }
    List<List<String>> rows = new ArrayList<>();
    List<FleetInstance> instances = f.instances == null ? List.of() : new ArrayList<>(f.instances);
    instances.sort(Comparator.comparing((FleetInstance i) -> nonNull(i.role, ""))
        .thenComparing(i -> i.slot == null ? Integer.MAX_VALUE : i.slot));
    for (FleetInstance i : instances) {
      rows.add(List.of(i.id, nonNull(i.state, "?"), placement(i), nonNull(i.instanceType, ""),
          nonNull(i.checks, ""), pointers(i.id, pointing)));
    }
    return new Branch(title.toString(), rows);
  }

  private static Branch held(HeldFleet f, Map<String, List<String>> pointing,
      Map<String, FleetInstance> known, Instant now) {
    return new Branch(title("held", f.version, f.id) + "  " + nonNull(f.reason, "")
        + (f.until == null ? "" : "  until " + Times.relative(f.until, now)),
        ids(f.instanceIds, pointing, known));
  }

  private static Branch draining(DrainingFleet d, Map<String, List<String>> pointing,
      Map<String, FleetInstance> known, Instant now) {
    return new Branch("draining  " + d.version + "  " + nonNull(d.reason, "")
        + (d.terminateAt == null ? "" : "  terminated " + Times.relative(d.terminateAt, now))
        + (d.answered == null ? "" : "  " + d.answered + " answered the drain call"),
        ids(d.instanceIds, pointing, known));
  }

  private static String title(String role, String version, String id) {
    return String.format("%-9s %s  fleet %s", role, version, nonNull(id, "?"));
  }

  private static List<List<String>> ids(List<String> instanceIds,
      Map<String, List<String>> pointing, Map<String, FleetInstance> known) {
    List<List<String>> rows = new ArrayList<>();
    for (String id : instanceIds == null ? List.<String>of() : instanceIds) {
      FleetInstance seen = known.get(id);
      rows.add(List.of(id, seen == null ? "" : placement(seen),
          seen == null ? "" : nonNull(seen.instanceType, ""), pointers(id, pointing)));
    }
    return rows;
  }

  private static String placement(FleetInstance i) {
    return (i.role == null ? "" : i.role + " ") + (i.slot == null ? "" : "slot " + i.slot);
  }

  private static String pointers(String id, Map<String, List<String>> pointing) {
    List<String> addresses = pointing.get(id);
    return addresses == null ? "" : "← " + String.join(", ", addresses);
  }

  /** Rows as text with their columns aligned; empty columns take no room. */
  static List<String> align(List<List<String>> rows) {
    int columns = rows.stream().mapToInt(List::size).max().orElse(0);
    int[] width = new int[columns];
    for (List<String> row : rows) {
      for (int c = 0; c < row.size(); c++) {
        width[c] = Math.max(width[c], row.get(c).length());
      }
    }
    List<String> lines = new ArrayList<>();
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < row.size(); c++) {
        if (width[c] == 0) {
          continue;
        }
        if (line.length() > 0) {
          line.append("  ");
        }
        line.append(String.format("%-" + width[c] + "s", row.get(c)));
      }
      lines.add(line.toString().stripTrailing());
    }
    return lines;
  }

  private static void events(StringBuilder out, List<Event> events, Instant now) {
    if (events.isEmpty()) {
      return;
    }
    List<Event> sorted = new ArrayList<>(events);
    sorted.sort(Comparator.comparing((Event e) -> nonNull(Events.at(e), Instant.EPOCH))
        .thenComparingLong(Events::order));
    List<Event> latest = sorted.subList(Math.max(0, sorted.size() - EVENTS), sorted.size());
    out.append("Events").append(sorted.size() > latest.size()
        ? " (latest " + latest.size() + " of " + sorted.size() + ")" : "").append('\n');
    List<List<String>> rows = new ArrayList<>();
    for (Event e : latest) {
      Instant at = Events.at(e);
      int count = Events.count(e);
      rows.add(List.of(at == null ? "" : Times.relative(at, now),
          "Warning".equals(e.getType()) ? "Warning" : "", nonNull(e.getReason(), "")
              + (count > 1 ? " ×" + count : ""),
          nonNull(e.getMessage(), "")));
    }
    for (String line : align(rows)) {
      out.append("  ").append(line).append('\n');
    }
  }

  private static <T> T nonNull(T value, T otherwise) {
    return value == null ? otherwise : value;
  }
}
