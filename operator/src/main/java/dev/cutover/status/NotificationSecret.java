package dev.cutover.status;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The administrator's Secret of notification URLs. Its keys {@value #WEBHOOK_URLS} and
 * {@value #SLACK_URLS} hold one URL a line. It is read with a plain GET (RBAC may grant
 * {@code get} on this one Secret only) at most once per {@link #CACHE}, so a rotated Secret is
 * used without a restart. A missing Secret or key means no notifications, said once in the log.
 */
public final class NotificationSecret implements Supplier<NotificationUrls> {

  private static final Logger log = LoggerFactory.getLogger(NotificationSecret.class);

  public static final String WEBHOOK_URLS = "webhook-urls";
  public static final String SLACK_URLS = "slack-urls";
  /** How long URLs read from the Secret are used before it is read again. */
  public static final Duration CACHE = Duration.ofSeconds(30);

  private final String secretName;
  private final Supplier<Secret> read;
  private final Clock clock;
  private final Duration cacheFor;

  private NotificationUrls urls = NotificationUrls.NONE;
  private Instant readAt;
  /** The last thing the log said about the Secret: each state is logged once, not per read. */
  private String lastSaid;

  public NotificationSecret(KubernetesClient client, String namespace, String name,
      Clock clock) {
    this(namespace + "/" + name,
        () -> client.secrets().inNamespace(namespace).withName(name).get(), clock, CACHE);
  }

  /**
   * @param read the Secret, or null when there is none; may throw
   *     {@link KubernetesClientException}
   */
  NotificationSecret(String secretName, Supplier<Secret> read, Clock clock, Duration cacheFor) {
    this.secretName = secretName;
    this.read = read;
    this.clock = clock;
    this.cacheFor = cacheFor;
  }

  @Override
  public synchronized NotificationUrls get() {
    Instant now = clock.instant();
    if (readAt != null && now.isBefore(readAt.plus(cacheFor))) {
      return urls;
    }
    readAt = now;
    try {
      Secret secret = read.get();
      if (secret == null) {
        urls = NotificationUrls.NONE;
        say(true, "Secret " + secretName + " not found: no notifications are sent until it "
            + "exists");
      } else {
        List<String> problems = new ArrayList<>();
        urls = parse(secret.getData() == null ? Map.of() : secret.getData(), problems);
        say(!problems.isEmpty(), "Secret " + secretName + ": notifying " + urls.webhooks().size()
            + " webhook and " + urls.slack().size() + " Slack URL(s)"
            + (problems.isEmpty() ? "" : "; ignored " + String.join(", ", problems)));
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() == 403) {
        urls = NotificationUrls.NONE;
        say(true, "Secret " + secretName + " may not be read (403): no notifications are "
            + "sent; grant get on this Secret to the operator's ServiceAccount");
      } else {
        // The API server may be away for a moment: the URLs read before are still right.
        say(true, "Secret " + secretName + " could not be read (" + e.getCode()
            + "): notifying the URLs read before");
      }
    }
    return urls;
  }

  /** The URLs of the Secret's data (base64, as the API returns it); bad lines are named. */
  static NotificationUrls parse(Map<String, String> data, List<String> problems) {
    return new NotificationUrls(urls(data, WEBHOOK_URLS, problems),
        urls(data, SLACK_URLS, problems));
  }

  private static List<URI> urls(Map<String, String> data, String key, List<String> problems) {
    String encoded = data.get(key);
    if (encoded == null) {
      return List.of();
    }
    String text;
    try {
      text = new String(Base64.getMimeDecoder().decode(encoded), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      problems.add(key + " (not base64)");
      return List.of();
    }
    List<URI> found = new ArrayList<>();
    String[] lines = text.split("\r?\n");
    for (int n = 0; n < lines.length; n++) {
      String line = lines[n].trim();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      URI uri = httpUri(line);
      if (uri == null) {
        // Only the line number: the line may be a secret URL with a typo.
        problems.add(key + " line " + (n + 1) + " (not an http or https URL)");
      } else {
        found.add(uri);
      }
    }
    return found;
  }

  private static URI httpUri(String text) {
    try {
      URI uri = new URI(text);
      boolean http = "http".equalsIgnoreCase(uri.getScheme())
          || "https".equalsIgnoreCase(uri.getScheme());
      return http && uri.getHost() != null ? uri : null;
    } catch (java.net.URISyntaxException e) {
      return null;
    }
  }

  private void say(boolean warning, String message) {
    if (message.equals(lastSaid)) {
      return;
    }
    lastSaid = message;
    if (warning) {
      log.warn(message);
    } else {
      log.info(message);
    }
  }
}
