package dev.cutover.status;

import dev.cutover.api.Release;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Events that people want to hear about, also POSTed to the administrator's URLs: every Event
 * goes to the delegate; those with a reason of {@link #REASONS} are also sent, as a JSON message
 * to the webhook URLs and as {@code {"text": "..."}} to the Slack URLs.
 *
 * <p>Sending happens on a thread of its own with a bounded queue, so a slow or failing receiver
 * never delays or fails a reconcile: when the queue is full a notification is dropped with a
 * warning. One thread keeps the notifications in the order of their Events (a Reverted never
 * arrives before its Promoted); they are few, so it keeps up. Each request has a timeout; a 5xx answer or a failed connection is tried once
 * more. Logs name a receiver by its host only, as the rest of its URL is a secret.
 */
public final class Notifier implements ReleaseEvents, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Notifier.class);

  /**
   * The reasons notified: the switches Narrator tells with their {@code SwitchReason}, the
   * phases it tells on a transition, and a termination.
   */
  public static final Set<String> REASONS = Set.of("Promoted", "AwaitingPromotion", "Reverted",
      "Failed", "Aborted", "Retried", "SwitchedBack", "Terminated");

  static final int THREADS = 1;
  static final int QUEUE = 100;
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  static final Duration RETRY_AFTER = Duration.ofSeconds(1);

  /** One notification, taken from the Release when the Event happens. */
  record Notification(String event, String type, String namespace, String name, String uid,
      String version, String message, Instant at) {}

  private final ReleaseEvents delegate;
  private final Supplier<NotificationUrls> urls;
  private final Clock clock;
  private final Duration timeout;
  private final Duration retryAfter;
  private final HttpClient http;
  private final ThreadPoolExecutor sender;
  /** Notifications whose sending has ended (sent, failed or not sent for want of URLs). */
  private final AtomicLong handled = new AtomicLong();

  public Notifier(ReleaseEvents delegate, Supplier<NotificationUrls> urls, Clock clock) {
    this(delegate, urls, clock, THREADS, QUEUE, TIMEOUT, RETRY_AFTER);
  }

  Notifier(ReleaseEvents delegate, Supplier<NotificationUrls> urls, Clock clock, int threads,
      int queue, Duration timeout, Duration retryAfter) {
    this.delegate = delegate;
    this.urls = urls;
    this.clock = clock;
    this.timeout = timeout;
    this.retryAfter = retryAfter;
    this.http = HttpClient.newBuilder().connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER).build();
    AtomicInteger count = new AtomicInteger();
    this.sender = new ThreadPoolExecutor(threads, threads, 1, TimeUnit.MINUTES,
        new ArrayBlockingQueue<>(queue), task -> {
          Thread thread = new Thread(task, "cutover-notify-" + count.incrementAndGet());
          // Notifications are a courtesy: they never keep a stopping process alive.
          thread.setDaemon(true);
          return thread;
        });
    // Idle threads end, so an operator that notifies rarely holds none.
    sender.allowCoreThreadTimeOut(true);
  }

  @Override
  public void normal(Release release, String reason, String message) {
    delegate.normal(release, reason, message);
    enqueue(release, "Normal", reason, message);
  }

  @Override
  public void warning(Release release, String reason, String message) {
    delegate.warning(release, reason, message);
    enqueue(release, "Warning", reason, message);
  }

  /** Stops sending; notifications still queued are dropped. */
  @Override
  public void close() {
    sender.shutdownNow();
  }

  /** How many notifications have been handled (for tests: when sending has ended). */
  long handled() {
    return handled.get();
  }

  private void enqueue(Release release, String type, String reason, String message) {
    if (!REASONS.contains(reason)) {
      return;
    }
    // Read now, on the caller's thread: the reconcile goes on changing the Release.
    var meta = release.getMetadata();
    Notification n = new Notification(reason, type, meta.getNamespace(), meta.getName(),
        meta.getUid(), release.getSpec() == null ? null : release.getSpec().version, message,
        clock.instant());
    try {
      sender.execute(() -> {
        try {
          send(n);
        } finally {
          handled.incrementAndGet();
        }
      });
    } catch (RejectedExecutionException e) {
      log.warn("notification {} of {}/{} dropped: {} notifications are waiting to be sent",
          reason, n.namespace(), n.name(), sender.getQueue().size());
    }
  }

  private void send(Notification n) {
    NotificationUrls to;
    try {
      to = urls.get();
    } catch (RuntimeException e) {
      log.warn("notification {} of {}/{} not sent: the URLs could not be read: {}", n.event(),
          n.namespace(), n.name(), e.toString());
      return;
    }
    String json = Serialization.asJson(json(n));
    for (URI uri : to.webhooks()) {
      post(uri, json, n);
    }
    String slack = Serialization.asJson(Map.of("text", slackText(n)));
    for (URI uri : to.slack()) {
      post(uri, slack, n);
    }
  }

  /** The JSON message: what happened, to which Release, at which version, when. */
  static Map<String, Object> json(Notification n) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("event", n.event());
    body.put("type", n.type());
    Map<String, Object> release = new LinkedHashMap<>();
    release.put("namespace", n.namespace());
    release.put("name", n.name());
    release.put("uid", n.uid());
    body.put("release", release);
    body.put("version", n.version());
    body.put("message", n.message());
    body.put("at", n.at().toString());
    return body;
  }

  /**
   * One line, e.g. "Cutover shop/web: Promoted — moved 1.2.3.4 from 1.0.0 to 2.0.0 (i-1)".
   * The reason leading the message is not repeated; {@code & < >} are escaped as Slack asks.
   */
  static String slackText(Notification n) {
    String message = n.message();
    if (message.startsWith(n.event() + ": ")) {
      message = message.substring(n.event().length() + 2);
    }
    String text = "Cutover " + n.namespace() + "/" + n.name() + ": " + n.event() + " — "
        + message;
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  /** One POST, and once more after a 5xx answer or a failed connection. */
  private void post(URI uri, String body, Notification n) {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    for (int attempt = 1; ; attempt++) {
      String problem;
      boolean retryable;
      try {
        int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status >= 200 && status < 300) {
          return;
        }
        problem = "status " + status;
        retryable = status >= 500;
      } catch (HttpConnectTimeoutException e) {
        problem = "no connection within " + timeout.toMillis() + " ms";
        retryable = true;
      } catch (HttpTimeoutException e) {
        // The receiver may have acted on it: sending it again could notify twice.
        problem = "no answer within " + timeout.toMillis() + " ms";
        retryable = false;
      } catch (IOException e) {
        // The class only: an exception's message may quote the URL.
        problem = e.getClass().getSimpleName();
        retryable = true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (!retryable || attempt == 2) {
        log.warn("notification {} of {}/{} to {} failed{}: {}", n.event(), n.namespace(),
            n.name(), NotificationUrls.host(uri), attempt == 2 ? " twice" : "", problem);
        return;
      }
      try {
        // A pause of this sending thread only; reconciles never wait for it.
        Thread.sleep(retryAfter.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
