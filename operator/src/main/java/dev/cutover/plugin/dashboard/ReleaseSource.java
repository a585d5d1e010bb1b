package dev.cutover.plugin.dashboard;

import java.util.function.Consumer;

/** What the page shows, as JSON messages: the whole state first, then each change. */
interface ReleaseSource {

  /**
   * One message of the event stream: {@code snapshot} (everything), {@code release},
   * {@code release-deleted}, {@code event} or {@code event-deleted}, with its JSON.
   */
  record Message(String event, String json) {}

  /** The whole state now, as the {@code snapshot} message's JSON. */
  String snapshot();

  /**
   * Gives {@code listener} the snapshot, then every change after it, in order and without a gap,
   * until the returned handle is closed. The listener must not block: it is called on the
   * threads that watch the cluster.
   */
  AutoCloseable subscribe(Consumer<Message> listener);
}
