package org.sparktrain.worker.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.worker.augment.ImageAugmenter;
import org.sparktrain.worker.data.ExampleBlock;

/**
 * Copies selected rows of a block of numeric rows into DL4J feature and label matrices (the
 * batches of {@link Task.Rows} and {@link Task.Images}; evaluation and the benchmarks use it
 * directly).
 */
public final class MinibatchAssembler {
  private final boolean oneHotLabels;
  private final int outputWidth;

  public MinibatchAssembler(boolean oneHotLabels, int outputWidth) {
    this.oneHotLabels = oneHotLabels;
    this.outputWidth = outputWidth;
  }

  /** Rows {@code order[from..to)} of the block, in that order (storage order when null). */
  public DataSet assemble(ExampleBlock block, int[] order, int from, int to) {
    return assemble(block, order, from, to, null, 0);
  }

  /** The same rows, augmented for {@code round} when an augmenter is given. */
  DataSet assemble(ExampleBlock block, int[] order, int from, int to, ImageAugmenter augmenter,
      long round) {
    int n = to - from;
    int width = block.width();
    float[] x = new float[n * width];
    float[] y = new float[n * outputWidth];
    int[] rows = new int[n];
    for (int i = 0; i < n; i++) {
      int row = order == null ? from + i : order[from + i];
      rows[i] = row;
      System.arraycopy(block.features(), row * width, x, i * width, width);
      float label = block.labels()[row];
      if (oneHotLabels) {
        y[i * outputWidth + (int) label] = 1f;
      } else {
        y[i] = label;
      }
    }
    if (augmenter != null) {
      // Keyed by the row's index in its shard: the same example gets a fresh variant each round,
      // and a retried task the same one.
      augmenter.augmentRows(x, rows, round, block.partition());
    }
    INDArray features = NativeArrays.fromFloats(x, n, width);
    INDArray labels = NativeArrays.fromFloats(y, n, outputWidth);
    return new DataSet(features, labels);
  }

  /** All rows of the block in storage order. */
  public DataSet assembleAll(ExampleBlock block) {
    return assemble(block, null, 0, block.rows());
  }
}
