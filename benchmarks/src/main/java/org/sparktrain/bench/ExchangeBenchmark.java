package org.sparktrain.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.sparktrain.worker.sync.CollectiveAverager;
import org.sparktrain.worker.sync.LinkSecurity;
import org.sparktrain.worker.sync.PeerMesh;
import org.sparktrain.worker.sync.SyncPrecision;
import org.sparktrain.worker.train.WorkerResult;

/**
 * The collective synchronization alone, without training: N workers on threads of one JVM
 * average P parameters and 2P optimizer-state values (Adam) per round with {@link
 * CollectiveAverager}, over loopback TCP (plain and sealed with AES-GCM, as with Spark's network
 * encryption on) and with the in-JVM hand-off, interleaved. Reports the
 * median ms per round after a warm-up, beside the physical limit measured in the same run: one
 * thread copying the bytes a worker must touch (its contribution out, the averages in) with
 * {@code System.arraycopy}.
 *
 * <p>Why a separate program: on the spine benchmark the exchange is 3-8 ms of a 15-70 ms round
 * on a shared 2-core machine, below the run-to-run noise of the whole round.
 */
public final class ExchangeBenchmark {
  private static final String USAGE = "ExchangeBenchmark [--params 269322] [--workers 2] "
      + "[--rounds 300] [--warmup 100] [--reps 3]";

  private ExchangeBenchmark() {}

  public static void main(String[] argv) throws Exception {
    BenchArgs args = BenchArgs.parse(argv, Set.of("params", "workers", "rounds", "warmup",
        "reps"), USAGE);
    int params = args.integer("params", 269_322, 1, USAGE);
    int workers = args.integer("workers", 2, 2, USAGE);
    int rounds = args.integer("rounds", 300, 1, USAGE);
    int warmup = args.integer("warmup", 100, 0, USAGE);
    int reps = args.integer("reps", 3, 1, USAGE);
    List<double[]> tcp = new ArrayList<>();
    List<double[]> sealed = new ArrayList<>();
    List<double[]> handOff = new ArrayList<>();
    List<Double> copies = new ArrayList<>();
    for (int rep = 1; rep <= reps; rep++) {
      tcp.add(run(params, workers, rounds, warmup, false, false));
      sealed.add(run(params, workers, rounds, warmup, false, true));
      handOff.add(run(params, workers, rounds, warmup, true, false));
      copies.add(copyMs(params, rounds));
      System.err.printf(Locale.ROOT, "[exchange] rep %d: tcp %.2f ms, tcp encrypted %.2f ms, "
          + "hand-off %.2f ms, copy limit %.2f ms%n", rep, median(tcp.get(rep - 1)),
          median(sealed.get(rep - 1)), median(handOff.get(rep - 1)), copies.get(rep - 1));
    }
    double t = median(tcp.stream().mapToDouble(ExchangeBenchmark::median).toArray());
    double e = median(sealed.stream().mapToDouble(ExchangeBenchmark::median).toArray());
    double h = median(handOff.stream().mapToDouble(ExchangeBenchmark::median).toArray());
    double c = median(copies.stream().mapToDouble(Double::doubleValue).toArray());
    long bytes = 3L * params * Float.BYTES;
    System.out.println("| workers | bytes per worker | tcp ms | tcp encrypted ms | encrypted / "
        + "tcp | hand-off ms | tcp / hand-off | copy limit ms |");
    System.out.printf(Locale.ROOT, "| %d | %,d | %.2f | %.2f | %.2fx | %.2f | %.2fx | %.2f |%n",
        workers, bytes, t, e, e / t, h, t / h, c);
  }

  /** Median ms per round of each worker's {@code average} calls after the warm-up. */
  private static double[] run(int params, int workers, int rounds, int warmup, boolean handOff,
      boolean encrypt) throws Exception {
    List<PeerMesh> meshes = new ArrayList<>();
    List<String> addresses = new ArrayList<>();
    byte[] nonce = new byte[16];
    new Random(1).nextBytes(nonce);
    LinkSecurity security = LinkSecurity.derive(nonce.clone(), nonce, encrypt);
    for (int i = 0; i < workers; i++) {
      PeerMesh m = PeerMesh.listen("127.0.0.1", 60_000, handOff, security);
      meshes.add(m);
      addresses.add(m.address());
    }
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      List<Future<double[]>> futures = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        int rank = w;
        futures.add(pool.submit(() -> {
          meshes.get(rank).connect(rank, addresses);
          CollectiveAverager averager = new CollectiveAverager(meshes.get(rank), true,
              SyncPrecision.FLOAT32, new CollectiveAverager.PeerExpectations() {
                @Override
                public long examples(int worker, long round) {
                  return 32;
                }

                @Override
                public int steps(long round) {
                  return 1;
                }
              });
          Random random = new Random(rank);
          float[] p = new float[params];
          float[] s = new float[2 * params];
          for (int i = 0; i < params; i++) {
            p[i] = random.nextFloat();
            s[i] = random.nextFloat();
          }
          double[] ms = new double[rounds];
          for (int r = 0; r < warmup + rounds; r++) {
            // The worker's fresh result, as the trainer exports one every round.
            WorkerResult mine = new WorkerResult(rank, p, s, 32, 1.0, 1, 0);
            long start = System.nanoTime();
            averager.average(r, mine);
            if (r >= warmup) {
              ms[r - warmup] = (System.nanoTime() - start) / 1e6;
            }
          }
          return ms;
        }));
      }
      double[] all = new double[0];
      for (int w = 0; w < workers; w++) {
        all = concat(all, futures.get(w).get());
      }
      return all;
    } finally {
      meshes.forEach(PeerMesh::close);
      pool.shutdownNow();
    }
  }

  /**
   * The least an in-memory exchange can cost one worker: copying its contribution out (3P
   * floats) and the averages in (3P floats), on one thread. Median ms over the rounds.
   */
  private static double copyMs(int params, int rounds) {
    float[] from = new float[3 * params];
    float[] to = new float[3 * params];
    Arrays.fill(from, 1f);
    double[] ms = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      long start = System.nanoTime();
      System.arraycopy(from, 0, to, 0, from.length);
      System.arraycopy(to, 0, from, 0, to.length);
      ms[r] = (System.nanoTime() - start) / 1e6;
    }
    return median(ms);
  }

  private static double[] concat(double[] a, double[] b) {
    double[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static double median(double[] values) {
    return BenchJson.median(values);
  }
}
