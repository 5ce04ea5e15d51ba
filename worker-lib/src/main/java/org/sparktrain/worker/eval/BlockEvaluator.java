package org.sparktrain.worker.eval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.train.NativeArrays;
import org.sparktrain.worker.train.Task;

/** Runs a network over a block of examples and adds the outcomes to an {@link EvalResult}. */
public final class BlockEvaluator {
  private BlockEvaluator() {}

  /** Rows of numbers (classification or regression). */
  public static EvalResult evaluate(Network net, ExampleBlock block, EvalResult into) {
    return evaluate(net, block, into, new Task.Rows(false, 1));
  }

  /**
   * @param task what the rows are: token ids of a text classifier ({@link Task.TokenRows}), or
   *     numbers (any other task; its labels' form comes from {@code into})
   */
  public static EvalResult evaluate(Network net, ExampleBlock block, EvalResult into,
      Task task) {
    if (block.rows() == 0) {
      return into;
    }
    float[] predictions;
    if (task instanceof Task.TokenRows tokenRows) {
      DataSet batch = tokenRows.batch(block, null, 0, block.rows(), 0);
      predictions = classes(net.output(batch.getFeatures(), batch.getFeaturesMaskArray()));
    } else {
      INDArray x = Nd4j.create(block.features(), new long[] {block.rows(), block.width()}, 'c');
      predictions = predict(net, x, into.classification() != null);
    }
    float[] labels = block.labels();
    for (int i = 0; i < block.rows(); i++) {
      if (into.classification() != null) {
        into.classification().add((int) labels[i], (int) predictions[i]);
      } else {
        into.regression().add(labels[i], predictions[i]);
      }
    }
    return into;
  }

  /**
   * Class indices (classification) or values (regression), one per row. A single sigmoid output
   * is a binary classifier with threshold 0.5.
   */
  public static float[] predict(Network net, INDArray x, boolean classification) {
    INDArray out = net.output(x);
    int rows = (int) out.rows();
    float[] predictions = new float[rows];
    if (!classification) {
      float[] v = NativeArrays.toFloats(out.getColumn(0));
      System.arraycopy(v, 0, predictions, 0, rows);
    } else if (out.columns() == 1) {
      float[] p = NativeArrays.toFloats(out.getColumn(0));
      for (int i = 0; i < rows; i++) {
        predictions[i] = p[i] >= 0.5f ? 1 : 0;
      }
    } else {
      return classes(out);
    }
    return predictions;
  }

  /** The most probable class of each row. */
  private static float[] classes(INDArray probabilities) {
    return NativeArrays.toFloats(Nd4j.argMax(probabilities, 1)
        .castTo(DataType.FLOAT));
  }
}
