package org.sparktrain.driver.train.sync;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.worker.sync.ConcurrentAcceptor;
import org.sparktrain.worker.sync.Handshake;
import org.sparktrain.worker.sync.LinkSecurity;

/**
 * Where the workers of one collective stretch learn each other's addresses: each connects to
 * the driver, proves it is a worker of this attempt for its rank ({@link Handshake}), says its
 * address, and gets every worker's address back once all have come. Only these few bytes pass
 * the driver.
 *
 * <p>Spark's {@code BarrierTaskContext.allGather} does the same, but its task side checks for
 * the answer by sleeping a whole second at a time, so every stretch paid a second: measured
 * 1,050 ms per barrier job with {@code allGather} against 30-80 ms without, on local[2]. A run
 * that validates or checkpoints every few rounds has a stretch every few rounds.
 *
 * <p>The port is reachable by anyone who reaches the driver, so connections are served
 * concurrently (a silent or garbled one delays no worker and ends at the handshake timeout),
 * and a rank's registration is replaced only by another authenticated one (a rerun of that
 * worker's task), never by a stranger.
 */
final class Rendezvous implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Rendezvous.class);
  static final String CHANNEL = "rendezvous";
  /** The driver's id in the handshake: not a rank. */
  static final int DRIVER_ID = -1;
  /** Handshakes in progress at once; a connection beyond them is closed unread. */
  private static final int MAX_PENDING_HANDSHAKES = 64;
  private static final int MAX_ADDRESS_BYTES = 512;
  private static final int BUFFER_BYTES = 8192;
  /** host:port@jvm-id, as PeerMesh#address writes it. */
  private static final Pattern ADDRESS = Pattern.compile(
      "[A-Za-z0-9.:\\[\\]%_-]{1,255}:[0-9]{1,5}@[0-9a-f-]{36}");

  private final ServerSocket server;
  private final LinkSecurity security;
  private final int workers;
  /** Guarded by this. */
  private final Socket[] sockets;
  private final DataOutputStream[] outs;
  private final String[] addresses;
  private int arrived;
  private boolean answered;

  private Rendezvous(ServerSocket server, int workers, LinkSecurity security) {
    this.server = server;
    this.security = security;
    this.workers = workers;
    this.sockets = new Socket[workers];
    this.outs = new DataOutputStream[workers];
    this.addresses = new String[workers];
    ConcurrentAcceptor.start(server, MAX_PENDING_HANDSHAKES, "the collective rendezvous",
        "sparktrain-rendezvous", this::admit);
  }

  /** Listens on {@code host} (the driver's address) for the {@code workers} of one attempt. */
  static Rendezvous open(String host, int workers, LinkSecurity security) throws IOException {
    ServerSocket server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
    return new Rendezvous(server, workers, security);
  }

  String address() {
    return server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
  }

  private void admit(Socket s) {
    try {
      Handshake.Link link = Handshake.accept(s, security, CHANNEL, DRIVER_ID,
          rank -> rank >= 0 && rank < workers, BUFFER_BYTES, Handshake.HANDSHAKE_TIMEOUT_MS);
      s.setSoTimeout((int) Handshake.HANDSHAKE_TIMEOUT_MS);
      String address = readAddress(link.in());
      register(link.clientId(), s, link.out(), address);
    } catch (IOException e) {
      LOG.warn("refused a connection to the collective rendezvous from {}: {}",
          s.getRemoteSocketAddress(), e.getMessage());
      ConcurrentAcceptor.closeQuietly(s);
    }
  }

  private synchronized void register(int rank, Socket s, DataOutputStream out, String address)
      throws IOException {
    if (answered) {
      throw new IOException("rank " + rank + " came after every worker had met");
    }
    if (sockets[rank] == null) {
      arrived++;
    } else {
      // An authenticated rerun of that worker's task.
      ConcurrentAcceptor.closeQuietly(sockets[rank]);
    }
    sockets[rank] = s;
    outs[rank] = out;
    addresses[rank] = address;
    if (arrived == workers) {
      answered = true;
      answerAll();
    }
  }

  /** Every worker's address to every worker; then no one else may connect. */
  private void answerAll() {
    try {
      for (DataOutputStream out : outs) {
        out.writeInt(workers);
        for (String a : addresses) {
          writeAddress(out, a);
        }
        out.flush();
      }
    } catch (IOException e) {
      LOG.warn("rendezvous of the collective workers failed: {}", e.getMessage());
    } finally {
      ConcurrentAcceptor.closeQuietly(server);
      for (Socket s : sockets) {
        ConcurrentAcceptor.closeQuietly(s);
      }
    }
  }

  /**
   * The worker's side: every worker's address in rank order, or a failure naming what did not
   * come within {@code timeoutMs}.
   */
  static List<String> join(String driverAddress, int rank, int workers, String myAddress,
      LinkSecurity security, long timeoutMs) throws IOException {
    int colon = driverAddress.lastIndexOf(':');
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(driverAddress.substring(0, colon),
          Integer.parseInt(driverAddress.substring(colon + 1))),
          (int) Math.min(Integer.MAX_VALUE, timeoutMs));
      s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs));
      Handshake.Link link = Handshake.connect(s, security, CHANNEL, rank, DRIVER_ID,
          BUFFER_BYTES, timeoutMs);
      writeAddress(link.out(), myAddress);
      link.out().flush();
      DataInputStream in = link.in();
      int count = in.readInt();
      if (count != workers) {
        throw new IOException("the rendezvous answered with " + count + " workers, expected "
            + workers);
      }
      List<String> all = new ArrayList<>(workers);
      for (int i = 0; i < workers; i++) {
        all.add(readAddress(in));
      }
      return all;
    } catch (SocketTimeoutException e) {
      throw new SocketTimeoutException("not every worker of the stretch reached the driver's "
          + "rendezvous at " + driverAddress + " within " + timeoutMs / 1000 + " s");
    } catch (IOException e) {
      throw new IOException("rendezvous with the other workers at the driver (" + driverAddress
          + ") failed: " + e.getMessage(), e);
    }
  }

  private static void writeAddress(DataOutputStream out, String address) throws IOException {
    byte[] bytes = address.getBytes(StandardCharsets.UTF_8);
    out.writeShort(bytes.length);
    out.write(bytes);
  }

  /** A worker's address, its length checked before it is read and its form after. */
  private static String readAddress(DataInputStream in) throws IOException {
    int length = in.readUnsignedShort();
    if (length > MAX_ADDRESS_BYTES) {
      throw new IOException("an address of " + length + " bytes (at most " + MAX_ADDRESS_BYTES
          + ")");
    }
    byte[] bytes = new byte[length];
    in.readFully(bytes);
    String address = new String(bytes, StandardCharsets.UTF_8);
    if (!ADDRESS.matcher(address).matches()) {
      throw new IOException("an address not of the form host:port@jvm-id ("
          + address.substring(0, Math.min(40, address.length())) + ")");
    }
    return address;
  }

  @Override
  public synchronized void close() {
    answered = true;
    ConcurrentAcceptor.closeQuietly(server);
    for (Socket s : sockets) {
      ConcurrentAcceptor.closeQuietly(s);
    }
  }
}
