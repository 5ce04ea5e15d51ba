package org.sparktrain.worker.sync;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.function.IntPredicate;

/**
 * The first bytes on every data-plane connection: a mutual challenge-response over the
 * stretch's key ({@link LinkSecurity}), so the side that accepts reads nothing but a fixed-size
 * handshake from a stranger, and the side that connects knows it reached the run's own driver or
 * worker before it sends a parameter.
 *
 * <pre>
 *   server -> client: MAGIC, server challenge (32 random bytes)
 *   client -> server: MAGIC, client challenge (32), client id (4), MAC("client", transcript)
 *   server -> client: MAC("server", transcript)          (nothing, and a closed socket, on failure)
 *   transcript = channel, client id, server id, both challenges
 * </pre>
 *
 * The challenges are fresh on both sides, so a recorded handshake cannot be replayed; the
 * channel and both ids are inside the MAC, so an accepted handshake cannot be moved to another
 * listener or claim another rank. With encryption each direction then gets its own AES-GCM key
 * derived from the same transcript ({@link SealedOutputStream}). This is the shape of Spark's
 * own authentication protocol for its RPC (a keyed challenge over the application secret, then
 * AES-GCM session keys), not a new scheme.
 */
public final class Handshake {
  /** How long the accepting side waits for a handshake: a real peer sends it at once. */
  public static final long HANDSHAKE_TIMEOUT_MS = 15_000;
  static final int MAGIC = 0x53545631; // "STV1"
  static final int CHALLENGE_BYTES = 32;
  static final int MAC_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private Handshake() {}

  /**
   * A connection that proved it holds the stretch's key.
   *
   * @param clientId the rank (or other id) the connecting side proved it was given
   */
  public record Link(Socket socket, int clientId, DataInputStream in, DataOutputStream out) {}

  /**
   * The accepting side. Reads exactly the handshake's fixed bytes (within
   * {@link #HANDSHAKE_TIMEOUT_MS}, or {@code timeoutMs} if shorter) and fails, having answered
   * nothing, on anything else.
   *
   * @param allowed which client ids may connect here
   */
  public static Link accept(Socket socket, LinkSecurity security, String channel, int serverId,
      IntPredicate allowed, int bufferBytes, long timeoutMs) throws IOException {
    Streams streams = Streams.open(socket, bufferBytes, timeoutMs);
    DataInputStream in = streams.in();
    DataOutputStream out = streams.out();
    byte[] serverChallenge = challenge();
    byte[] clientChallenge = new byte[CHALLENGE_BYTES];
    byte[] clientMac = new byte[MAC_BYTES];
    int clientId;
    try {
      out.writeInt(MAGIC);
      out.write(serverChallenge);
      out.flush();
      if (in.readInt() != MAGIC) {
        throw new IOException("it does not speak sparktrain's data-plane protocol");
      }
      in.readFully(clientChallenge);
      clientId = in.readInt();
      in.readFully(clientMac);
    } catch (SocketTimeoutException e) {
      throw new IOException("it sent no handshake within "
          + Math.min(HANDSHAKE_TIMEOUT_MS, timeoutMs) / 1000 + " s", e);
    } catch (EOFException e) {
      throw new IOException("it closed the connection during the handshake", e);
    }
    if (!allowed.test(clientId)) {
      throw new IOException("it claims id " + clientId + ", which may not connect here");
    }
    byte[] transcript = transcript(channel, clientId, serverId, serverChallenge,
        clientChallenge);
    if (!MessageDigest.isEqual(clientMac, security.mac(role("client"), transcript))) {
      throw new IOException("it failed authentication (it does not hold this stretch's key: "
          + "not a worker of this run, or a worker of another stretch)");
    }
    out.write(security.mac(role("server"), transcript));
    out.flush();
    socket.setSoTimeout(streams.previousTimeout());
    return link(socket, clientId, security, transcript, in, out, false);
  }

  /** The connecting side: proves {@code clientId} and checks the listener is the run's own. */
  public static Link connect(Socket socket, LinkSecurity security, String channel, int clientId,
      int serverId, int bufferBytes, long timeoutMs) throws IOException {
    Streams streams = Streams.open(socket, bufferBytes, timeoutMs);
    DataInputStream in = streams.in();
    DataOutputStream out = streams.out();
    if (in.readInt() != MAGIC) {
      throw new IOException("the listener does not speak sparktrain's data-plane protocol");
    }
    byte[] serverChallenge = new byte[CHALLENGE_BYTES];
    in.readFully(serverChallenge);
    byte[] clientChallenge = challenge();
    byte[] transcript = transcript(channel, clientId, serverId, serverChallenge,
        clientChallenge);
    out.writeInt(MAGIC);
    out.write(clientChallenge);
    out.writeInt(clientId);
    out.write(security.mac(role("client"), transcript));
    out.flush();
    byte[] serverMac = new byte[MAC_BYTES];
    try {
      in.readFully(serverMac);
    } catch (IOException e) {
      throw new IOException("the listener refused this worker's handshake (" + e.getMessage()
          + "): does it belong to another stretch or application?", e);
    }
    if (!MessageDigest.isEqual(serverMac, security.mac(role("server"), transcript))) {
      throw new IOException("the listener failed authentication: it is not this run's");
    }
    socket.setSoTimeout(streams.previousTimeout());
    return link(socket, clientId, security, transcript, in, out, true);
  }

  /** A socket's buffered streams, read within the handshake's timeout until it is done. */
  private record Streams(DataInputStream in, DataOutputStream out, int previousTimeout) {
    static Streams open(Socket socket, int bufferBytes, long timeoutMs) throws IOException {
      int previous = socket.getSoTimeout();
      socket.setSoTimeout((int) Math.min(HANDSHAKE_TIMEOUT_MS, timeoutMs));
      return new Streams(new DataInputStream(new BufferedInputStream(socket.getInputStream(),
          bufferBytes)), new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(),
          bufferBytes)), previous);
    }
  }

  private static Link link(Socket socket, int clientId, LinkSecurity security, byte[] transcript,
      DataInputStream in, DataOutputStream out, boolean client) throws IOException {
    if (!security.encrypts()) {
      return new Link(socket, clientId, in, out);
    }
    byte[] toServer = security.mac(role("client to server"), transcript);
    byte[] toClient = security.mac(role("server to client"), transcript);
    return new Link(socket, clientId,
        new DataInputStream(new SealedInputStream(in, client ? toClient : toServer)),
        new DataOutputStream(new SealedOutputStream(out, client ? toServer : toClient)));
  }

  private static byte[] challenge() {
    byte[] c = new byte[CHALLENGE_BYTES];
    RANDOM.nextBytes(c);
    return c;
  }

  private static byte[] role(String role) {
    return (role + "\0").getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] transcript(String channel, int clientId, int serverId,
      byte[] serverChallenge, byte[] clientChallenge) {
    byte[] name = channel.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(Integer.BYTES * 3 + name.length + CHALLENGE_BYTES * 2)
        .putInt(name.length).put(name).putInt(clientId).putInt(serverId)
        .put(serverChallenge).put(clientChallenge).array();
  }
}
