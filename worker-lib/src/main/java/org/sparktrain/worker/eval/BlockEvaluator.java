package org.sparktrain.worker.eval;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.worker.data.ExampleBlock;

/** Runs a network over a block of examples and adds the outcomes to an {@link EvalResult}. */
public final class BlockEvaluator {
  private BlockEvaluator() {}

  public static EvalResult evaluate(MultiLayerNetwork net, ExampleBlock block, EvalResult into) {
    if (block.rows() == 0) {
      return into;
    }
    INDArray x = Nd4j.create(block.features(), new long[] {block.rows(), block.width()}, 'c');
    float[] predictions = predict(net, x, into.classification() != null);
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
  public static float[] predict(MultiLayerNetwork net, INDArray x, boolean classification) {
    INDArray out = net.output(x, false);
    int rows = (int) out.rows();
    float[] predictions = new float[rows];
    if (!classification) {
      float[] v = out.getColumn(0).toFloatVector();
      System.arraycopy(v, 0, predictions, 0, rows);
    } else if (out.columns() == 1) {
      float[] p = out.getColumn(0).toFloatVector();
      for (int i = 0; i < rows; i++) {
        predictions[i] = p[i] >= 0.5f ? 1 : 0;
      }
    } else {
      float[] argmax = Nd4j.argMax(out, 1).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT)
          .toFloatVector();
      System.arraycopy(argmax, 0, predictions, 0, rows);
    }
    return predictions;
  }
}
