package dev.cutover.observe;

import dev.cutover.api.Release;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.util.Set;

/**
 * Wakes a Release whose reconcile got no world from its EC2 inventory (it waited for a refresh)
 * when that inventory's next refresh lands, so it is reconciled at once instead of at a timer.
 * A JOSDK event source; it holds nothing.
 */
public final class RefreshEvents extends AbstractEventSource<RefreshEvents.Landed, Release> {

  /** The resource type JOSDK keys this source by; none is ever held. */
  public record Landed() {}

  public RefreshEvents() {
    super(Landed.class, "ec2-refreshes");
  }

  /** A refresh a Release waited for landed (key: namespace/name). */
  public void landedFor(String releaseKey) {
    if (isRunning()) {
      getEventHandler().handleEvent(new Event(Ec2Inventory.resourceId(releaseKey)));
    }
  }

  @Override
  public Set<Landed> getSecondaryResources(Release primary) {
    return Set.of();
  }
}
