package dev.cutover.act;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.api.DrainCall;
import dev.cutover.decide.Action.Drain.Call;
import dev.cutover.ec2.InstanceState;
import dev.cutover.ec2.ManagedInstance;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The drain call against a real HTTP server on the loopback address. */
class DrainerTest {

  private LoopbackServer server;
  private final List<String> received = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    server = new LoopbackServer().handle("/drain", exchange -> {
      received.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
      exchange.sendResponseHeaders(202, -1);
      exchange.close();
    });
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void theCallReachesTheInstanceWithItsMethodAndPath() {
    DrainCall http = call("/drain?grace=30", server.port());
    http.method = DrainCall.Method.PUT;
    http.expectStatus = 202;
    List<Call> calls = new Drainer().drain(http, List.of(instance("i-1", "127.0.0.1")));
    assertThat(calls).containsExactly(new Call("i-1", null));
    assertThat(received).containsExactly("PUT /drain?grace=30");
  }

  @Test
  void anotherStatusIsReportedWithWhatWasExpected() {
    List<Call> calls = new Drainer().drain(call("/drain", server.port()),
        List.of(instance("i-1", "127.0.0.1")));
    assertThat(calls).containsExactly(new Call("i-1", "status 202, expected 200"));
    assertThat(received).containsExactly("POST /drain");
  }

  @Test
  void anInstanceThatDoesNotAnswerInTimeIsReportedAndTheOthersStillAnswered() {
    DrainCall http = call("/hang", server.port());
    http.requestTimeout = "300ms";
    List<Call> calls = new Drainer().drain(http, List.of(instance("i-1", "127.0.0.1"),
        instance("i-2", null)));
    assertThat(calls).containsExactly(new Call("i-1", "no answer within 300ms"),
        new Call("i-2", "no private IP"));
  }

  @Test
  void aClosedPortIsReportedNotThrown() throws IOException {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    List<Call> calls = new Drainer().drain(call("/drain", closed),
        List.of(instance("i-1", "127.0.0.1")));
    assertThat(calls).singleElement().satisfies(c -> {
      assertThat(c.answered()).isFalse();
      assertThat(c.problem()).contains("ConnectException");
    });
  }

  private static DrainCall call(String path, int port) {
    DrainCall http = new DrainCall();
    http.path = path;
    http.port = port;
    return http;
  }

  private static ManagedInstance instance(String id, String privateIp) {
    return new ManagedInstance(id, "uid", "shop/app", "f1", "1.0.0", 0, InstanceState.RUNNING,
        privateIp, null, Instant.EPOCH, ManagedInstance.StatusChecks.OK);
  }
}
