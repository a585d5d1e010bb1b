package dev.cutover.plugin.dashboard;

import dev.cutover.plugin.Outcome;
import dev.cutover.plugin.ReleaseActions;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * What the page's buttons do to a Release, with the credentials of whoever started the page:
 * the command line's own actions ({@link ReleaseActions}), so the page and
 * {@code kubectl cutover promote} behave the same way.
 */
interface ReleaseCommands {

  /** Approves {@code version} (null: the spec's version) for a Manual promotion. */
  Outcome promote(String namespace, String name, String version);

  /** Gives up the staging version: production untouched. */
  Outcome abort(String namespace, String name);

  /** Switches back to the retained version. */
  Outcome undo(String namespace, String name);

  /** The command line's actions, through {@code client}. */
  static ReleaseCommands of(KubernetesClient client) {
    return new ReleaseCommands() {
      @Override
      public Outcome promote(String namespace, String name, String version) {
        return ReleaseActions.promote(client, namespace, name, version);
      }

      @Override
      public Outcome abort(String namespace, String name) {
        return ReleaseActions.abort(client, namespace, name);
      }

      @Override
      public Outcome undo(String namespace, String name) {
        return ReleaseActions.undo(client, namespace, name);
      }
    };
  }
}
