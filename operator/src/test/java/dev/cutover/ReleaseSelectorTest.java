package dev.cutover;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The label selector a shard's informer is given, matched as the API server matches it. */
class ReleaseSelectorTest {

  @ParameterizedTest(name = "{0} on {1}: {2}")
  @CsvSource(delimiter = '|', value = {
      "cutover.dev/shard=a|cutover.dev/shard=a|true",
      "cutover.dev/shard=a|cutover.dev/shard=b|false",
      "cutover.dev/shard=a||false",
      "cutover.dev/shard==a|cutover.dev/shard=a|true",
      "cutover.dev/shard!=a|cutover.dev/shard=b|true",
      "cutover.dev/shard!=a||true",
      "cutover.dev/shard!=a|cutover.dev/shard=a|false",
      "cutover.dev/shard in (a, b)|cutover.dev/shard=b|true",
      "cutover.dev/shard in (a,b)|cutover.dev/shard=c|false",
      "cutover.dev/shard in (a,b)||false",
      "cutover.dev/shard notin (a,b)|cutover.dev/shard=c|true",
      "cutover.dev/shard notin (a,b)||true",
      "cutover.dev/shard notin (a,b)|cutover.dev/shard=a|false",
      "cutover.dev/shard|cutover.dev/shard=|true",
      "cutover.dev/shard||false",
      "!cutover.dev/shard||true",
      "!cutover.dev/shard|cutover.dev/shard=a|false",
      "cutover.dev/shard=|cutover.dev/shard=|true",
      "cutover.dev/shard=a,team=web|cutover.dev/shard=a;team=web|true",
      "cutover.dev/shard=a , team=web|cutover.dev/shard=a|false",
      " tier in (web,api) , !canary |tier=api|true"})
  void matchesLikeTheApiServer(String selector, String labels, boolean selected) {
    assertThat(ReleaseSelector.parse(selector).matches(labels(labels))).isEqualTo(selected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "cutover.dev/shard=a|cutover.dev/shard=a",
      "cutover.dev/shard == a|cutover.dev/shard=a",
      " tier in ( web , api ),!canary|tier in (api,web),!canary",
      "tier notin (b,a)|tier notin (a,b)"})
  void isGivenToTheInformerInTheApiServersForm(String written, String sent) {
    assertThat(ReleaseSelector.parse(written)).hasToString(sent);
    assertThat(ReleaseSelector.parse(sent)).isEqualTo(ReleaseSelector.parse(written));
  }

  private static Map<String, String> labels(String text) {
    Map<String, String> labels = new java.util.HashMap<>();
    if (text != null) {
      for (String pair : text.split(";")) {
        String[] kv = pair.split("=", -1);
        labels.put(kv[0], kv[1]);
      }
    }
    return labels;
  }
}
