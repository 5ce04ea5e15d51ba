package org.sparktrain.worker.sync;

import java.io.Closeable;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts a data-plane listener's connections until it closes, each on a daemon thread of its
 * own, so a connection that says nothing (or garbage) holds up no other: each handler reads the
 * handshake within its own timeout. At most {@code maxPending} handlers run at once; a
 * connection beyond them is closed unread.
 */
public final class ConcurrentAcceptor {
  private static final Logger LOG = LoggerFactory.getLogger(ConcurrentAcceptor.class);

  private ConcurrentAcceptor() {}

  /**
   * @param what the listener, for the refusal's log line
   * @param threadName the handlers' name (tests tell live work by it)
   * @param handler serves one connection; it owns the socket and closes it
   */
  public static Thread start(ServerSocket server, int maxPending, String what,
      String threadName, Consumer<Socket> handler) {
    Semaphore pending = new Semaphore(maxPending);
    Thread acceptor = new Thread(() -> {
      while (!server.isClosed()) {
        Socket s;
        try {
          s = server.accept();
        } catch (IOException e) {
          return; // closed, or no one came within its timeout: its owner reports that
        }
        if (!pending.tryAcquire()) {
          LOG.warn("refused a connection to {} from {}: {} are already pending", what,
              s.getRemoteSocketAddress(), maxPending);
          closeQuietly(s);
          continue;
        }
        Thread t = new Thread(() -> {
          try {
            handler.accept(s);
          } finally {
            pending.release();
          }
        }, threadName);
        t.setDaemon(true);
        t.start();
      }
    }, threadName + "-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    return acceptor;
  }

  /** Closes a listener or connection that is being given up; null is allowed. */
  public static void closeQuietly(Closeable c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException ignored) {
        // closing: nothing left to do with it
      }
    }
  }
}
