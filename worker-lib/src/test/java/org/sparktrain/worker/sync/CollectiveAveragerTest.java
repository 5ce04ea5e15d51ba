package org.sparktrain.worker.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparktrain.worker.train.ParameterAccumulator;
import org.sparktrain.worker.train.WorkerResult;

/**
 * Workers on threads of this JVM against the driver's own averaging, over loopback TCP and with
 * frames handed over in memory.
 */
class CollectiveAveragerTest {
  private static final long TIMEOUT_MS = 20_000;
  static final LinkSecurity KEY = LinkSecurity.derive(new byte[] {1, 2, 3},
      new byte[16], false);
  /** Bytes all meshes of the last {@link #runMesh} sent, counted by the sockets' writers. */
  private long meshBytes;

  private static WorkerResult result(int partition, int params, int state, long examples,
      Random random) {
    float[] p = new float[params];
    float[] s = new float[state];
    for (int i = 0; i < params; i++) {
      p[i] = (float) random.nextGaussian() * (1 + i % 7);
    }
    for (int i = 0; i < state; i++) {
      s[i] = (float) Math.abs(random.nextGaussian()) * 1e-3f;
    }
    return new WorkerResult(partition, p, s, examples, examples * 0.5 + partition, 3,
        1000L * (partition + 1));
  }

  private List<CollectiveAverager.Averaged> runMesh(List<WorkerResult> results,
      boolean averageState, boolean... handOff) throws Exception {
    return runMesh(results, averageState, SyncPrecision.FLOAT32, handOff);
  }

