package org.sparktrain.worker.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.text.MaskedBlock;
import org.sparktrain.worker.text.MaskingPolicy;

/**
 * Minibatches for masked-language modelling. A row of a token block holds T + 1 ids (the
 * packing GPT uses); BERT reads the first T. Each row is masked by the BERT recipe with draws
 * seeded by (seed, round, partition, row), so every epoch masks differently (RoBERTa's dynamic
 * masking) and a retried task masks the same. Labels are the original ids, scored only at the
 * masked positions through the label mask.
 */
public final class MaskedTokenBatches {
  private MaskedTokenBatches() {}

  /**
   * Rows {@code order[from..to)} of the block (storage order when order is null), masked for
   * {@code round}.
   */
  public static DataSet assemble(ExampleBlock block, int[] order, int from, int to,
      MaskingPolicy policy, long seed, long round) {
    int n = to - from;
    int t = block.width() - 1;
    float[] x = new float[n * t];
    float[] y = new float[n * t];
    float[] mask = new float[n * t];
    int[] tokens = new int[t];
    for (int i = 0; i < n; i++) {
      int row = order == null ? from + i : order[from + i];
      int base = row * block.width();
      for (int p = 0; p < t; p++) {
        tokens[p] = (int) block.features()[base + p];
      }
      MaskedBlock masked = policy.apply(tokens, seed, round, block.partition(), row);
      for (int p = 0; p < t; p++) {
        x[i * t + p] = masked.inputs()[p];
        int label = masked.labels()[p];
        // Unscored positions need some valid id for the sparse loss: the input token.
        y[i * t + p] = label == MaskedBlock.IGNORED ? tokens[p] : label;
        mask[i * t + p] = masked.labelMask()[p];
      }
    }
    INDArray features = NativeArrays.fromFloats(x, n, t).reshape('c', n, 1, t);
    INDArray labels = NativeArrays.fromFloats(y, n, t).reshape('c', n, 1, t);
    return new DataSet(features, labels, null, NativeArrays.fromFloats(mask, n, t));
  }
}
