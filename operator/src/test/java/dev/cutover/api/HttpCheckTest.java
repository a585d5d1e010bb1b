package dev.cutover.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The limits of an HTTP check that the CRD enforces, checked again in code: every path the
 * pattern accepts makes a request the HTTP client sends, and a zero or unreadable timeout or
 * interval is reported instead of thrown.
 */
class HttpCheckTest {

  private static final String UNRESERVED_AND_DELIMS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@";

  @Test
  void theDefaultsAndCommonPathsAreRunnable() {
    assertThat(new HttpCheck().problem()).isEmpty();
    for (String path : new String[] {"/", "/healthz", "/status?full=1", "/a%20b", "//x",
        "/api/v1/health?probe=ready&verbose", "/?", "/a?b=c?d/e"}) {
      assertThat(check(path, "2s", "5s").problem()).as(path).isEmpty();
      assertThat(request(path)).as(path).isNotNull();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"healthz", "", "/health check", "/healthz#top", "/a%zz", "/a%2",
      "/items[0]", "/a\"b", "/a<b>", "/a\\b", "/a^b", "/a`b", "/a{b}", "/a|b", "/\t",
      "/caf\u00e9", "/a\nb", " /healthz"})
  void pathsTheHttpClientCannotSendOrThatAreNotPathsAreRefused(String path) {
    assertThat(check(path, "2s", "5s").problem()).get().asString()
        .startsWith("path must start with / and be a URI path such as /healthz");
  }

  /** Seeded random paths of every allowed kind: each one becomes a request as written. */
  @Test
  void everyAcceptedPathMakesARequestWithThatPathAndQuery() {
    Random random = new Random(20261127);
    for (int n = 0; n < 5000; n++) {
      StringBuilder path = new StringBuilder("/");
      appendPart(random, path, UNRESERVED_AND_DELIMS + "/");
      if (random.nextBoolean()) {
        path.append('?');
        appendPart(random, path, UNRESERVED_AND_DELIMS + "/?");
      }
      String p = path.toString();
      assertThat(check(p, "2s", "5s").problem()).as(p).isEmpty();
      URI uri = request(p).uri();
      assertThat(uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()))
          .as(p).isEqualTo(p);
    }
  }

  /** Seeded random strings of any characters: whatever the pattern lets through is sendable. */
  @Test
  void noStringThePatternAcceptsMakesTheHttpClientThrow() {
    Random random = new Random(42);
    int accepted = 0;
    for (int n = 0; n < 20000; n++) {
      String p = "/" + IntStream.range(0, random.nextInt(6)).mapToObj(i -> Character.toString(
          random.nextInt(4) == 0 ? random.nextInt(0x3000) : 32 + random.nextInt(95)))
          .reduce("", String::concat);
      if (check(p, "2s", "5s").problem().isEmpty()) {
        accepted++;
        assertThatCode(() -> request(p)).as(p).doesNotThrowAnyException();
      }
    }
    assertThat(accepted).as("enough accepted samples").isGreaterThan(1000);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0s", "0ms", "0h0m0s"})
  void aZeroTimeoutOrIntervalIsReported(String zero) {
    assertThat(check("/", zero, "5s").problem()).contains(
        "timeout must be more than 0s (got \"" + zero + "\")");
    assertThat(check("/", "2s", zero).problem()).contains(
        "interval must be more than 0s (got \"" + zero + "\")");
  }

  @ParameterizedTest
  @ValueSource(strings = {"2 s", "soon", "-1s", "9223372036854775807h",
      "99999999999999999999s"})
  void anUnreadableTimeoutOrIntervalIsReportedNotThrown(String bad) {
    assertThat(check("/", bad, "5s").problem()).contains(
        "timeout must be a duration such as 2s (got \"" + bad + "\")");
    assertThat(check("/", "2s", bad).problem()).contains(
        "interval must be a duration such as 2s (got \"" + bad + "\")");
  }

  @Test
  void theSmallestDurationsAreRunnable() {
    assertThat(check("/", "1ms", "1ms").problem()).isEmpty();
  }

  private static void appendPart(Random random, StringBuilder out, String alphabet) {
    for (int i = random.nextInt(12); i > 0; i--) {
      if (random.nextInt(8) == 0) {
        out.append('%').append("0123456789ABCDEFabcdef".charAt(random.nextInt(22)))
            .append("0123456789ABCDEFabcdef".charAt(random.nextInt(22)));
      } else {
        out.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
    }
  }

  private static HttpRequest request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.16.0.5:8080" + path)).GET().build();
  }

  private static HttpCheck check(String path, String timeout, String interval) {
    HttpCheck check = new HttpCheck();
    check.path = path;
    check.timeout = timeout;
    check.interval = interval;
    return check;
  }
}
