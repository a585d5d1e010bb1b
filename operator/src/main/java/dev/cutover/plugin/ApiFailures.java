package dev.cutover.plugin;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;

/** What an API error means to the person or script that ran the command. */
final class ApiFailures {

  static final int CONFLICT = 409;

  private ApiFailures() {}

  /**
   * The outcome of a refused or failed call: {@link ExitCodes#FORBIDDEN} for RBAC (naming what
   * was forbidden), {@link ExitCodes#NOT_FOUND} for a 404, {@link ExitCodes#API_ERROR} for the
   * rest, including an API server that cannot be reached.
   *
   * @param verb what the command tried, e.g. "patch"
   * @param what the object, e.g. "releases.cutover.dev storefront in namespace shop"
   */
  static Outcome of(KubernetesClientException e, String verb, String what) {
    int code = e.getCode();
    String serverSays = serverMessage(e);
    if (code == 403) {
      return new Outcome(ExitCodes.FORBIDDEN, "forbidden: cannot " + verb + " " + what
          + (serverSays.isEmpty() ? "" : " (" + serverSays + ")"), List.of());
    }
    if (code == 401) {
      return new Outcome(ExitCodes.FORBIDDEN, "unauthorized: the API server did not accept "
          + "the credentials of the kubeconfig to " + verb + " " + what, List.of());
    }
    if (code == 404) {
      return new Outcome(ExitCodes.NOT_FOUND, "not found: " + what
          + (serverSays.isEmpty() ? "" : " (" + serverSays + ")"), List.of());
    }
    if (code <= 0) {
      // No HTTP answer at all: fabric8 reports 0 or -1 with the I/O error as the cause.
      return new Outcome(ExitCodes.API_ERROR, "cannot reach the cluster to " + verb + " "
          + what + ": " + rootCause(e), List.of());
    }
    return new Outcome(ExitCodes.API_ERROR, "the API server answered " + code + " to " + verb
        + " " + what + (serverSays.isEmpty() ? "" : ": " + serverSays), List.of());
  }

  private static String serverMessage(KubernetesClientException e) {
    Status status = e.getStatus();
    if (status != null && status.getMessage() != null) {
      return status.getMessage();
    }
    return "";
  }

  static String rootCause(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = cause.getMessage();
    return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
