package org.sparktrain.worker.eval;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.text.MaskingPolicy;
import org.sparktrain.worker.train.MaskedTokenBatches;
import org.sparktrain.worker.train.NativeArrays;

/**
 * A masked-language model on token blocks, masked by the training recipe but with one fixed
 * draw ({@link #EVAL_ROUND}) so every validation sees the same masked positions. Accumulates
 * {@code {sum of -ln p(original), correct argmax, masked positions, positions where the most
 * frequent training token is the answer}}: the last gives the baseline of always predicting
 * that token on exactly the same positions.
 */
public final class MaskedTokenEval {
  /** The masking draw validation uses; training rounds are never negative. */
  public static final long EVAL_ROUND = -1;
  private static final int ROWS_PER_PASS = 32;
  private static final double MIN_PROBABILITY = 1e-30;

  private MaskedTokenEval() {}

  public static double[] accumulate(Network net, ExampleBlock block,
      MaskingPolicy policy, long seed, int mostFrequentToken, double[] acc) {
    int t = block.width() - 1;
    for (int from = 0; from < block.rows(); from += ROWS_PER_PASS) {
      int to = Math.min(block.rows(), from + ROWS_PER_PASS);
      DataSet batch = MaskedTokenBatches.assemble(block, null, from, to, policy, seed,
          EVAL_ROUND);
      INDArray out = net.output(batch.getFeatures());
      int n = to - from;
      int vocab = (int) out.size(1);
      float[] p = NativeArrays.toFloats(out);
      float[] labels = NativeArrays.toFloats(batch.getLabels());
      float[] mask = NativeArrays.toFloats(batch.getLabelsMaskArray());
      for (int i = 0; i < n; i++) {
        for (int pos = 0; pos < t; pos++) {
          if (mask[i * t + pos] == 0) {
            continue;
          }
          int target = (int) labels[i * t + pos];
          int best = 0;
          for (int v = 1; v < vocab; v++) {
            if (p[(i * vocab + v) * t + pos] > p[(i * vocab + best) * t + pos]) {
              best = v;
            }
          }
          acc[0] -= Math.log(Math.max(p[(i * vocab + target) * t + pos], MIN_PROBABILITY));
          acc[1] += best == target ? 1 : 0;
          acc[2] += 1;
          acc[3] += target == mostFrequentToken ? 1 : 0;
        }
      }
    }
    return acc;
  }
}
