package org.sparktrain.worker.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparktrain.worker.train.ParameterAccumulator;
import org.sparktrain.worker.train.WorkerResult;

/**
 * The workers' synchronization ports against strangers and bad peers: only a connection that
 * proves the stretch's key for a rank that is due gets in, a silent or garbled one delays no
 * one, encryption changes no bit of the average, and a frame that lies about its size, its
 * examples or its content fails the round naming the peer, never averaging wrong.
 */
class DataPlaneSecurityTest {
  private static final long TIMEOUT_MS = 20_000;
  private static final byte[] NONCE = new byte[16];

  @AfterEach
  void noFaultLeft() {
    SyncFaults.clear();
  }

  private static LinkSecurity key(String secret, boolean encrypt) {
    return LinkSecurity.derive(secret.getBytes(), NONCE, encrypt);
  }

  private static List<WorkerResult> results(int params, int state) {
    Random random = new Random(3);
    List<WorkerResult> out = new ArrayList<>();
    for (int w = 0; w < 2; w++) {
      float[] p = new float[params];
      float[] s = new float[state];
      for (int i = 0; i < params; i++) {
        p[i] = (float) random.nextGaussian();
      }
      for (int i = 0; i < state; i++) {
        s[i] = (float) random.nextGaussian();
      }
      out.add(new WorkerResult(w, p, s, 40 + w, 3.5 * w, 3, 100));
    }
    return out;
  }

