package dev.cutover.observe;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** successCondition: a comparison of the measured value with a number, e.g. "< 0.05". */
public final class MetricConditions {

  private static final Pattern CONDITION = Pattern.compile(
      "^\\s*(<=|>=|==|!=|<|>)\\s*(-?[0-9]+(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)\\s*$");

  private MetricConditions() {}

  /** Whether {@code value} satisfies the condition; false for one that does not parse. */
  public static boolean holds(String condition, double value) {
    Matcher m = condition == null ? null : CONDITION.matcher(condition);
    if (m == null || !m.matches()) {
      return false;
    }
    double bound = Double.parseDouble(m.group(2));
    return switch (m.group(1)) {
      case "<" -> value < bound;
      case "<=" -> value <= bound;
      case ">" -> value > bound;
      case ">=" -> value >= bound;
      case "==" -> value == bound;
      default -> value != bound;
    };
  }
}
