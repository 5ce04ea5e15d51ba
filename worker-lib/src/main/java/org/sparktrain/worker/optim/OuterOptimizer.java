package org.sparktrain.worker.optim;

import java.io.Serializable;

/**
 * {@code train.outer: nesterov}: the outer step of DiLoCo (Douillard et al., 2023). The change a
 * round's averaging makes, {@code before - averaged}, is treated as a gradient and applied to
 * {@code before} with Nesterov momentum, as PyTorch's SGD does it (no dampening):
 *
 * <pre>
 *   g = before - averaged
 *   m = momentum * m + g
 *   after = before - learningRate * (g + momentum * m)
 * </pre>
 *
 * With learningRate 1 and momentum 0 it is plain averaging. Computed per element in double from
 * float inputs and stored as float: every worker and the driver compute the same bits from the
 * same inputs, and a resumed run (momentum restored from its checkpoint) continues exactly.
 */
public record OuterOptimizer(double learningRate, double momentum) implements Serializable {

  /**
   * One outer step.
   *
   * @param before the parameters the round started from
   * @param averaged the workers' averaged parameters after the round
   * @param momentumIn the momentum buffer before the step; empty on the first step (zeros)
   * @return the parameters after the step and the new momentum buffer
   */
  public Step step(float[] before, float[] averaged, float[] momentumIn) {
    if (before.length != averaged.length
        || momentumIn.length != 0 && momentumIn.length != before.length) {
      throw new IllegalArgumentException("outer step: " + before.length + " parameters before, "
          + averaged.length + " averaged, momentum of " + momentumIn.length);
    }
    float[] after = new float[before.length];
    float[] momentumOut = new float[before.length];
    boolean fresh = momentumIn.length == 0;
    for (int i = 0; i < before.length; i++) {
      double g = (double) before[i] - averaged[i];
      double m = momentum * (fresh ? 0.0 : momentumIn[i]) + g;
      momentumOut[i] = (float) m;
      after[i] = (float) (before[i] - learningRate * (g + momentum * m));
    }
    return new Step(after, momentumOut);
  }

  /** The outcome of one outer step. */
  public record Step(float[] params, float[] momentum) {}
}
