package dev.cutover.sim;

import dev.cutover.act.WebhookCaller;
import dev.cutover.api.Release;
import dev.cutover.decide.Action.CallHook;
import dev.cutover.decide.Action.CallHook.Call;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The receiver of lifecycle webhooks in a simulation: each call arrives at the simulated time
 * and is answered as the receiver's mood says (always 2xx; a veto of every preSwitch; or a
 * 503 to the first call of each event). It remembers every call across operator crashes, as a
 * real receiver would; the invariants read them.
 */
final class SimulatedHooks extends WebhookCaller {

  /** How the receiver answers. */
  enum Mood { ALLOWS, VETOES_SWITCH, FAILS_FIRST_CALL }

  /** One call as the receiver got it, with its answer. */
  record Received(String idempotencyKey, String event, String fleetId, Instant at, int status) {}

  private final Clock clock;
  private final List<Received> received = new ArrayList<>();
  private final Map<String, Integer> callsByKey = new HashMap<>();
  private Consumer<CallHook> onCall = h -> { };
  private Mood mood = Mood.ALLOWS;

  SimulatedHooks(Clock clock) {
    super(clock);
    this.clock = clock;
  }

  void mood(Mood mood) {
    this.mood = mood;
  }

  /** Told of each call as it arrives, before it is answered (the invariants' check). */
  void onCall(Consumer<CallHook> check) {
    this.onCall = check;
  }

  @Override
  public Call call(CallHook hook, Release release) {
    onCall.accept(hook);
    int n = callsByKey.merge(hook.idempotencyKey(), 1, Integer::sum);
    int status = switch (mood) {
      case ALLOWS -> 200;
      case VETOES_SWITCH -> hook.event() == dev.cutover.api.Hooks.Event.preSwitch ? 409 : 200;
      case FAILS_FIRST_CALL -> n == 1 ? 503 : 200;
    };
    received.add(new Received(hook.idempotencyKey(), hook.event().name(), hook.fleetId(),
        clock.instant(), status));
    boolean ok = status < 300;
    return new Call(hook.idempotencyKey(), status, ok ? null : "status " + status,
        status >= 500);
  }

  List<Received> received() {
    return List.copyOf(received);
  }
}
