package org.sparktrain.worker.sync;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Direct TCP connections between the N workers of one synchronous job: every worker has one
 * connection to each other worker for sending and accepts one from each for receiving, so
 * nothing passes through the driver. A reader thread per incoming connection keeps draining it
 * into a queue, so two workers sending to each other at once never block each other.
 *
 * <p>Made in two steps because the addresses are exchanged in between (Spark's barrier
 * {@code allGather}): {@link #listen} binds a port, {@link #connect} joins the mesh.
 */
public final class PeerMesh implements AutoCloseable {
  private static final int BUFFER_BYTES = 1 << 20;
  private static final int QUEUE_FRAMES = 4;

  private final ServerSocket server;
  private final String host;
  private final long timeoutMs;
  private final List<Socket> sockets = new ArrayList<>();
  private final List<Thread> readers = new ArrayList<>();
  private final AtomicLong bytesSent = new AtomicLong();
  private final ByteBuffer writeChunk = SyncFrame.newChunk();
  private int rank = -1;
  private List<String> addresses;
  private DataOutputStream[] outs;
  private List<BlockingQueue<Object>> inboxes;

  private PeerMesh(ServerSocket server, String host, long timeoutMs) {
    this.server = server;
    this.host = host;
    this.timeoutMs = timeoutMs;
  }

  /**
   * Binds a port on {@code host} (the address Spark uses for this executor).
   *
   * @param timeoutMs how long to wait for a peer's connection or next message before failing
   */
  public static PeerMesh listen(String host, long timeoutMs) throws IOException {
    ServerSocket server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
    server.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs));
    return new PeerMesh(server, host, timeoutMs);
  }

  /** host:port, for the other workers. */
  public String address() {
    return host + ":" + server.getLocalPort();
  }

  /** Connects to every other worker; {@code addresses} are all workers' in rank order. */
  public void connect(int rank, List<String> addresses) throws IOException {
    this.rank = rank;
    this.addresses = List.copyOf(addresses);
    int n = addresses.size();
    outs = new DataOutputStream[n];
    inboxes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      inboxes.add(new ArrayBlockingQueue<>(QUEUE_FRAMES));
    }
    IOException[] acceptFailure = new IOException[1];
    Thread acceptor = new Thread(() -> {
      try {
        for (int accepted = 0; accepted < n - 1; accepted++) {
          Socket s = server.accept();
          configure(s);
          DataInputStream in = new DataInputStream(
              new BufferedInputStream(s.getInputStream(), BUFFER_BYTES));
          int from = in.readInt();
          startReader(from, in);
        }
      } catch (IOException e) {
        acceptFailure[0] = e;
      }
    }, "sparktrain-sync-accept-" + rank);
    acceptor.setDaemon(true);
    acceptor.start();
    for (int peer = 0; peer < n; peer++) {
      if (peer == rank) {
        continue;
      }
      Socket s = new Socket();
      try {
        s.connect(socketAddress(addresses.get(peer)), (int) Math.min(Integer.MAX_VALUE,
            timeoutMs));
      } catch (IOException e) {
        s.close();
        throw new IOException("cannot connect to synchronization peer " + describe(peer) + ": "
            + e.getMessage(), e);
      }
      configure(s);
      outs[peer] = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(),
          BUFFER_BYTES));
      outs[peer].writeInt(rank);
      outs[peer].flush();
    }
    try {
      acceptor.join(timeoutMs);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while peers connected", e);
    }
    if (acceptor.isAlive() || acceptFailure[0] != null) {
      throw new IOException("not every synchronization peer connected to worker "
          + describe(rank) + " within " + timeoutMs / 1000 + " s"
          + (acceptFailure[0] == null ? "" : ": " + acceptFailure[0].getMessage()),
          acceptFailure[0]);
    }
  }

  private static InetSocketAddress socketAddress(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return new InetSocketAddress(hostPort.substring(0, colon),
        Integer.parseInt(hostPort.substring(colon + 1)));
  }

  private void configure(Socket s) throws IOException {
    synchronized (sockets) {
      sockets.add(s);
    }
    s.setTcpNoDelay(true);
    s.setSendBufferSize(BUFFER_BYTES);
    s.setReceiveBufferSize(BUFFER_BYTES);
  }

  private void startReader(int from, DataInputStream in) {
    BlockingQueue<Object> inbox = inboxes.get(from);
    Thread reader = new Thread(() -> {
      ByteBuffer chunk = SyncFrame.newChunk();
      try {
        while (true) {
          inbox.put(SyncFrame.readFrom(in, chunk));
        }
      } catch (IOException e) {
        inbox.offer(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "sparktrain-sync-read-" + rank + "-from-" + from);
    reader.setDaemon(true);
    synchronized (readers) {
      readers.add(reader);
    }
    reader.start();
  }

  public int rank() {
    return rank;
  }

  public int size() {
    return addresses.size();
  }

  /** Bytes this worker has sent so far (frames only). */
  public long bytesSent() {
    return bytesSent.get();
  }

  public void send(int peer, SyncFrame frame) throws IOException {
    try {
      frame.writeTo(outs[peer], writeChunk);
    } catch (IOException e) {
      throw new IOException("sending to synchronization peer " + describe(peer) + " failed: "
          + e.getMessage(), e);
    }
    bytesSent.addAndGet(frame.sizeBytes());
  }

  /**
   * The next frame from {@code peer}; fails naming the peer when none comes within the timeout
   * or its connection broke.
   *
   * @param what the step waited for, for the message
   */
  public SyncFrame receive(int peer, String what) throws IOException {
    Object next;
    try {
      next = inboxes.get(peer).poll(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for " + describe(peer), e);
    }
    if (next == null) {
      throw new SocketTimeoutException("synchronization peer " + describe(peer) + " sent nothing"
          + " for " + timeoutMs / 1000 + " s (" + what + "); is its executor alive?");
    }
    if (next instanceof IOException e) {
      throw new IOException("connection from synchronization peer " + describe(peer)
          + " broke (" + what + "): " + e.getMessage(), e);
    }
    return (SyncFrame) next;
  }

  private String describe(int peer) {
    return "rank " + peer + " at " + addresses.get(peer);
  }

  /** Closes every connection; reader threads end with them. */
  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing: nothing left to do with it
    }
    synchronized (sockets) {
      for (Socket s : sockets) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing: nothing left to do with it
        }
      }
    }
    synchronized (readers) {
      readers.forEach(Thread::interrupt);
    }
  }
}