  /**
   * @param handOff per worker, whether it takes frames in memory from workers of this JVM that
   *     do too; the others use TCP. Omitted: TCP for all.
   */
  private List<CollectiveAverager.Averaged> runMesh(List<WorkerResult> results,
      boolean averageState, SyncPrecision precision, boolean... handOff) throws Exception {
    int n = results.size();
    List<PeerMesh> meshes = new ArrayList<>();
    List<String> addresses = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      PeerMesh m = PeerMesh.listen("127.0.0.1", TIMEOUT_MS, handOff.length > 0 && handOff[i],
          KEY);
      meshes.add(m);
      addresses.add(m.address());
    }
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<CollectiveAverager.Averaged>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int rank = i;
        futures.add(pool.submit(() -> {
          meshes.get(rank).connect(rank, addresses);
          CollectiveAverager averager = new CollectiveAverager(meshes.get(rank), averageState,
              precision, declared(results));
          averager.average(7, results.get(rank));
          return averager.average(8, results.get(rank));
        }));
      }
      List<CollectiveAverager.Averaged> out = new ArrayList<>();
      for (Future<CollectiveAverager.Averaged> f : futures) {
        out.add(f.get());
      }
      meshBytes = meshes.stream().mapToLong(PeerMesh::bytesSent).sum();
      return out;
    } finally {
      meshes.forEach(PeerMesh::close);
      pool.shutdownNow();
    }
  }

  /** What the workers of {@code results} declare, as their shards would give it. */
  static CollectiveAverager.PeerExpectations declared(List<WorkerResult> results) {
    return new CollectiveAverager.PeerExpectations() {
      @Override
      public long examples(int worker, long round) {
        return results.get(worker).examples();
      }

      @Override
      public int steps(long round) {
        return results.get(0).steps();
      }
    };
  }

  @ParameterizedTest(name = "hand-off per worker {0}")
  @ValueSource(strings = {"tcp,tcp,tcp", "jvm,jvm,jvm", "jvm,tcp,jvm"})
  void everyWorkerGetsTheDriversAverageBitForBit(String transports) throws Exception {
    Random random = new Random(5);
    // 1001 values do not split evenly in 3; worker 2 saw no example and must not count.
    List<WorkerResult> results = List.of(result(0, 1001, 2002, 48, random),
        result(1, 1001, 2002, 31, random), result(2, 1001, 2002, 0, random));
    ParameterAccumulator driver = new ParameterAccumulator();
    results.forEach(driver::add);
    String[] t = transports.split(",");
    boolean[] handOff = new boolean[t.length];
    for (int i = 0; i < t.length; i++) {
      handOff[i] = t[i].equals("jvm");
    }

    for (CollectiveAverager.Averaged a : runMesh(results, true, handOff)) {
      assertThat(a.params()).containsExactly(driver.averageParams());
      assertThat(a.state()).containsExactly(driver.averageState());
      assertThat(a.examples()).isEqualTo(79);
      assertThat(a.meanLoss()).isEqualTo(driver.meanLoss());
      assertThat(a.maxComputeNanos()).isEqualTo(2000L);
      // Each worker sends a third of its 3003 floats to each of two peers, twice: about 2x the
      // synchronized bytes per worker, plus headers. Two rounds ran.
      assertThat(a.roundBytes()).isBetween(3 * 2L * 3003 * 4 * 2 / 3,
          3 * (2L * 3003 * 4 * 2 / 3 + 4 * SyncFrame.FIXED_BYTES + 8));
      assertThat(a.roundBytes() * 2).isEqualTo(meshBytes);
    }
  }

  @Test
  void bfloat16ExchangesHalfTheBytesAndGivesTheDriversRoundedAverage() throws Exception {
    Random random = new Random(11);
    WorkerResult start = result(0, 1001, 2002, 1, random);
    List<WorkerResult> trained = List.of(result(0, 1001, 2002, 48, random),
        result(1, 1001, 2002, 31, random), result(2, 1001, 2002, 17, random));
    // What each worker sends: its rounded change since the round began.
    SyncPrecision bf16 = SyncPrecision.BFLOAT16;
    List<WorkerResult> changes = new ArrayList<>();
    for (WorkerResult r : trained) {
      changes.add(new WorkerResult(r.partition(),
          bf16.contribution(r.params(), start.params()),
          bf16.contribution(r.optimizerState(), start.optimizerState()), r.examples(),
          r.lossSum(), r.steps(), r.computeNanos()));
    }
    ParameterAccumulator driver = new ParameterAccumulator();
    changes.forEach(driver::add);
    runMesh(changes, true);
    long float32Bytes = meshBytes;
    for (CollectiveAverager.Averaged a : runMesh(changes, true, bf16)) {
      assertThat(a.params()).containsExactly(bf16.exchanged(driver.averageParams()));
      assertThat(a.state()).containsExactly(bf16.exchanged(driver.averageState()));
    }
    // Handed over in memory, the frames carry the same values.
    for (CollectiveAverager.Averaged a : runMesh(changes, true, bf16, true, true, true)) {
      assertThat(a.params()).containsExactly(bf16.exchanged(driver.averageParams()));
      assertThat(a.state()).containsExactly(bf16.exchanged(driver.averageState()));
      assertThat(bf16.apply(start.params(), a.params())).containsExactly(
          bf16.apply(start.params(), driver.averageParams()));
    }
    // Headers aside, half the bytes.
    assertThat((double) meshBytes / float32Bytes).isBetween(0.5, 0.51);
  }

  @Test
  void withoutStateAveragingEachWorkerKeepsItsOwnState() throws Exception {
    Random random = new Random(9);
    List<WorkerResult> results = List.of(result(0, 10, 20, 5, random),
        result(1, 10, 20, 6, random));
    List<CollectiveAverager.Averaged> averaged = runMesh(results, false);
    ParameterAccumulator driver = new ParameterAccumulator();
    results.forEach(driver::add);
    for (int i = 0; i < 2; i++) {
      assertThat(averaged.get(i).params()).containsExactly(driver.averageParams());
      assertThat(averaged.get(i).state()).isSameAs(results.get(i).optimizerState());
    }
  }

  @ParameterizedTest(name = "hand-off {0}")
  @ValueSource(booleans = {false, true})
  void aSilentPeerFailsNamingIt(boolean handOff) throws Exception {
    PeerMesh[] pair = connectedPair(1500, handOff);
    PeerMesh a = pair[0];
    PeerMesh b = pair[1];
    try {
      assertThatThrownBy(() -> new CollectiveAverager(a, true, SyncPrecision.FLOAT32,
          declared(List.of(result(0, 4, 0, 1, new Random(1)))))
          .average(3, result(0, 4, 0, 1, new Random(1))))
          .hasMessageContaining("synchronization peer rank 1 at 127.0.0.1:")
          .hasMessageContaining("sent nothing for 1 s (reduce-scatter of round 3)");
    } finally {
      a.close();
      b.close();
    }
  }

  /** Two meshes of this JVM, connected to each other as ranks 0 and 1. */
  private static PeerMesh[] connectedPair(long timeoutMs, boolean handOff) throws Exception {
    PeerMesh a = PeerMesh.listen("127.0.0.1", timeoutMs, handOff, KEY);
    PeerMesh b = PeerMesh.listen("127.0.0.1", timeoutMs, handOff, KEY);
    List<String> addresses = List.of(a.address(), b.address());
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<?> other = pool.submit(() -> {
        b.connect(1, addresses);
        return null;
      });
      a.connect(0, addresses);
      other.get();
      return new PeerMesh[] {a, b};
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aPeerOfThisJvmThatCloses_failsTheWaitingWorkerAtOnce() throws Exception {
    PeerMesh[] pair = connectedPair(60_000, true);
    PeerMesh a = pair[0];
    try {
      pair[1].close();
      long start = System.nanoTime();
      assertThatThrownBy(() -> new CollectiveAverager(a, true, SyncPrecision.FLOAT32,
          declared(List.of(result(0, 4, 0, 1, new Random(1)))))
          .average(3, result(0, 4, 0, 1, new Random(1))))
          .hasMessageContaining("connection from synchronization peer rank 1 at 127.0.0.1:")
          .hasMessageContaining("worker rank 1 closed its end");
      assertThat((System.nanoTime() - start) / 1e9).isLessThan(30);
    } finally {
      a.close();
    }
  }
}
