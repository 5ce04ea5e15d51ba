package org.sparktrain.worker.backend;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.nd4j.linalg.api.blas.Blas;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measures this machine's peak: a {@value #SIZE} x {@value #SIZE} single-precision matrix
 * multiply through ND4J (the native build this JVM loaded, so the peak is that build's), best of
 * {@value #REPEATS} after one warm-up, on one thread and on all cores. Measured once per JVM and
 * cached: eight multiplies of 2.1 GFLOP, about a third of a second at 50-60 GFLOP/s.
 *
 * <p>It stays out of training's way: it runs before training, its matrices are filled with
 * fixed values (no random generator is touched), and the thread limits it changes are put back
 * as they were. JVMs on one machine measure one after another (a lock file in the temporary
 * folder), so two executors of a host do not halve each other's all-cores figure.
 */
public final class PeakGemm {
  public static final int SIZE = 1024;
  static final int REPEATS = 3;
  private static final long LOCK_WAIT_MS = 10_000;
  private static final String LOCK_FILE = "sparktrain-peak-gemm.lock";
  private static MachinePeak cached;

  private PeakGemm() {}

  /** This JVM's peak, measured on the first call. */
  public static synchronized MachinePeak measured() {
    if (cached == null) {
      cached = measureOnceOnThisHost();
    }
    return cached;
  }

  private static MachinePeak measureOnceOnThisHost() {
    Path lockFile = Path.of(System.getProperty("java.io.tmpdir"), LOCK_FILE);
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE); FileLock lock = waitFor(channel)) {
      return measure(Runtime.getRuntime().availableProcessors());
    } catch (IOException e) {
      // No writable temporary folder: measure anyway, perhaps beside another JVM.
      return measure(Runtime.getRuntime().availableProcessors());
    }
  }

  /** The host's lock, or null after waiting {@link #LOCK_WAIT_MS} for a stuck holder. */
  private static FileLock waitFor(FileChannel channel) throws IOException {
    long deadline = System.currentTimeMillis() + LOCK_WAIT_MS;
    while (System.currentTimeMillis() < deadline) {
      FileLock lock = channel.tryLock();
      if (lock != null) {
        return lock;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
    return null;
  }

  static MachinePeak measure(int cores) {
    long start = System.nanoTime();
    Environment env = Nd4j.getEnvironment();
    Blas blas = Nd4j.factory().blas();
    int maxThreads = env.maxThreads();
    int masterThreads = env.maxMasterThreads();
    int blasThreads = blas.getMaxThreads();
    try (INDArray a = filled(1); INDArray b = filled(2);
        INDArray c = Nd4j.createUninitialized(DataType.FLOAT, SIZE, SIZE)) {
      double one = bestGflops(a, b, c, 1);
      double all = cores == 1 ? one : bestGflops(a, b, c, cores);
      return new MachinePeak(cores, one, all, (System.nanoTime() - start) / 1e9);
    } finally {
      env.setMaxThreads(maxThreads);
      env.setMaxMasterThreads(masterThreads);
      blas.setMaxThreads(blasThreads);
    }
  }

  private static double bestGflops(INDArray a, INDArray b, INDArray c, int threads) {
    Nd4j.getEnvironment().setMaxThreads(threads);
    Nd4j.getEnvironment().setMaxMasterThreads(threads);
    Nd4j.factory().blas().setMaxThreads(threads);
    Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
    long best = Long.MAX_VALUE;
    for (int i = 0; i < REPEATS; i++) {
      long t0 = System.nanoTime();
      Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
      best = Math.min(best, System.nanoTime() - t0);
    }
    return 2.0 * SIZE * SIZE * SIZE / best;
  }

  /** Fixed values in [-1, 1): no random generator, so no training draw can shift. */
  private static INDArray filled(int salt) {
    float[] values = new float[SIZE * SIZE];
    for (int i = 0; i < values.length; i++) {
      values[i] = ((i * 31 + salt * 17) % 97) / 48.5f - 1f;
    }
    return Nd4j.create(values, new long[] {SIZE, SIZE}, 'c');
  }
}
