package org.sparktrain.driver.train;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.train.StretchResult.RoundFigures;

/**
 * The driver's live view of a collective run: rank 0 sends each round's figures over one small
 * TCP connection as the round ends, so the progress bar, metrics.jsonl and the report move
 * while one barrier job runs many rounds. Only figures travel here, never tensors. Best effort:
 * what does not arrive live comes with the job's result.
 */
final class RoundFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RoundFeed.class);
  private static final int CONNECT_TIMEOUT_MS = 10_000;

  private final ServerSocket server;
  private final Thread reader;
  private volatile Socket current;

  private RoundFeed(ServerSocket server, Consumer<RoundFigures> onRound) {
    this.server = server;
    this.reader = new Thread(() -> serve(onRound), "sparktrain-round-feed");
    reader.setDaemon(true);
    reader.start();
  }

  /** Listens on {@code host} (the driver's address) and hands every round to {@code onRound}. */
  static RoundFeed open(String host, Consumer<RoundFigures> onRound) throws IOException {
    ServerSocket server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
    return new RoundFeed(server, onRound);
  }

  String address() {
    return server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
  }

  /** One connection per attempt of the job, read to its end. */
  private void serve(Consumer<RoundFigures> onRound) {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        current = s;
        DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
        while (true) {
          onRound.accept(RoundFigures.readFrom(in));
        }
      } catch (EOFException e) {
        // rank 0's task ended: wait for a rerun's connection, or for close()
      } catch (IOException e) {
        if (!server.isClosed()) {
          LOG.debug("round feed connection ended: {}", e.getMessage());
        }
      }
    }
  }

  /** Stops reading; after it returns, {@code onRound} is not called again. */
  @Override
  public void close() {
    try {
      server.close();
      Socket s = current;
      if (s != null) {
        s.close();
      }
      reader.join();
    } catch (IOException ignored) {
      // closing: nothing left to do with it
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Rank 0's end of the feed, inside the task. */
  static final class Sender implements AutoCloseable {
    private final Socket socket;
    private final DataOutputStream out;

    private Sender(Socket socket) throws IOException {
      this.socket = socket;
      this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
    }

    /** A sender to {@code address}, or null when the driver cannot be reached (logged). */
    static Sender connect(String address) {
      int colon = address.lastIndexOf(':');
      Socket s = new Socket();
      try {
        s.connect(new InetSocketAddress(address.substring(0, colon),
            Integer.parseInt(address.substring(colon + 1))), CONNECT_TIMEOUT_MS);
        return new Sender(s);
      } catch (IOException e) {
        LOG.warn("cannot reach the driver's round feed at {} ({}); its progress will show the "
            + "rounds when the stretch ends", address, e.getMessage());
        try {
          s.close();
        } catch (IOException ignored) {
          // it was never open
        }
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
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing: nothing left to do with it
      }
    }
  }
}
