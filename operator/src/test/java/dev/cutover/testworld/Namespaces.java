package dev.cutover.testworld;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.util.UUID;

/**
 * Namespaces for the tests' Releases. No kube-controller-manager runs beside the API server, so
 * a deleted namespace never finishes terminating: tests take fresh ones and leave them.
 */
public final class Namespaces {

  private Namespaces() {}

  /** Creates the namespace, or leaves it as it is when it exists; returns its name. */
  public static String create(String name) {
    TestWorld.client().namespaces().resource(new NamespaceBuilder().withNewMetadata()
        .withName(name).endMetadata().build()).serverSideApply();
    return name;
  }

  /** A new namespace named {@code prefix-} and 8 random hex digits. */
  public static String fresh(String prefix) {
    return create(prefix + "-" + UUID.randomUUID().toString().substring(0, 8));
  }
}
