package dev.cutover.bench;

/**
 * One line of docs/BENCHMARKS.md: what was measured, how (from which event to which, how many
 * samples, which statistic), the figure, the target, and, when the target was missed, its
 * measured cause.
 *
 * @param id the row's number in the table, e.g. "3a"
 * @param target empty when the row only reports
 * @param met null when the row only reports
 * @param cause for a missed target: what was measured to explain it (empty otherwise)
 */
public record Row(String id, String what, String method, String measured, String target,
    Boolean met, String cause) {

  public static Row report(String id, String what, String method, String measured) {
    return new Row(id, what, method, measured, "", null, "");
  }

  public static Row judged(String id, String what, String method, String measured,
      String target, boolean met) {
    return new Row(id, what, method, measured, target, met, "");
  }

  /** The same row with the measured cause of its miss (ignored when the target was met). */
  public Row because(String measuredCause) {
    return new Row(id, what, method, measured, target, met,
        Boolean.FALSE.equals(met) ? measuredCause : "");
  }

  String verdict() {
    if (met == null) {
      return "(report)";
    }
    return met ? "met" : "**missed**" + (cause.isEmpty() ? "" : ": " + cause);
  }
}
