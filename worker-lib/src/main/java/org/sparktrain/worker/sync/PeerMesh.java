package org.sparktrain.worker.sync;

import java.io.ByteArrayOutputStream;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * <p>Its port is open to anyone who reaches the host, so nothing a connection sends is taken on
 * trust: it must first prove it holds the stretch's key ({@link Handshake}), for a rank that is
 * due to connect here and has not; handshakes run concurrently, each within its own timeout,
 * so a silent or garbled connection delays no real peer; a rank connects once; every frame's
 * lengths are checked against what the averaging expects from that peer before anything is
 * allocated ({@link #expectFrames}), and its checksum after.
 */
public final class PeerMesh implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PeerMesh.class);
  private static final int BUFFER_BYTES = 1 << 20;
  private static final int QUEUE_FRAMES = 4;
  /** Handshakes in progress at once; a connection beyond them is closed unread. */
  private static final int MAX_PENDING_HANDSHAKES = 32;
  private static final String CHANNEL = "mesh";
  /** Tells this JVM's meshes from another JVM's that happens to use the same host:port. */
  private static final String JVM_ID = UUID.randomUUID().toString();
  /** The listening meshes of this JVM that accept frames handed over in memory, by address. */
  private static final Map<String, PeerMesh> IN_THIS_JVM = new ConcurrentHashMap<>();

  private final ServerSocket server;
  private final String host;
  private final long timeoutMs;
  private final boolean handOff;
  private final LinkSecurity security;
  /** Which peers have connected here; guarded by itself. */
  private boolean[] connectedFrom;
  private CountDownLatch allConnected;
  /** What each peer's frames must look like; set once the averaging knows it. */
  private volatile FrameShapes shapes;
  private final CountDownLatch shapesKnown = new CountDownLatch(1);
  /** A fault test's stalled worker: sends nothing more. */
  private volatile boolean stalled;
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

  private PeerMesh(ServerSocket server, String host, long timeoutMs, boolean handOff,
      LinkSecurity security) {
    this.server = server;
    this.host = host;
    this.timeoutMs = timeoutMs;
    this.handOff = handOff;
    this.security = security;
  }

  /**
   * Binds a port on {@code host} (the address Spark uses for this executor).
   *
   * @param timeoutMs how long to wait for a peer's connection or next message before failing
   * @param handOff exchange frames in memory with peers in this JVM that allow it too (else
   *     every peer is reached over TCP)
   * @param security the stretch's key, which every connection must prove it holds
   */
  public static PeerMesh listen(String host, long timeoutMs, boolean handOff,
      LinkSecurity security) throws IOException {
    ServerSocket server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
    server.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs));
    PeerMesh mesh = new PeerMesh(server, host, timeoutMs, handOff, security);
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
    connectedFrom = new boolean[n];
    allConnected = new CountDownLatch(remote);
    ConcurrentAcceptor.start(server, MAX_PENDING_HANDSHAKES, "the synchronization port of "
        + "worker " + rank, "sparktrain-sync-handshake-" + rank, this::admit);
    for (int peer = 0; peer < n; peer++) {
      if (peer == rank || sameJvm[peer] != null) {
        continue;
      }
      Socket s = new Socket();
      try {
        s.connect(socketAddress(addresses.get(peer)), (int) Math.min(Integer.MAX_VALUE,
            timeoutMs));
        configure(s);
        outs[peer] = Handshake.connect(s, security, CHANNEL, rank, peer, BUFFER_BYTES,
            timeoutMs).out();
      } catch (IOException e) {
        s.close();
        throw new IOException("cannot connect to synchronization peer " + describe(peer) + ": "
            + e.getMessage(), e);
      }
    }
    try {
      if (!allConnected.await(timeoutMs, TimeUnit.MILLISECONDS)) {
        throw new IOException("not every synchronization peer connected to worker "
            + describe(rank) + " within " + timeoutMs / 1000 + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while peers connected", e);
    } finally {
      // Every peer that was due is here (or the stretch fails): no one else may connect.
      ConcurrentAcceptor.closeQuietly(server);
    }
  }

  /** Starts reading from {@code s} if it proves to be a peer that is due, else closes it. */
  private void admit(Socket s) {
    try {
      configure(s);
      Handshake.Link link = Handshake.accept(s, security, CHANNEL, rank, this::isDue,
          BUFFER_BYTES, timeoutMs);
      synchronized (connectedFrom) {
        if (connectedFrom[link.clientId()]) {
          throw new IOException("rank " + link.clientId() + " is already connected");
        }
        connectedFrom[link.clientId()] = true;
      }
      // A backstop for the reader thread: receive() gives up after timeoutMs with the clearer
      // message ("sent nothing for N s"), so the socket waits twice as long.
      s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, 2 * timeoutMs));
      startReader(link.clientId(), link.in());
      allConnected.countDown();
    } catch (IOException e) {
      LOG.warn("worker {}: refused a synchronization connection from {}: {}", rank,
          s.getRemoteSocketAddress(), e.getMessage());
      ConcurrentAcceptor.closeQuietly(s);
    }
  }

  /** A peer that reaches this worker over TCP and has not connected yet. */
  private boolean isDue(int peer) {
    if (peer < 0 || peer >= connectedFrom.length || peer == rank || sameJvm[peer] != null) {
      return false;
    }
    synchronized (connectedFrom) {
      return !connectedFrom[peer];
    }
  }

  /**
   * What every peer's frames must look like, so a reader checks a frame's lengths before it
   * allocates them; readers wait for this before their first frame.
   */
  public void expectFrames(FrameShapes expected) {
    if (shapes == null) {
      shapes = expected;
      shapesKnown.countDown();
    }
  }

  /** The shape of the {@code index}-th frame (from 0) that {@code peer} sends this worker. */
  public interface FrameShapes {
    SyncFrame.FrameShape shape(int peer, long index);
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
        if (!shapesKnown.await(timeoutMs, TimeUnit.MILLISECONDS)) {
          throw new SocketTimeoutException("this worker did not start averaging within "
              + timeoutMs / 1000 + " s");
        }
        for (long index = 0; ; index++) {
          SyncFrame.FrameShape shape = shapes.shape(from, index);
          try {
            inbox.put(SyncFrame.readFrom(in, chunk, shape));
          } catch (IOException e) {
            throw new IOException("frame " + index + " (" + (index % 2 == 0 ? "reduce-scatter"
                : "all-gather") + " of its round " + (index / 2 + 1) + " in this stretch): "
                + e.getMessage(), e);
          }
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
      SyncFaults.Fault fault = stalled ? SyncFaults.Fault.STOP_SENDING
          : SyncFaults.take(rank, frame.round());
      if (fault != null) {
        sendFaulty(peer, frame, fault);
      } else if (sameJvm[peer] != null) {
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

  /** What a misbehaving peer would send instead of {@code frame} (fault tests only). */
  private void sendFaulty(int peer, SyncFrame frame, SyncFaults.Fault fault) throws IOException {
    if (!stalled) {
      LOG.warn("worker {}: injecting fault {} into its frame for rank {} in round {}", rank,
          fault, peer, frame.round());
    }
    SyncFrame lie = switch (fault) {
      case WRONG_LENGTH -> new SyncFrame(frame.round(), frame.examples(), frame.lossSum(),
          frame.steps(), frame.computeNanos(), frame.roundBytes(),
          Arrays.copyOf(frame.params(), frame.params().length + 1), frame.state(),
          frame.bfloat16());
      case WRONG_EXAMPLES -> new SyncFrame(frame.round(), frame.examples() + 1,
          frame.lossSum(), frame.steps(), frame.computeNanos(), frame.roundBytes(),
          frame.params(), frame.state(), frame.bfloat16());
      case CORRUPT_BYTE, STOP_SENDING -> frame;
    };
    if (fault == SyncFaults.Fault.STOP_SENDING) {
      stalled = true;
      return;
    }
    if (sameJvm[peer] != null) {
      sameJvm[peer].handOver(rank, lie);
      return;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    lie.writeTo(new DataOutputStream(bytes), SyncFrame.newChunk());
    byte[] wire = bytes.toByteArray();
    if (fault == SyncFaults.Fault.CORRUPT_BYTE) {
      wire[SyncFrame.HEADER_BYTES + 1] ^= 0x10; // a bit of the first parameter value
    }
    outs[peer].write(wire);
    outs[peer].flush();
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
    ConcurrentAcceptor.closeQuietly(server);
    synchronized (sockets) {
      sockets.forEach(ConcurrentAcceptor::closeQuietly);
    }
    synchronized (readers) {
      readers.forEach(Thread::interrupt);
    }
  }
}
