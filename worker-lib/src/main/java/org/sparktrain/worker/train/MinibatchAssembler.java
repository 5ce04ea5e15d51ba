package org.sparktrain.worker.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.text.MaskingPolicy;

/** Copies selected rows of a block into DL4J feature and label matrices. */
public final class MinibatchAssembler {
  private final boolean oneHotLabels;
  private final int outputWidth;
  private final boolean nextToken;
  private final MaskingPolicy masking;
  private final long seed;

  public MinibatchAssembler(boolean oneHotLabels, int outputWidth) {
    this(oneHotLabels, outputWidth, false, null, 0);
  }

  private MinibatchAssembler(boolean oneHotLabels, int outputWidth, boolean nextToken,
      MaskingPolicy masking, long seed) {
    this.oneHotLabels = oneHotLabels;
    this.outputWidth = outputWidth;
    this.nextToken = nextToken;
    this.masking = masking;
    this.seed = seed;
  }

  /** The assembler a run's settings call for (token blocks for language models). */
  public static MinibatchAssembler of(TrainerSettings settings) {
    return new MinibatchAssembler(settings.oneHotLabels(), settings.outputWidth(),
        settings.languageModel(), settings.masking(), settings.seed());
  }

  /** Rows {@code order[from..to)} of the block, in that order (masked for round 0). */
  public DataSet assemble(ExampleBlock block, int[] order, int from, int to) {
    return assemble(block, order, from, to, 0);
  }

  /** Rows {@code order[from..to)} of the block; a masked-LM batch is masked for {@code round}. */
  public DataSet assemble(ExampleBlock block, int[] order, int from, int to, long round) {
    if (masking != null) {
      return MaskedTokenBatches.assemble(block, order, from, to, masking, seed, round);
    }
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
