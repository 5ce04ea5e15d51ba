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
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Direct connections between the N workers of one synchronous job, so nothing passes through the
 * driver. Workers in different JVMs use TCP: every worker has one connection to each other worker
 * for sending and accepts one from each for receiving, and a reader thread per incoming
 * connection keeps draining it into a queue, so two workers sending to each other at once never
 * block each other. Workers in the same JVM (Spark's local mode, or an executor with several
 * cores) hand frames to each other's queue directly, as shared-memory transports of collective
 * libraries do within a node: a frame is immutable once sent, so passing it by reference
 * delivers the same values with no serialization and no copy.
 *
 * <p>Made in two steps because the addresses are exchanged in between (Spark's barrier
 * {@code allGather}): {@link #listen} binds a port, {@link #connect} joins the mesh.
 */
public final class PeerMesh implements AutoCloseable {
  private static final int BUFFER_BYTES = 1 << 20;
  private static final int QUEUE_FRAMES = 4;
  /** Tells this JVM's meshes from another JVM's that happens to use the same host:port. */
  private static final String JVM_ID = UUID.randomUUID().toString();
  /** The listening meshes of this JVM that accept frames handed over in memory, by address. */
  private static final Map<String, PeerMesh> IN_THIS_JVM = new ConcurrentHashMap<>();

  private final ServerSocket server;
  private final String host;
  private final long timeoutMs;
  private final boolean handOff;
  private final List<Socket> sockets = new ArrayList<>();
  private final List<Thread> readers = new ArrayList<>();
  private final AtomicLong bytesSent = new AtomicLong();
  private final ByteBuffer writeChunk = SyncFrame.newChunk();
  private int rank = -1;
  private List<String> addresses;
  private DataOutputStream[] outs;
  /** The peers in this JVM, by rank; null for a peer reached over TCP. */
  private PeerMesh[] sameJvm;
  /** Frames (or the failure that ended a connection) from each peer, created on first use. */
  private final Map<Integer, BlockingQueue<Object>> inboxes = new ConcurrentHashMap<>();

  private PeerMesh(ServerSocket server, String host, long timeoutMs, boolean handOff) {
    this.server = server;
    this.host = host;
    this.timeoutMs = timeoutMs;
    this.handOff = handOff;
  }

  /**
   * Binds a port on {@code host} (the address Spark uses for this executor).
   *
   * @param timeoutMs how long to wait for a peer's connection or next message before failing
   * @param handOff exchange frames in memory with peers in this JVM that allow it too (else
   *     every peer is reached over TCP)
   */
  public static PeerMesh listen(String host, long timeoutMs, boolean handOff)
      throws IOException {
    ServerSocket server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
    server.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs));
    PeerMesh mesh = new PeerMesh(server, host, timeoutMs, handOff);
    if (handOff) {
      IN_THIS_JVM.put(mesh.address(), mesh);
    }
    return mesh;
  }

  /** host:port@jvm, for the other workers. */
  public String address() {
    return host + ":" + server.getLocalPort() + "@" + JVM_ID;
  }

  /** Connects to every other worker; {@code addresses} are all workers' in rank order. */
  public void connect(int rank, List<String> addresses) throws IOException {
    this.rank = rank;
    this.addresses = List.copyOf(addresses);
    int n = addresses.size();
    outs = new DataOutputStream[n];
    sameJvm = new PeerMesh[n];
    int remote = 0;
    for (int peer = 0; peer < n; peer++) {
      if (peer != rank) {
        sameJvm[peer] = sameJvmPeer(addresses.get(peer));
        remote += sameJvm[peer] == null ? 1 : 0;
      }
    }
    // A peer treats this worker as remote exactly when this worker treats it so (the JVM and
    // the hand-off setting are the same on both sides), so the remote ones are the ones that
    // connect here.
    int expected = remote;
    IOException[] acceptFailure = new IOException[1];
    Thread acceptor = new Thread(() -> {
      try {
        for (int accepted = 0; accepted < expected; accepted++) {
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
      if (peer == rank || sameJvm[peer] != null) {
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

  /** The mesh at {@code address} if it listens in this JVM and takes frames in memory. */
  private PeerMesh sameJvmPeer(String address) {
    return handOff && address.endsWith("@" + JVM_ID) ? IN_THIS_JVM.get(address) : null;
  }

  private static String hostPort(String address) {
    int at = address.lastIndexOf('@');
    return at < 0 ? address : address.substring(0, at);
  }

  private static InetSocketAddress socketAddress(String address) {
    String hostPort = hostPort(address);
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

  private BlockingQueue<Object> inbox(int from) {
    return inboxes.computeIfAbsent(from, k -> new ArrayBlockingQueue<>(QUEUE_FRAMES));
  }

  private void startReader(int from, DataInputStream in) {
    BlockingQueue<Object> inbox = inbox(from);
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

  /** Bytes of the frames this worker has sent so far, over TCP or handed over in memory. */
  public long bytesSent() {
    return bytesSent.get();
  }

  public void send(int peer, SyncFrame frame) throws IOException {
    try {
      if (sameJvm[peer] != null) {
        sameJvm[peer].handOver(rank, frame);
      } else {
        frame.writeTo(outs[peer], writeChunk);
      }
    } catch (IOException e) {
      throw new IOException("sending to synchronization peer " + describe(peer) + " failed: "
          + e.getMessage(), e);
    }
    bytesSent.addAndGet(frame.sizeBytes());
  }

  /** Puts a frame (or the failure that ends the link) from {@code from} into its queue. */
  private void handOver(int from, Object frameOrFailure) throws IOException {
    try {
      if (!inbox(from).offer(frameOrFailure, timeoutMs, TimeUnit.MILLISECONDS)) {
        throw new SocketTimeoutException("it took no frame for " + timeoutMs / 1000 + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while handing a frame over", e);
    }
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
      next = inbox(peer).poll(timeoutMs, TimeUnit.MILLISECONDS);
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
    return "rank " + peer + " at " + hostPort(addresses.get(peer));
  }

  /**
   * Closes every connection; reader threads end with them, and a peer in this JVM waiting for
   * this worker learns at once that the link is gone, as it would from a closed socket.
   */
  @Override
  public void close() {
    IN_THIS_JVM.remove(address(), this);
    if (sameJvm != null) {
      for (PeerMesh peer : sameJvm) {
        if (peer != null) {
          peer.inbox(rank).offer(new IOException("worker rank " + rank + " closed its end"));
        }
      }
    }
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
