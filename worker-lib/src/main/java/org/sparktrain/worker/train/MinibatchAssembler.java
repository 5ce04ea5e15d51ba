package org.sparktrain.worker.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.worker.augment.ImageAugmenter;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.text.MaskingPolicy;

/** Copies selected rows of a block into DL4J feature and label matrices. */
public final class MinibatchAssembler {
  private final boolean oneHotLabels;
  private final int outputWidth;
  private final boolean nextToken;
  private final MaskingPolicy masking;
  private final long seed;
  private final ImageAugmenter augmenter;
  private final int padToken;

  public MinibatchAssembler(boolean oneHotLabels, int outputWidth) {
    this(oneHotLabels, outputWidth, false, null, 0, null, -1);
  }

  private MinibatchAssembler(boolean oneHotLabels, int outputWidth, boolean nextToken,
      MaskingPolicy masking, long seed, ImageAugmenter augmenter, int padToken) {
    this.oneHotLabels = oneHotLabels;
    this.outputWidth = outputWidth;
    this.nextToken = nextToken;
    this.masking = masking;
    this.seed = seed;
    this.augmenter = augmenter;
    this.padToken = padToken;
  }

  /**
   * The assembler a run's settings call for: token blocks for language models, padded token
   * rows for text classifiers, augmented images where the spec asks.
   */
  public static MinibatchAssembler of(TrainerSettings settings) {
    return new MinibatchAssembler(settings.oneHotLabels(), settings.outputWidth(),
        settings.languageModel(), settings.masking(), settings.seed(), settings.augmenter(),
        settings.padToken());
  }

  /** Rows {@code order[from..to)} of the block, in that order (masked for round 0). */
  public DataSet assemble(ExampleBlock block, int[] order, int from, int to) {
    return assemble(block, order, from, to, 0);
  }

  /**
   * Rows {@code order[from..to)} of the block; a masked-LM batch is masked, and an image batch
   * augmented, for {@code round}. Only training batches come through here with an augmenter.
   */
  public DataSet assemble(ExampleBlock block, int[] order, int from, int to, long round) {
    if (masking != null) {
      return MaskedTokenBatches.assemble(block, order, from, to, masking, seed, round);
    }
    if (nextToken) {
      return NextTokenBatches.assemble(block, order, from, to);
    }
    if (padToken >= 0) {
      return TextClassBatches.assemble(block, order, from, to, outputWidth, padToken);
    }
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
