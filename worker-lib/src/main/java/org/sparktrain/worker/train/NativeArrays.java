package org.sparktrain.worker.train;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Bulk copies between Java float arrays and ND4J's off-heap buffers. ND4J's own
 * {@code Nd4j.create(float[])} and {@code toFloatVector()} move one element at a time through a
 * bounds-checked indexer; for the parameters and optimizer state that every round loads and
 * exports (a million floats for a mid-size MLP) that cost more than the minibatch steps.
 */
public final class NativeArrays {
  private NativeArrays() {}

  /** A new float array of the given shape ('c' order) holding {@code data}. */
  public static INDArray fromFloats(float[] data, long... shape) {
    INDArray array = Nd4j.createUninitializedDetached(DataType.FLOAT, shape);
    copyInto(array, data);
    return array;
  }

  /** Overwrites a dense float array's contents with {@code data}. */
  public static void copyInto(INDArray target, float[] data) {
    pointerOf(target, data.length).put(data, 0, data.length);
  }

  /** A copy of a dense float array's contents. */
  public static float[] toFloats(INDArray source) {
    float[] out = new float[(int) source.length()];
    pointerOf(source, out.length).get(out, 0, out.length);
    return out;
  }

  private static FloatPointer pointerOf(INDArray array, int length) {
    // A view is fine when it is the whole of a contiguous buffer: a ComputationGraph's flat
    // parameters are a reshaped view of its parameter buffer.
    if (array.dataType() != DataType.FLOAT || array.length() != length || array.offset() != 0
        || length > 0 && array.elementWiseStride() != 1 || array.ordering() != 'c'
        && array.rank() > 1 && !array.isRowVectorOrScalar()) {
      throw new IllegalArgumentException("bulk copy needs a dense float array of length "
          + length + ", got " + array.dataType() + " " + array.shapeInfoToString());
    }
    return new FloatPointer(array.data().addressPointer()).capacity(length).limit(length);
  }
}
