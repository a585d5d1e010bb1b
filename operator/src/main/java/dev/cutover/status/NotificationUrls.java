package dev.cutover.status;

import java.net.URI;
import java.util.List;

/**
 * Where notifications go: receivers of the JSON message and Slack incoming webhooks.
 *
 * @param webhooks receive the JSON message
 * @param slack receive {@code {"text": "..."}}
 */
public record NotificationUrls(List<URI> webhooks, List<URI> slack) {

  public static final NotificationUrls NONE = new NotificationUrls(List.of(), List.of());

  public NotificationUrls {
    webhooks = List.copyOf(webhooks);
    slack = List.copyOf(slack);
  }

  public boolean isEmpty() {
    return webhooks.isEmpty() && slack.isEmpty();
  }

  /** The host and port of a URL: what logs may show (the rest of the URL is a secret). */
  public static String host(URI uri) {
    return uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
  }
}
