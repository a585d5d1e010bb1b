package dev.cutover.observe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** successCondition: the value compared with a number. */
class MetricConditionsTest {

  @ParameterizedTest(name = "{1} {0} -> {2}")
  @CsvSource({
      "'< 0.05', 0.01, true", "'< 0.05', 0.05, false", "'<= 0.05', 0.05, true",
      "'> 99', 99.5, true", "'>= 1e2', 100, true", "'== 0', 0, true", "'!= 0', 0, false",
      "' <  -1 ', -2, true", "'less than 1', 0, false", "'', 0, false"})
  void holds(String condition, double value, boolean expected) {
    assertThat(MetricConditions.holds(condition, value)).isEqualTo(expected);
  }
}
