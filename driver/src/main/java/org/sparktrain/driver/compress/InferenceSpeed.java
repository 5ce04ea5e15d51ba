package org.sparktrain.driver.compress;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.worker.model.Network;

/**
 * Rows per second of a network's inference on this JVM, minibatches of {@link #BATCH} rows of
 * random features: what a compressed model changes in serving cost. Warm-up batches first (JIT
 * and ND4J's workspaces), then batches for at least {@link #MIN_NANOS}.
 */
final class InferenceSpeed {
  static final int BATCH = 1024;
  private static final int WARMUP_BATCHES = 3;
  private static final long MIN_NANOS = 1_000_000_000L;

  private InferenceSpeed() {}

  static double rowsPerSecond(Network net, int numFeatures) {
    Nd4j.getRandom().setSeed(7);
    INDArray rows = Nd4j.rand(DataType.FLOAT, BATCH, numFeatures);
    for (int i = 0; i < WARMUP_BATCHES; i++) {
      net.output(rows);
    }
    long start = System.nanoTime();
    long batches = 0;
    while (System.nanoTime() - start < MIN_NANOS) {
      net.output(rows);
      batches++;
    }
    return batches * BATCH * 1e9 / (System.nanoTime() - start);
  }
}
