package org.sparktrain.worker.train;

import java.lang.ref.Reference;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Bulk copies between Java float arrays and ND4J's off-heap buffers. ND4J's own
 * {@code Nd4j.create(float[])} and {@code toFloatVector()} move one element at a time through a
 * bounds-checked indexer; for the parameters and optimizer state that every round loads and
 * exports (a million floats for a mid-size MLP) that cost more than the minibatch steps.
 *
 * <p>Every copy here reads or writes through a raw address, and a raw address does not keep
 * its memory alive: ND4J frees an array's buffer (on its deallocator thread) once a garbage
 * collection finds the array unreachable, and compiled code treats a local as unreachable right
 * after its last use, which is the moment the address is taken. So each method keeps the array
 * reachable until its copy has ended ({@link Reference#reachabilityFence}); without that, a
 * temporary such as {@code toFloats(out.dup('c'))} could be freed while the copy ran: a
 * SIGSEGV when the freed block was unmapped, silently wrong numbers when it was not.
 */
public final class NativeArrays {
  private NativeArrays() {}

  /** A new float array of the given shape ('c' order) holding {@code data}. */
  public static INDArray fromFloats(float[] data, long... shape) {
    INDArray array = Nd4j.createUninitializedDetached(DataType.FLOAT, shape);
    copyInto(array, data);
    return array;
  }

  /**
   * Overwrites a dense float array's contents with {@code data}. A view that is not its whole
   * buffer is refused rather than copied: a write into a copy would be lost.
   */
  public static void copyInto(INDArray target, float[] data) {
    try {
      pointerOf(target, data.length).put(data, 0, data.length);
    } finally {
      Reference.reachabilityFence(target);
    }
  }

  /**
   * A copy of a float array's contents in 'c' (row-major) order. Any float array is accepted:
   * one that is not a dense 'c' buffer of its own (a view, an 'f'-ordered output) is first
   * duplicated, and the duplicate is kept alive here, so callers never hand in a temporary.
   */
  public static float[] toFloats(INDArray source) {
    return toFloats(source, null);
  }

  /**
   * {@link #toFloats(INDArray)} into {@code into} when it has the source's length (a buffer
   * reused round after round); into a new array when {@code into} is null or of another length.
   */
  public static float[] toFloats(INDArray source, float[] into) {
    if (source.dataType() != DataType.FLOAT) {
      throw new IllegalArgumentException("bulk copy needs a float array, got "
          + source.dataType() + " " + source.shapeInfoToString());
    }
    INDArray dense = isDenseC(source) ? source : source.dup('c');
    int length = Math.toIntExact(dense.length());
    float[] out = into != null && into.length == length ? into : new float[length];
    try {
      pointerOf(dense, out.length).get(out, 0, out.length);
    } finally {
      Reference.reachabilityFence(dense);
      Reference.reachabilityFence(source);
    }
    return out;
  }

  private static boolean isDenseC(INDArray array) {
    // A view is fine when it is the whole of a contiguous buffer: a ComputationGraph's flat
    // parameters are a reshaped view of its parameter buffer.
    return array.offset() == 0 && (array.length() == 0 || array.elementWiseStride() == 1)
        && (array.ordering() == 'c' || array.rank() <= 1 || array.isRowVectorOrScalar());
  }

  /** The raw address of a dense float array; the caller keeps {@code array} reachable. */
  private static FloatPointer pointerOf(INDArray array, int length) {
    if (array.dataType() != DataType.FLOAT || array.length() != length || !isDenseC(array)) {
      throw new IllegalArgumentException("bulk copy needs a dense float array of length "
          + length + ", got " + array.dataType() + " " + array.shapeInfoToString());
    }
    return new FloatPointer(array.data().addressPointer()).capacity(length).limit(length);
  }
}