  /** Two workers over TCP: rounds 1 and 2; {@code beforeConnect} runs with the ports open. */
  private static List<CollectiveAverager.Averaged> average(LinkSecurity security,
      List<WorkerResult> results, Intruder beforeConnect) throws Exception {
    PeerMesh a = PeerMesh.listen("127.0.0.1", TIMEOUT_MS, false, security);
    PeerMesh b = PeerMesh.listen("127.0.0.1", TIMEOUT_MS, false, security);
    List<String> addresses = List.of(a.address(), b.address());
    List<PeerMesh> meshes = List.of(a, b);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      if (beforeConnect != null) {
        beforeConnect.visit(port(a.address()), port(b.address()));
      }
      List<Future<CollectiveAverager.Averaged>> futures = new ArrayList<>();
      for (int rank = 0; rank < 2; rank++) {
        int r = rank;
        futures.add(pool.submit(() -> {
          meshes.get(r).connect(r, addresses);
          CollectiveAverager averager = new CollectiveAverager(meshes.get(r), true,
              SyncPrecision.FLOAT32, CollectiveAveragerTest.declared(results));
          averager.average(1, results.get(r));
          return averager.average(2, results.get(r));
        }));
      }
      List<CollectiveAverager.Averaged> out = new ArrayList<>();
      for (Future<CollectiveAverager.Averaged> f : futures) {
        out.add(f.get());
      }
      return out;
    } finally {
      meshes.forEach(PeerMesh::close);
      pool.shutdownNow();
    }
  }

  interface Intruder {
    void visit(int portA, int portB) throws Exception;
  }

  private static int port(String address) {
    String hostPort = address.substring(0, address.lastIndexOf('@'));
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  @ParameterizedTest(name = "encrypted {0}")
  @ValueSource(booleans = {false, true})
  void theAverageIsTheDriversBitForBitWithAndWithoutEncryption(boolean encrypt)
      throws Exception {
    List<WorkerResult> results = results(70_001, 140_002);
    ParameterAccumulator driver = new ParameterAccumulator();
    results.forEach(driver::add);
    for (CollectiveAverager.Averaged a : average(key("app secret", encrypt), results, null)) {
      assertThat(a.params()).containsExactly(driver.averageParams());
      assertThat(a.state()).containsExactly(driver.averageState());
      assertThat(a.examples()).isEqualTo(81);
    }
  }

  @ParameterizedTest(name = "encrypted {0}")
  @ValueSource(booleans = {false, true})
  void strangersAreRefusedAndDelayNoOne(boolean encrypt) throws Exception {
    List<WorkerResult> results = results(1001, 2002);
    ParameterAccumulator driver = new ParameterAccumulator();
    results.forEach(driver::add);
    LinkSecurity security = key("app secret", encrypt);
    List<Socket> strangers = new ArrayList<>();
    List<Future<String>> answers = new ArrayList<>();
    ExecutorService pool = Executors.newCachedThreadPool();
    long start = System.nanoTime();
    try {
      List<CollectiveAverager.Averaged> averaged = average(security, results, (portA, portB) -> {
        for (int port : new int[] {portA, portB}) {
          // Connects and says nothing.
          strangers.add(connect(port));
          // A megabyte of noise.
          answers.add(pool.submit(() -> sendNoise(port, 1 << 20)));
          // A well-formed handshake with another application's key, claiming rank 0 and 1.
          for (int rank = 0; rank < 2; rank++) {
            int r = rank;
            answers.add(pool.submit(() -> handshake(port, key("another secret", encrypt), r,
                port == portA ? 0 : 1)));
          }
        }
        // The right key, but a rank that is not due here: b's own, and one out of range.
        answers.add(pool.submit(() -> handshake(portB, security, 1, 1)));
        answers.add(pool.submit(() -> handshake(portB, security, 7, 1)));
      });
      for (CollectiveAverager.Averaged a : averaged) {
        assertThat(a.params()).containsExactly(driver.averageParams());
      }
      // The silent connections were never waited for (the handshake timeout is 15 s).
      assertThat((System.nanoTime() - start) / 1e9).isLessThan(10);
      for (Future<String> f : answers) {
        assertThat(f.get()).as("what a stranger got").startsWith("refused");
      }
    } finally {
      for (Socket s : strangers) {
        s.close();
      }
      pool.shutdownNow();
    }
  }

  @Test
  void aRankConnectsOnceAndTheRunsOwnPeerIsCheckedToo() throws Exception {
    LinkSecurity security = key("app secret", false);
    PeerMesh listener = PeerMesh.listen("127.0.0.1", TIMEOUT_MS, false, security);
    try {
      // A stranger listening where a peer should be: the connecting worker refuses it.
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try (ServerSocket fake = new ServerSocket(0, 1,
          InetAddress.getLoopbackAddress())) {
        Future<?> impostor = pool.submit(() -> {
          try (Socket s = fake.accept()) {
            Handshake.accept(s, key("another secret", false), "mesh", 1, r -> true, 1024,
                TIMEOUT_MS);
          } catch (IOException expected) {
            // the worker's MAC does not verify under the impostor's key: it answers nothing
          }
          return null;
        });
        String fakeAddress = "127.0.0.1:" + fake.getLocalPort() + "@"
            + "00000000-0000-0000-0000-000000000000";
        assertThatThrownBy(() -> listener.connect(0, List.of(listener.address(), fakeAddress)))
            .hasMessageContaining("cannot connect to synchronization peer rank 1")
            .hasMessageContaining("refused this worker's handshake");
        impostor.get();
      } finally {
        pool.shutdownNow();
      }
    } finally {
      listener.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(SyncFaults.Fault.class)
  void aBadPeerFailsTheRoundNamingItAndWhatWasWrong(SyncFaults.Fault fault) throws Exception {
    List<WorkerResult> results = results(1001, 2002);
    SyncFaults.injectOnce(fault, 1, 2);
    long timeoutMs = fault == SyncFaults.Fault.STOP_SENDING ? 1500 : TIMEOUT_MS;
    PeerMesh a = PeerMesh.listen("127.0.0.1", timeoutMs, false, key("k", false));
    PeerMesh b = PeerMesh.listen("127.0.0.1", timeoutMs, false, key("k", false));
    List<String> addresses = List.of(a.address(), b.address());
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> futures = new ArrayList<>();
      PeerMesh[] meshes = {a, b};
      for (int rank = 0; rank < 2; rank++) {
        int r = rank;
        futures.add(pool.submit(() -> {
          meshes[r].connect(r, addresses);
          CollectiveAverager averager = new CollectiveAverager(meshes[r], true,
              SyncPrecision.FLOAT32, CollectiveAveragerTest.declared(results));
          averager.average(1, results.get(r));
          averager.average(2, results.get(r));
          return null;
        }));
      }
      String expected = switch (fault) {
        case CORRUPT_BYTE -> "its checksum does not match its content (corrupted in transit)";
        case WRONG_LENGTH -> "it carries 501 parameter and 1001 optimizer-state values, "
            + "expected 500 and 1001";
        case WRONG_EXAMPLES -> "synchronization peer rank 1 declares 42 examples in 3 steps, "
            + "but its shard gives 41 in 3 (round 2)";
        case STOP_SENDING -> "synchronization peer rank 1 at 127.0.0.1:";
      };
      assertThatThrownBy(() -> futures.get(0).get()).isInstanceOf(ExecutionException.class)
          .hasMessageContaining(expected)
          .hasMessageContaining(fault == SyncFaults.Fault.WRONG_EXAMPLES ? "refused rather "
              + "than averaged wrong" : "rank 1");
    } finally {
      a.close();
      b.close();
      pool.shutdownNow();
    }
  }

  @Test
  void aFrameIsCheckedBeforeItsArraysAreAllocated() throws Exception {
    SyncFrame frame = new SyncFrame(4, 10, 1.5, 2, 7, 99, new float[] {1, 2, 3},
        new float[] {4}, false);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    frame.writeTo(new DataOutputStream(bytes), SyncFrame.newChunk());
    byte[] wire = bytes.toByteArray();
    assertThat((long) wire.length).isEqualTo(frame.sizeBytes());
    SyncFrame back = SyncFrame.readFrom(in(wire), SyncFrame.newChunk(),
        new SyncFrame.FrameShape(3, 1, false));
    assertThat(back.params()).containsExactly(1, 2, 3);
    assertThat(back.state()).containsExactly(4);
    // A length of two billion is refused from the header, before any array exists.
    byte[] forged = wire.clone();
    ByteBuffer.wrap(forged).putInt(SyncFrame.HEADER_BYTES - 8, Integer.MAX_VALUE);
    assertThatThrownBy(() -> SyncFrame.readFrom(in(forged), SyncFrame.newChunk(),
        new SyncFrame.FrameShape(3, 1, false)))
        .hasMessage("it carries 2147483647 parameter and 1 optimizer-state values, expected 3 "
            + "and 1");
    assertThatThrownBy(() -> SyncFrame.readFrom(in(wire), SyncFrame.newChunk(),
        new SyncFrame.FrameShape(3, 1, true)))
        .hasMessageContaining("precision flag is 0, expected 1 (bfloat16)");
    for (int i = 0; i < wire.length; i++) {
      byte[] flipped = wire.clone();
      flipped[i] ^= 0x01;
      assertThatThrownBy(() -> SyncFrame.readFrom(in(flipped), SyncFrame.newChunk(),
          new SyncFrame.FrameShape(3, 1, false))).as("a bit flipped in byte %d", i)
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void sealedRecordsRoundTripAndRefuseTamperingAndForgedLengths() throws Exception {
    byte[] key = new byte[32];
    key[0] = 9;
    byte[] message = new byte[600_000];
    new Random(1).nextBytes(message);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    try (OutputStream out = new SealedOutputStream(wire, key)) {
      out.write(message);
      out.flush();
    }
    byte[] sealed = wire.toByteArray();
    assertThat(new SealedInputStream(new ByteArrayInputStream(sealed), key).readAllBytes())
        .isEqualTo(message);
    // Anything changed in a record: no byte of it comes out.
    byte[] tampered = sealed.clone();
    tampered[300_000] ^= 0x40;
    assertThatThrownBy(() -> new SealedInputStream(new ByteArrayInputStream(tampered), key)
        .readAllBytes()).hasMessageContaining("record 1 failed authentication");
    // Records swapped (same length): the sequence number in the IV catches it.
    int record = 4 + SealedOutputStream.RECORD_BYTES + RecordCipher.TAG_BYTES;
    byte[] swapped = sealed.clone();
    System.arraycopy(sealed, record, swapped, 0, record);
    System.arraycopy(sealed, 0, swapped, record, record);
    assertThatThrownBy(() -> new SealedInputStream(new ByteArrayInputStream(swapped), key)
        .readAllBytes()).hasMessageContaining("record 0 failed authentication");
    // Another key: refused.
    byte[] other = key.clone();
    other[1] = 1;
    assertThatThrownBy(() -> new SealedInputStream(new ByteArrayInputStream(sealed), other)
        .readAllBytes()).hasMessageContaining("failed authentication");
    // A forged record length is refused before a buffer is sized to it.
    byte[] huge = {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
    assertThatThrownBy(() -> new SealedInputStream(new ByteArrayInputStream(huge), key).read())
        .hasMessageContaining("claims 2147483647 bytes; allowed are 16 to 262160");
  }

  private static DataInputStream in(byte[] bytes) {
    return new DataInputStream(new ByteArrayInputStream(bytes));
  }

  private static Socket connect(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    return s;
  }

  /** Sends noise; "refused" when the listener closed the connection without a word. */
  private static String sendNoise(int port, int bytes) throws IOException {
    try (Socket s = connect(port)) {
      s.setSoTimeout(10_000);
      byte[] noise = new byte[bytes];
      new Random(port).nextBytes(noise);
      try {
        s.getOutputStream().write(noise);
        s.getOutputStream().flush();
      } catch (IOException e) {
        return "refused while sending: " + e.getMessage();
      }
      DataInputStream in = new DataInputStream(s.getInputStream());
      try {
        // The listener's challenge; a connection still waiting in the backlog when the mesh
        // closes its port after its peers came is closed without one.
        in.readFully(new byte[4 + Handshake.CHALLENGE_BYTES]);
        return in.read() < 0 ? "refused" : "answered";
      } catch (IOException e) {
        return "refused: " + e.getMessage();
      }
    }
  }

  /** A handshake as a worker would make it; "refused" when the listener does not answer. */
  private static String handshake(int port, LinkSecurity security, int rank, int serverRank)
      throws IOException {
    try (Socket s = connect(port)) {
      Handshake.connect(s, security, "mesh", rank, serverRank, 1024, 10_000);
      return "admitted";
    } catch (IOException e) {
      return "refused: " + e.getMessage();
    }
  }
}
