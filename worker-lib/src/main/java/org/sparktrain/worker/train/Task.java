package org.sparktrain.worker.train;

import java.io.Serializable;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.worker.augment.ImageAugmenter;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.text.MaskingPolicy;

/**
 * What a network learns from the rows of its shard: one type per kind of task, each carrying
 * only what it needs and building its own minibatches, instead of flags and sentinels that every
 * user had to combine correctly.
 */
public sealed interface Task extends Serializable
    permits Task.Rows, Task.Images, Task.NextToken, Task.MaskedTokens, Task.TokenRows,
        Task.Distilled, Task.AsGiven {

  /**
   * The training minibatch of rows {@code order[from..to)} of the block (storage order when
   * order is null) for {@code round}: masking and augmentation vary by round, and a retried
   * task gets the same batch.
   */
  DataSet batch(ExampleBlock block, int[] order, int from, int to, long round);

  /**
   * Whether DL4J's score of a batch is a sum over predicted tokens (a language model's), which
   * the trainer reports per token to compare with the validation loss.
   */
  default boolean scoresTokens() {
    return false;
  }

  /**
   * Rows of numbers with one label each: one-hot over {@code outputWidth} classes, or the value
   * itself (regression; the 0/1 target of a single sigmoid unit).
   */
  record Rows(boolean oneHotLabels, int outputWidth) implements Task {
    @Override
    public DataSet batch(ExampleBlock block, int[] order, int from, int to, long round) {
      return new MinibatchAssembler(oneHotLabels, outputWidth).assemble(block, order, from, to);
    }
  }

  /** Image rows with one-hot classes; every training batch randomly augmented. */
  record Images(int classes, ImageAugmenter augmenter) implements Task {
    @Override
    public DataSet batch(ExampleBlock block, int[] order, int from, int to, long round) {
      return new MinibatchAssembler(true, classes).assemble(block, order, from, to, augmenter,
          round);
    }
  }

  /** Token blocks in which every position predicts the next token (gpt). */
  record NextToken() implements Task {
    @Override
    public DataSet batch(ExampleBlock block, int[] order, int from, int to, long round) {
      return NextTokenBatches.assemble(block, order, from, to);
    }

    @Override
    public boolean scoresTokens() {
      return true;
    }
  }

  /** Token blocks with some positions masked and predicted (bert), masked anew each round. */
  record MaskedTokens(MaskingPolicy masking, long seed) implements Task {
    @Override
    public DataSet batch(ExampleBlock block, int[] order, int from, int to, long round) {
      return MaskedTokenBatches.assemble(block, order, from, to, masking, seed, round);
    }

    @Override
    public boolean scoresTokens() {
      return true;
    }
  }

  /** Rows of token ids padded with {@code padToken}, one class each (bert-classifier). */
  record TokenRows(int classes, int padToken) implements Task {
    @Override
    public DataSet batch(ExampleBlock block, int[] order, int from, int to, long round) {
      return TextClassBatches.assemble(block, order, from, to, classes, padToken);
    }
  }

  /**
   * A classifier's rows or images with the teacher's soft targets beside each one-hot label
   * ({@code [one-hot | soft]}, what {@link org.sparktrain.worker.model.DistillationLoss} reads).
   * The soft targets travel on the shard ({@link ExampleBlock#softTargets()}), computed once
   * before training: a round never runs the teacher.
   */
  record Distilled(Task onLabels) implements Task {
    public Distilled {
      if (!(onLabels instanceof Rows) && !(onLabels instanceof Images)) {
        throw new IllegalArgumentException("distillation is for rows and images, not "
            + onLabels);
      }
    }

    @Override
    public DataSet batch(ExampleBlock block, int[] order, int from, int to, long round) {
      DataSet batch = onLabels.batch(block, order, from, to, round);
      float[] soft = block.softTargets();
      if (soft == null) {
        throw new IllegalStateException("shard " + block.partition() + " has no soft targets");
      }
      int n = to - from;
      int classes = soft.length / block.rows();
      float[] hard = NativeArrays.toFloats(batch.getLabels());
      if (hard.length != n * classes) {
        throw new IllegalStateException("the teacher gives " + classes + " classes, the "
            + "student's labels " + hard.length / Math.max(n, 1));
      }
      float[] both = new float[n * 2 * classes];
      for (int i = 0; i < n; i++) {
        int row = order == null ? from + i : order[from + i];
        System.arraycopy(hard, i * classes, both, i * 2 * classes, classes);
        System.arraycopy(soft, row * classes, both, i * 2 * classes + classes, classes);
      }
      return new DataSet(batch.getFeatures(), NativeArrays.fromFloats(both, n, 2 * classes));
    }
  }

  /**
   * Examples exactly as a DL4J program's DataSets hold them (the DL4J Spark classes): each row
   * is one example's features flattened in C order, {@code labels} holds its label array
   * flattened the same way, and a batch has them back in their shapes. Labels reach the loss
   * untouched (soft, multi-label, regression targets, a sigmoid's 0/1).
   *
   * @param featureShape one example's feature shape ([5] for rows, [1, 28, 28] for images)
   * @param labelShape one example's label shape
   */
  record AsGiven(long[] featureShape, long[] labelShape) implements Task {
    /** Values in one example of an array of {@code shape}. */
    public static int size(long[] shape) {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return Math.toIntExact(n);
    }

    @Override
    public DataSet batch(ExampleBlock block, int[] order, int from, int to, long round) {
      int n = to - from;
      int width = block.width();
      int labelWidth = size(labelShape);
      float[] x = new float[n * width];
      float[] y = new float[n * labelWidth];
      for (int i = 0; i < n; i++) {
        int row = order == null ? from + i : order[from + i];
        System.arraycopy(block.features(), row * width, x, i * width, width);
        System.arraycopy(block.labels(), row * labelWidth, y, i * labelWidth, labelWidth);
      }
      return new DataSet(NativeArrays.fromFloats(x, withRows(n, featureShape)),
          NativeArrays.fromFloats(y, withRows(n, labelShape)));
    }

    private static long[] withRows(int n, long[] shape) {
      long[] full = new long[shape.length + 1];
      full[0] = n;
      System.arraycopy(shape, 0, full, 1, shape.length);
      return full;
    }
  }
}
