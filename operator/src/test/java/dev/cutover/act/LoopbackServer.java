package dev.cutover.act;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP server on 127.0.0.1 for the tests of what act sends: the handlers a test gives,
 * and /hang, which answers nothing until the server closes (a receiver that never answers).
 */
final class LoopbackServer implements AutoCloseable {

  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final CountDownLatch closing = new CountDownLatch(1);

  LoopbackServer() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/hang", exchange -> {
      try {
        closing.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.close();
    });
    server.setExecutor(pool);
    server.start();
  }

  LoopbackServer handle(String path, HttpHandler handler) {
    server.createContext(path, handler);
    return this;
  }

  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
    pool.shutdownNow();
  }
}
