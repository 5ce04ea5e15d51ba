package org.sparktrain.worker.train;

import java.io.Serializable;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Parameters held at exactly zero while training: a pruned model's pruned weights, so that
 * fine-tuning recovers accuracy without undoing the pruning. Workers multiply the parameters by
 * this mask after every optimizer step; averaging zeros gives zero, so every snapshot, every
 * checkpoint and the final model keep them.
 *
 * @param keep 1 for a parameter that trains, 0 for one held at zero, in the flat parameter
 *     order
 */
public record ZeroMask(float[] keep) implements Serializable {
  /** This JVM's copy as an array, made once per mask (workers apply it every step). */
  private static final Map<ZeroMask, INDArray> ARRAYS =
      Collections.synchronizedMap(new WeakHashMap<>());

  public void apply(INDArray params) {
    if (params.length() != keep.length) {
      throw new IllegalStateException("the zero mask covers " + keep.length + " parameters, "
          + "the network has " + params.length());
    }
    params.muli(ARRAYS.computeIfAbsent(this, m -> Nd4j.createFromArray(m.keep())
        .castTo(params.dataType())));
  }

  public long zeros() {
    long n = 0;
    for (float k : keep) {
      n += k == 0f ? 1 : 0;
    }
    return n;
  }

  // Identity, not content: a record would compare the arrays by reference anyway, and the
  // cache must not hash millions of floats per step.
  @Override
  public boolean equals(Object o) {
    return this == o;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }
}
