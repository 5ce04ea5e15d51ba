package org.sparktrain.worker.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.worker.data.ExampleBlock;

/**
 * Minibatches for a language model. Each row of a token block holds T + 1 token ids (as floats,
 * exact below 2^24); the input is the first T, the target of position t is token t + 1, as in
 * nanoGPT. Shapes are what {@code TransformerNetworks} expects: input [n, 1, T] and sparse
 * labels [n, 1, T].
 */
public final class NextTokenBatches {
  private NextTokenBatches() {}

  /** Rows {@code order[from..to)} of the block (storage order when order is null). */
  public static DataSet assemble(ExampleBlock block, int[] order, int from, int to) {
    int n = to - from;
    int t = block.width() - 1;
    float[] x = new float[n * t];
    float[] y = new float[n * t];
    for (int i = 0; i < n; i++) {
      int row = order == null ? from + i : order[from + i];
      int base = row * block.width();
      System.arraycopy(block.features(), base, x, i * t, t);
      System.arraycopy(block.features(), base + 1, y, i * t, t);
    }
    INDArray features = NativeArrays.fromFloats(x, n, t).reshape('c', n, 1, t);
    INDArray labels = NativeArrays.fromFloats(y, n, t).reshape('c', n, 1, t);
    return new DataSet(features, labels);
  }
}
