package dev.cutover.act;

import dev.cutover.api.Release;
import dev.cutover.decide.Action.CallHook;
import dev.cutover.decide.Action.CallHook.Call;
import dev.cutover.ec2.ElasticIp;
import dev.cutover.ec2.ManagedInstance;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes one call of a lifecycle webhook: a JSON POST with the Release, the fleet and its
 * instances, and the event's Idempotency-Key. It never throws: what the call got is returned
 * and reaches status; retries are the policy's, one call per pass.
 */
public class WebhookCaller {

  public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  private final Clock clock;

  public WebhookCaller() {
    this(Clock.systemUTC());
  }

  public WebhookCaller(Clock clock) {
    this.clock = clock;
  }

  public Call call(CallHook hook, Release release) {
    Duration timeout = hook.hook().timeoutLength();
    URI uri;
    try {
      uri = URI.create(hook.hook().url);
    } catch (IllegalArgumentException e) {
      return new Call(hook.idempotencyKey(), null, "not a URI: " + e.getMessage(), false);
    }
    HttpClient client = HttpClient.newBuilder().connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER).build();
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout)
        .header("Content-Type", "application/json")
        .header(IDEMPOTENCY_KEY, hook.idempotencyKey())
        .POST(HttpRequest.BodyPublishers.ofString(Serialization.asJson(body(hook, release))))
        .build();
    try {
      int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      if (status >= 200 && status < 300) {
        return new Call(hook.idempotencyKey(), status, null, true);
      }
      boolean retryable = status >= 500 || status == 408 || status == 429;
      return new Call(hook.idempotencyKey(), status, "status " + status, retryable);
    } catch (HttpTimeoutException e) {
      return new Call(hook.idempotencyKey(), null,
          "no answer within " + dev.cutover.api.Durations.format(timeout), true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Call(hook.idempotencyKey(), null, "interrupted", true);
    } catch (java.io.IOException | RuntimeException e) {
      String message = e.getMessage();
      return new Call(hook.idempotencyKey(), null, e.getClass().getSimpleName()
          + (message == null ? "" : ": " + message), true);
    }
  }

  /** The JSON body: the event, the Release, the versions, the fleet and the addresses. */
  Map<String, Object> body(CallHook hook, Release release) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("event", hook.event().name());
    Map<String, Object> ref = new LinkedHashMap<>();
    ref.put("namespace", release.getMetadata().getNamespace());
    ref.put("name", release.getMetadata().getName());
    ref.put("uid", release.getMetadata().getUid());
    ref.put("generation", release.getMetadata().getGeneration());
    body.put("release", ref);
    body.put("version", hook.version());
    body.put("fromVersion", hook.fromVersion());
    Map<String, Object> fleet = new LinkedHashMap<>();
    fleet.put("id", hook.fleetId());
    fleet.put("version", hook.instances().isEmpty() ? null
        : hook.instances().get(0).version());
    List<Map<String, Object>> instances = new ArrayList<>();
    for (ManagedInstance i : hook.instances()) {
      Map<String, Object> instance = new LinkedHashMap<>();
      instance.put("id", i.id());
      instance.put("role", i.role().isEmpty() ? null : i.role());
      instance.put("slot", i.slot());
      instance.put("privateIp", i.privateIp());
      instances.add(instance);
    }
    fleet.put("instances", instances);
    body.put("fleet", fleet);
    List<Map<String, Object>> addresses = new ArrayList<>();
    for (ElasticIp a : hook.addresses()) {
      Map<String, Object> address = new LinkedHashMap<>();
      address.put("allocationId", a.allocationId());
      address.put("publicIp", a.publicIp());
      addresses.add(address);
    }
    body.put("addresses", addresses);
    body.put("attempt", hook.attempt());
    body.put("at", clock.instant().toString());
    return body;
  }
}
