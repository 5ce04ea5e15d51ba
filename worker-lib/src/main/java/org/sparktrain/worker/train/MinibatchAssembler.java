package org.sparktrain.worker.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.worker.data.ExampleBlock;

/** Copies selected rows of a block into DL4J feature and label matrices. */
public final class MinibatchAssembler {
  private final boolean oneHotLabels;
  private final int outputWidth;
  private final boolean nextToken;

  public MinibatchAssembler(boolean oneHotLabels, int outputWidth) {
    this(oneHotLabels, outputWidth, false);
  }

  private MinibatchAssembler(boolean oneHotLabels, int outputWidth, boolean nextToken) {
    this.oneHotLabels = oneHotLabels;
    this.outputWidth = outputWidth;
    this.nextToken = nextToken;
  }

  /** The assembler a run's settings call for (token blocks for language models). */
  public static MinibatchAssembler of(TrainerSettings settings) {
    return new MinibatchAssembler(settings.oneHotLabels(), settings.outputWidth(),
        settings.languageModel());
  }

  /** Rows {@code order[from..to)} of the block, in that order. */
  public DataSet assemble(ExampleBlock block, int[] order, int from, int to) {
    if (nextToken) {
      return NextTokenBatches.assemble(block, order, from, to);
    }
    int n = to - from;
    int width = block.width();
    float[] x = new float[n * width];
    float[] y = new float[n * outputWidth];
    for (int i = 0; i < n; i++) {
      int row = order == null ? from + i : order[from + i];
      System.arraycopy(block.features(), row * width, x, i * width, width);
      float label = block.labels()[row];
      if (oneHotLabels) {
        y[i * outputWidth + (int) label] = 1f;
      } else {
        y[i] = label;
      }
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
