package org.sparktrain.worker.privacy;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The sum of microbatch gradients, each first scaled to L2 norm at most the clipping norm
 * {@code C}: {@code g * min(1, C / ||g||)} (Abadi et al. 2016, algorithm 1, "clip gradient").
 * One microbatch's contribution is then bounded by {@code C}, whatever its examples, which is
 * what lets Gaussian noise of standard deviation {@code sigma * C} hide it.
 */
final class ClippedSum {
  private final double clipNorm;
  private INDArray sum;
  private int microbatches;
  private int clipped;

  ClippedSum(double clipNorm) {
    if (!(clipNorm > 0) || Double.isInfinite(clipNorm)) {
      throw new IllegalArgumentException("clipNorm must be finite and > 0, got " + clipNorm);
    }
    this.clipNorm = clipNorm;
  }

  /**
   * Scales {@code gradient} in place to norm at most {@code clipNorm}.
   *
   * @return whether it was scaled down
   */
  static boolean clip(INDArray gradient, double clipNorm) {
    double norm = gradient.norm2Number().doubleValue();
    if (norm > clipNorm) {
      gradient.muli(clipNorm / norm);
      return true;
    }
    return false;
  }

  /** Clips {@code gradient} (in place) and adds it to the sum. */
  void add(INDArray gradient) {
    if (clip(gradient, clipNorm)) {
      clipped++;
    }
    if (sum == null) {
      sum = gradient;
    } else {
      sum.addi(gradient);
    }
    microbatches++;
  }

  /** The sum so far, or null before the first {@link #add}. */
  INDArray sum() {
    return sum;
  }

  int microbatches() {
    return microbatches;
  }

  int clipped() {
    return clipped;
  }
}
