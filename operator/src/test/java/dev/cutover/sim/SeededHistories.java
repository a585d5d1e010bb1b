package dev.cutover.sim;

import dev.cutover.sim.Simulation.World;
import dev.cutover.sim.Steps.Kind;
import dev.cutover.sim.Steps.Step;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Generated histories: each drawn from {@link Steps} by a {@link Random} seeded with its number
 * (history 4711 is the same history on every machine), run against a fresh {@link Simulation}
 * and ended by its final settle. The number also says which Release the history is about
 * ({@link #worldOf}): odd histories are of a system of roles with several addresses, even
 * ones of a single role behind one Elastic IP, unless {@code -Dcutover.sim.world=single} or
 * {@code system} asks for one of them only. A failing history is minimised by removing steps (delta
 * debugging) and by simplifying the steps that remain (their numbers towards 0), for as long
 * as the same invariant still fails the same way ({@link #kindOf}); what is left is printed as
 * the story.
 *
 * <p>{@link SafetySimulationTest} runs these; {@link #main} explores many and reports the
 * shortest story of every kind of failure:
 *
 * <pre>java -cp ... dev.cutover.sim.SeededHistories [histories] [first seed]</pre>
 */
public final class SeededHistories {

  /** Steps per history before the final settle: from 20 to this many. */
  static final int MAX_STEPS = 24;

  private static final Kind LIVE = Steps.KINDS.stream()
      .filter(k -> k.name().equals("live")).findFirst().orElseThrow();
  private static final Kind PREVIEW = Steps.SYSTEM_KINDS.stream()
      .filter(k -> k.name().equals("preview")).findFirst().orElseThrow();

  private static final Kind DRAIN = Steps.KINDS.stream()
      .filter(k -> k.name().equals("drain")).findFirst().orElseThrow();
  private static final Kind TYPES = Steps.KINDS.stream()
      .filter(k -> k.name().equals("types")).findFirst().orElseThrow();
  private static final Kind APPROVAL_TIMEOUT = Steps.KINDS.stream()
      .filter(k -> k.name().equals("approvalTimeout")).findFirst().orElseThrow();
  private static final Kind KEEP_FAILED_FOR = Steps.KINDS.stream()
      .filter(k -> k.name().equals("keepFailedFor")).findFirst().orElseThrow();
  private static final Kind PROMOTION = Steps.KINDS.stream()
      .filter(k -> k.name().equals("promotion")).findFirst().orElseThrow();

  private static final Kind LATE_REFRESHES = Steps.KINDS.stream()
      .filter(k -> k.name().equals("lateRefreshes")).findFirst().orElseThrow();
  private static final Kind HOOKS = Steps.KINDS.stream()
      .filter(k -> k.name().equals("hooks")).findFirst().orElseThrow();
  private static final Kind ABORT = Steps.KINDS.stream()
      .filter(k -> k.name().equals("abort")).findFirst().orElseThrow();
  private static final Kind RETRY = Steps.KINDS.stream()
      .filter(k -> k.name().equals("retry")).findFirst().orElseThrow();

  private SeededHistories() {}

  /**
   * The Release history {@code seed} is about: a system for odd seeds, a single role for even
   * ones; {@code -Dcutover.sim.world=single|system} runs every history against that one.
   */
  static World worldOf(long seed) {
    String only = System.getProperty("cutover.sim.world", "").trim();
    if (only.equalsIgnoreCase("single")) {
      return World.SINGLE;
    }
    if (only.equalsIgnoreCase("system")) {
      return World.SYSTEM;
    }
    return Math.floorMod(seed, 2) == 1 ? World.SYSTEM : World.SINGLE;
  }

  /** The steps of history {@code seed}. */
  static List<Step> generate(long seed) {
    return generate(worldOf(seed), seed, MAX_STEPS);
  }

  static List<Step> generate(World world, long seed, int maxSteps) {
    Random random = new Random(seed);
    int length = 20 + random.nextInt(Math.max(1, maxSteps - 19));
    int total = Steps.totalWeight(world);
    List<Step> steps = new ArrayList<>();
    if (random.nextInt(4) != 0) {
      // Most histories start from production: 1.0.0 live. The others cover the first rollout.
      steps.add(LIVE.make(0, 0));
    }
    if (world == World.SYSTEM && random.nextBoolean()) {
      // Half the systems name a preview address from the start.
      steps.add(0, PREVIEW.make(0, 0));
    }
    if (Math.floorMod(seed / 2, 3) == 0) {
      // A third of each world's histories drain before terminating from the start, one in
      // four of those with a timeout of 0s (the drain call, then termination on the next pass).
      steps.add(0, DRAIN.make(Math.floorMod(seed / 6, 4) == 3 ? 1 : 0, 0));
    }
    if (Math.floorMod(seed / 5, 4) == 0) {
      // A quarter launch from an ordered list of instance types from the start: the capacity
      // steps then run the preferred type out and launches fall back to the next.
      steps.add(0, TYPES.make(0, 0));
    }
    if (Math.floorMod(seed / 2, 4) == 1) {
      // A quarter of each world's histories have every lifecycle webhook from the start, the
      // receiver's mood drawn from the seed (not from the Random: the steps stay as they were).
      steps.add(0, HOOKS.make((int) Math.floorMod(seed / 8, 3), 0));
    }
    while (steps.size() < length) {
      Kind kind = Steps.byWeight(world, random.nextInt(total));
      steps.add(kind.make(random.nextInt(kind.as()), random.nextInt(kind.bs())));
    }
    // Added after the drawn steps, from the seed alone: the Random and the steps drawn are
    // those of every history before these options existed.
    if (Math.floorMod(seed / 8, 4) == 2) {
      // A quarter of the histories give Manual promotion an approval timeout (one a short
      // history outlives, one it may not), half of those promoting by hand from the start.
      if (Math.floorMod(seed / 32, 2) == 0) {
        steps.add(0, PROMOTION.make(0, 0));
      }
      steps.add(0, APPROVAL_TIMEOUT.make(Math.floorMod(seed / 64, 2), 0));
    }
    if (Math.floorMod(seed / 5, 3) == 1) {
      // A third keep a fleet that failed verification for debugging, for 45s or 8m.
      steps.add(0, KEEP_FAILED_FOR.make(Math.floorMod(seed / 15, 2), 0));
    }
    if (Math.floorMod(seed / 7, 4) == 1) {
      // A quarter run with refreshes of EC2 that land only when time passes: a pass that
      // needs one (after a crash, the first poll; an address just named) decides nothing.
      steps.add(0, LATE_REFRESHES.make(0, 0));
    }
    if (Math.floorMod(seed / 7, 4) == 3) {
      // A quarter abort once: 2 to 7 steps after a spec.version step (a person gives up the
      // version being staged), or anywhere after the first step when there is none; half of
      // those retry 1 to 6 steps later, a third of those leaving the abort annotation in place.
      List<Integer> versions = new ArrayList<>();
      for (int i = 0; i < steps.size(); i++) {
        if (steps.get(i).kind() != null && steps.get(i).kind().name().equals("version")) {
          versions.add(i);
        }
      }
      int at = versions.isEmpty() ? 1 + (int) Math.floorMod(seed / 28, (long) steps.size() - 1)
          : Math.min(steps.size(), versions.get((int) Math.floorMod(seed / 28, versions.size()))
              + 2 + (int) Math.floorMod(seed / 56, 6));
      steps.add(at, ABORT.make(0, 0));
      if (Math.floorMod(seed / 112, 2) == 0) {
        int later = Math.min(steps.size(), at + 1 + (int) Math.floorMod(seed / 224, 6));
        steps.add(later, RETRY.make(Math.floorMod(seed / 1344, 3) == 2 ? 1 : 0, 0));
      }
    }
    return steps;
  }

  /** Runs history {@code seed}'s Release through these steps and the final settle. */
  static Optional<SafetyViolation> run(long seed, List<Step> steps) {
    return run(worldOf(seed), steps);
  }

  /** Runs a history and its final settle; the violation it ends with, if any. */
  static Optional<SafetyViolation> run(World world, List<Step> steps) {
    Simulation sim = Simulation.create(world);
    try {
      for (Step step : steps) {
        if (sim.gone()) {
          break;
        }
        step.apply().accept(sim);
      }
      if (!sim.gone()) {
        sim.finish();
      }
      return Optional.empty();
    } catch (SafetyViolation v) {
      return Optional.of(v);
    }
  }

  /** A violation's kind: its letter and its message without ids, times and numbers. */
  static String kindOf(SafetyViolation v) {
    String detail = v.detail().replaceAll("i-\\d{6}( \\([^)]*\\))?", "i-X")
        .replaceAll("\\[[^\\]]*\\]", "[..]").replaceAll("t=[+-][0-9hms.]+", "t")
        .replaceAll("[0-9]+", "N");
    return v.invariant() + ": " + (detail.length() > 110 ? detail.substring(0, 110) : detail);
  }

  /** The shortest, simplest history found that still fails as {@code kind} does. */
  static List<Step> minimise(World world, List<Step> steps, String kind) {
    List<Step> current = removeSteps(world, steps, kind);
    List<Step> simpler = simplifySteps(world, current, kind);
    return simpler.equals(current) ? current : removeSteps(world, simpler, kind);
  }

  private static boolean failsAs(World world, List<Step> steps, String kind) {
    Optional<SafetyViolation> v = run(world, steps);
    return v.isPresent() && kindOf(v.get()).equals(kind);
  }

  /** Delta debugging: drop chunks of steps, halving the chunk when none can go. */
  private static List<Step> removeSteps(World world, List<Step> steps, String kind) {
    List<Step> current = steps;
    int chunk = Math.max(1, current.size() / 2);
    while (chunk >= 1) {
      boolean removed = false;
      for (int start = 0; start < current.size(); ) {
        List<Step> candidate = new ArrayList<>(current.subList(0, start));
        candidate.addAll(current.subList(Math.min(current.size(), start + chunk),
            current.size()));
        if (failsAs(world, candidate, kind)) {
          current = candidate;
          removed = true;
        } else {
          start += chunk;
        }
      }
      if (!removed) {
        chunk /= 2;
      }
    }
    return current;
  }

  /** Each step's numbers towards 0 (the simplest variant of its kind), one at a time. */
  private static List<Step> simplifySteps(World world, List<Step> steps, String kind) {
    List<Step> current = new ArrayList<>(steps);
    for (int i = 0; i < current.size(); i++) {
      Step step = current.get(i);
      if (step.kind() == null) {
        continue;
      }
      for (int[] ab : new int[][] {{0, 0}, {0, step.b()}, {step.a(), 0}}) {
        if (ab[0] == step.a() && ab[1] == step.b()) {
          continue;
        }
        List<Step> candidate = new ArrayList<>(current);
        candidate.set(i, step.kind().make(ab[0], ab[1]));
        if (failsAs(world, candidate, kind)) {
          current = candidate;
          break;
        }
      }
    }
    return current;
  }

  public static void main(String[] args) {
    int histories = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    long first = args.length > 1 ? Long.parseLong(args[1]) : 1;
    Map<String, List<Step>> shortest = new LinkedHashMap<>();
    Map<String, Integer> counts = new LinkedHashMap<>();
    Map<String, Long> firstSeed = new LinkedHashMap<>();
    Map<String, World> worlds = new LinkedHashMap<>();
    int failed = 0;
    long started = System.nanoTime();
    for (long seed = first; seed < first + histories; seed++) {
      World world = worldOf(seed);
      List<Step> steps = generate(seed);
      Optional<SafetyViolation> v = run(world, steps);
      if (v.isEmpty()) {
        continue;
      }
      failed++;
      String kind = world + " " + kindOf(v.get());
      worlds.putIfAbsent(kind, world);
      counts.merge(kind, 1, Integer::sum);
      firstSeed.putIfAbsent(kind, seed);
      if (!shortest.containsKey(kind) || steps.size() < 2 * shortest.get(kind).size()) {
        List<Step> small = minimise(world, steps, kind.substring(world.name().length() + 1));
        if (!shortest.containsKey(kind) || small.size() < shortest.get(kind).size()) {
          shortest.put(kind, small);
        }
      }
    }
    long ms = (System.nanoTime() - started) / 1_000_000;
    System.out.println(histories + " histories in " + ms + " ms (with minimising), " + failed
        + " failed");
    counts.forEach((kind, n) -> {
      System.out.println();
      String defect = run(worlds.get(kind), shortest.get(kind)).flatMap(KnownDefect::of)
          .map(d -> " [known defect " + d + "]").orElse("");
      System.out.println("==== " + kind + defect + " -- " + n + " histories, first seed "
          + firstSeed.get(kind) + ", shortest " + shortest.get(kind).size() + " steps: "
          + shortest.get(kind));
      System.out.println(run(worlds.get(kind), shortest.get(kind)).map(Throwable::getMessage)
          .orElse("(passes when run alone)"));
    });
  }
}
