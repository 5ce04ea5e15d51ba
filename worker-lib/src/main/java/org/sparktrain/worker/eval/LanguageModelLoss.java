package org.sparktrain.worker.eval;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.train.NativeArrays;
import org.sparktrain.worker.train.NextTokenBatches;

/**
 * Next-token cross-entropy of a language model on token blocks, summed in double precision:
 * {@code {sum of -ln p(target), number of targets}}. Computed from the softmax output rather
 * than DL4J's score, whose scaling (summed over positions, averaged over the batch) would have
 * to be undone.
 */
public final class LanguageModelLoss {
  private static final int ROWS_PER_PASS = 32;
  /** Probabilities are floats: a target the model gives exactly 0 costs this much, not inf. */
  private static final double MIN_PROBABILITY = 1e-30;

  private LanguageModelLoss() {}

  /** Adds this block's loss sum and target count to {@code acc} ({sum, count}) and returns it. */
  public static double[] accumulate(Network net, ExampleBlock block, double[] acc) {
    int t = block.width() - 1;
    for (int from = 0; from < block.rows(); from += ROWS_PER_PASS) {
      int to = Math.min(block.rows(), from + ROWS_PER_PASS);
      DataSet batch = NextTokenBatches.assemble(block, null, from, to);
      INDArray out = net.output(batch.getFeatures());
      int n = to - from;
      int vocab = (int) out.size(1);
      float[] p = NativeArrays.toFloats(out);
      for (int i = 0; i < n; i++) {
        int base = (from + i) * block.width();
        for (int pos = 0; pos < t; pos++) {
          int target = (int) block.features()[base + pos + 1];
          double prob = p[(i * vocab + target) * t + pos];
          acc[0] -= Math.log(Math.max(prob, MIN_PROBABILITY));
        }
      }
      acc[1] += (double) n * t;
    }
    return acc;
  }
}
