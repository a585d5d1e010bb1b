package dev.cutover.act;

import dev.cutover.api.DrainCall;
import dev.cutover.decide.Action.Drain.Call;
import dev.cutover.ec2.ManagedInstance;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Sends the drain call of spec.drain.http to instances, all at once, each to its private IP
 * with the request timeout, and reports what each answered. It never throws for an instance
 * that does not answer: a drain is a courtesy, the wait and the termination follow regardless.
 */
public class Drainer {

  /** The calls to these instances; one result per instance, in their order. */
  public List<Call> drain(DrainCall http, List<ManagedInstance> instances) {
    Duration timeout = http.requestTimeoutLength();
    HttpClient client = HttpClient.newBuilder().connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER).build();
    List<CompletableFuture<Call>> calls = new ArrayList<>();
    for (ManagedInstance i : instances) {
      calls.add(call(client, http, i, timeout));
    }
    return calls.stream().map(CompletableFuture::join).toList();
  }

  private static CompletableFuture<Call> call(HttpClient client, DrainCall http,
      ManagedInstance instance, Duration timeout) {
    if (instance.privateIp() == null || instance.privateIp().isBlank()) {
      return CompletableFuture.completedFuture(new Call(instance.id(), "no private IP"));
    }
    URI uri;
    try {
      uri = URI.create("http://" + instance.privateIp() + ":" + http.port + http.path);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(new Call(instance.id(),
          "not a URI: " + e.getMessage()));
    }
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout)
        .method(http.methodOrDefault().name(), HttpRequest.BodyPublishers.noBody()).build();
    int expected = http.expectedStatus();
    return client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .thenApply(r -> new Call(instance.id(), r.statusCode() == expected ? null
            : "status " + r.statusCode() + ", expected " + expected))
        .exceptionally(e -> new Call(instance.id(), why(e, timeout)));
  }

  private static String why(Throwable e, Duration timeout) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof HttpTimeoutException) {
      return "no answer within " + dev.cutover.api.Durations.format(timeout);
    }
    String message = cause.getMessage();
    return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
