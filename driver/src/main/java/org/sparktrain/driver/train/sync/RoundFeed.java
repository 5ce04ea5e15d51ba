package org.sparktrain.driver.train.sync;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.train.sync.StretchResult.RoundFigures;
import org.sparktrain.worker.sync.ConcurrentAcceptor;
import org.sparktrain.worker.sync.Handshake;
import org.sparktrain.worker.sync.LinkSecurity;

/**
 * The driver's live view of a collective run: rank 0 sends each round's figures over one small
 * TCP connection as the round ends, so the progress bar, metrics.jsonl and the report move
 * while one barrier job runs many rounds. Only figures travel here, never tensors. Best effort:
 * what does not arrive live comes with the job's result.
 *
 * <p>Only rank 0 of this attempt may feed it ({@link Handshake}); connections are served
 * concurrently, so a stranger's silent connection cannot hold the port, and every figure is
 * checked (its round must belong to the stretch) before the driver sees it.
 */
final class RoundFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RoundFeed.class);
  static final String CHANNEL = "feed";
  private static final int CONNECT_TIMEOUT_MS = 10_000;
  private static final int MAX_PENDING_HANDSHAKES = 16;
  private static final int BUFFER_BYTES = 8192;

  private final ServerSocket server;
  private final LinkSecurity security;
  private final long first;
  private final long until;
  private final long readTimeoutMs;
  private final Consumer<RoundFigures> onRound;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  /** Guards onRound: never called twice at once, nor after close() returned. */
  private final Object delivery = new Object();
  private boolean closed;

  private RoundFeed(ServerSocket server, LinkSecurity security, long first, long until,
      long readTimeoutMs, Consumer<RoundFigures> onRound) {
    this.server = server;
    this.security = security;
    this.first = first;
    this.until = until;
    this.readTimeoutMs = readTimeoutMs;
    this.onRound = onRound;
    // Handlers named as the reader was: listeners can tell live rounds by the thread.
    ConcurrentAcceptor.start(server, MAX_PENDING_HANDSHAKES, "the round feed",
        "sparktrain-round-feed", this::serve);
  }

  /**
   * Listens on {@code host} (the driver's address) and hands every round of
   * [{@code first}, {@code until}) to {@code onRound}.
   *
   * @param readTimeoutMs how long rank 0 may stay silent between rounds
   */
  static RoundFeed open(String host, LinkSecurity security, long first, long until,
      long readTimeoutMs, Consumer<RoundFigures> onRound) throws IOException {
    ServerSocket server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
    return new RoundFeed(server, security, first, until, readTimeoutMs, onRound);
  }

  String address() {
    return server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
  }

  /** One connection, read to its end: rank 0's, or refused. */
  private void serve(Socket s) {
    open.add(s);
    DataInputStream in;
    try {
      in = Handshake.accept(s, security, CHANNEL, Rendezvous.DRIVER_ID, rank -> rank == 0,
          BUFFER_BYTES, Handshake.HANDSHAKE_TIMEOUT_MS).in();
      s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, readTimeoutMs));
    } catch (IOException e) {
      LOG.warn("refused a connection to the round feed from {}: {}",
          s.getRemoteSocketAddress(), e.getMessage());
      closeAndForget(s);
      return;
    }
    try {
      while (true) {
        RoundFigures f = RoundFigures.readFrom(in);
        check(f);
        synchronized (delivery) {
          if (closed) {
            return;
          }
          onRound.accept(f);
        }
      }
    } catch (EOFException e) {
      // rank 0's task ended
    } catch (IOException e) {
      if (!server.isClosed()) {
        LOG.debug("round feed connection ended: {}", e.getMessage());
      }
    } finally {
      closeAndForget(s);
    }
  }

  private void check(RoundFigures f) throws IOException {
    if (f.round() < first || f.round() >= until || f.examples() < 0 || f.maxComputeNanos() < 0
        || f.wallNanos() < 0 || f.averageNanos() < 0 || f.bytes() < 0) {
      throw new IOException("rank 0 sent figures outside this stretch (round " + f.round()
          + " of " + first + "-" + (until - 1) + ")");
    }
  }

  /** Stops reading; after it returns, {@code onRound} is not called again. */
  @Override
  public void close() {
    synchronized (delivery) {
      closed = true;
    }
    ConcurrentAcceptor.closeQuietly(server);
    open.forEach(ConcurrentAcceptor::closeQuietly);
  }

  private void closeAndForget(Socket s) {
    ConcurrentAcceptor.closeQuietly(s);
    open.remove(s);
  }


  /** Rank 0's end of the feed, inside the task. */
  static final class Sender implements AutoCloseable {
    private final Socket socket;
    private final DataOutputStream out;

    private Sender(Socket socket, DataOutputStream out) {
      this.socket = socket;
      this.out = out;
    }

    /** A sender to {@code address}, or null when the driver cannot be reached (logged). */
    static Sender connect(String address, LinkSecurity security) {
      int colon = address.lastIndexOf(':');
      Socket s = new Socket();
      try {
        s.connect(new InetSocketAddress(address.substring(0, colon),
            Integer.parseInt(address.substring(colon + 1))), CONNECT_TIMEOUT_MS);
        return new Sender(s, Handshake.connect(s, security, CHANNEL, 0, Rendezvous.DRIVER_ID,
            BUFFER_BYTES, CONNECT_TIMEOUT_MS).out());
      } catch (IOException e) {
        LOG.warn("cannot reach the driver's round feed at {} ({}); its progress will show the "
            + "rounds when the stretch ends", address, e.getMessage());
        ConcurrentAcceptor.closeQuietly(s);
        return null;
      }
    }

    /** Sends one round; a broken feed only loses the live view, never the run. */
    void send(RoundFigures f) {
      try {
        f.writeTo(out);
        out.flush();
      } catch (IOException e) {
        LOG.debug("round feed: {}", e.getMessage());
      }
    }

    @Override
    public void close() {
      ConcurrentAcceptor.closeQuietly(socket);
    }
  }
}
