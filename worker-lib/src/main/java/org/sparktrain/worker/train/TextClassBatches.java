package org.sparktrain.worker.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.worker.data.ExampleBlock;

/**
 * Minibatches for a text classifier (BERT fine-tuning). A row holds T token ids ([CLS], the
 * text, then [PAD] up to T) and its label is the class. Input [n, 1, T], a feature mask [n, T]
 * that is 0 on padding (attention ignores it), labels one-hot [n, classes].
 */
public final class TextClassBatches {
  private TextClassBatches() {}

  /** Rows {@code order[from..to)} of the block (storage order when order is null). */
  public static DataSet assemble(ExampleBlock block, int[] order, int from, int to,
      int classes, int padToken) {
    int n = to - from;
    int t = block.width();
    float[] x = new float[n * t];
    float[] mask = new float[n * t];
    float[] y = new float[n * classes];
    for (int i = 0; i < n; i++) {
      int row = order == null ? from + i : order[from + i];
      System.arraycopy(block.features(), row * t, x, i * t, t);
      for (int p = 0; p < t; p++) {
        mask[i * t + p] = x[i * t + p] == padToken ? 0f : 1f;
      }
      y[i * classes + (int) block.labels()[row]] = 1f;
    }
    INDArray features = NativeArrays.fromFloats(x, n, t).reshape('c', n, 1, t);
    return new DataSet(features, NativeArrays.fromFloats(y, n, classes),
        NativeArrays.fromFloats(mask, n, t), null);
  }
}
