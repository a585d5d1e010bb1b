package dev.cutover.plugin.dashboard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * Who may use the page. It acts with the user's own Kubernetes credentials, so any web page the
 * user's browser opens must not be able to read it or make it act:
 *
 * <ul>
 *   <li>a random token, new on every run, is required in the URL of everything that carries
 *       cluster data (the page, its event stream) and in a header of every action; another site
 *       cannot read it, and a header cannot be sent across origins without a CORS preflight,
 *       which is never granted;
 *   <li>the Host header must name this server (127.0.0.1 or localhost with its port): a DNS
 *       rebinding site that resolves its own name to 127.0.0.1 sends its own name;
 *   <li>an action must carry the Origin of this server: browsers send it on every POST.
 * </ul>
 */
final class RequestGuard {

  /** The header that carries the token on actions. */
  static final String TOKEN_HEADER = "X-Cutover-Token";

  /** A refusal: the HTTP status and a sentence for the person who sees it. */
  record Refusal(int status, String message) {}

  private final byte[] token;
  private final int port;

  RequestGuard(String token, int port) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.port = port;
  }

  /** 32 random bytes, URL-safe: the per-run secret. */
  static String newToken() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Any request: the Host header names this server. */
  Optional<Refusal> checkHost(String host) {
    if (host == null || !isThisServer(host.trim().toLowerCase(Locale.ROOT))) {
      return Optional.of(new Refusal(403, "this server answers only to http://127.0.0.1:"
          + port + " and http://localhost:" + port + " (Host header was "
          + (host == null ? "missing" : "'" + host + "'") + ")"));
    }
    return Optional.empty();
  }

  /** A request for data: its {@code token} query parameter is this run's token. */
  Optional<Refusal> checkQueryToken(String query) {
    return tokenMatches(queryParameter(query, "token")) ? Optional.empty()
        : Optional.of(missingToken());
  }

  /** An action: the token header, and the Origin of this server. */
  Optional<Refusal> checkAction(String tokenHeader, String origin) {
    if (!tokenMatches(tokenHeader)) {
      return Optional.of(missingToken());
    }
    if (origin == null || !isThisOrigin(origin.trim().toLowerCase(Locale.ROOT))) {
      return Optional.of(new Refusal(403, "actions are accepted only from this page (Origin was "
          + (origin == null ? "missing" : "'" + origin + "'") + ")"));
    }
    return Optional.empty();
  }

  private static Refusal missingToken() {
    return new Refusal(403, "missing or wrong token: open the URL that `kubectl cutover "
        + "dashboard` printed when it started (it holds a new token on every run)");
  }

  private boolean isThisServer(String host) {
    return host.equals("127.0.0.1:" + port) || host.equals("localhost:" + port)
        || (port == 80 && (host.equals("127.0.0.1") || host.equals("localhost")));
  }

  private boolean isThisOrigin(String origin) {
    return origin.startsWith("http://") && isThisServer(origin.substring("http://".length()));
  }

  private boolean tokenMatches(String candidate) {
    // Compared in constant time: the time taken does not tell how much of a guess was right.
    return candidate != null
        && MessageDigest.isEqual(token, candidate.getBytes(StandardCharsets.UTF_8));
  }

  /** The value of {@code name} in a raw (still encoded) query string, or null. */
  static String queryParameter(String query, String name) {
    if (query == null) {
      return null;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (key.equals(name)) {
        return eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1),
            StandardCharsets.UTF_8);
      }
    }
    return null;
  }
}
