package org.sparktrain.worker.train;

/**
 * The training state between rounds: the parameters, the optimizer state, the step count and,
 * with an outer optimizer, its momentum.
 *
 * @param optimizerStates one shared state when state is averaged, one per worker when each worker
 *     keeps its own, or none for a stateless optimizer (plain SGD)
 * @param iteration global optimizer steps taken so far (Adam's bias correction depends on it)
 * @param outerMomentum the outer optimizer's momentum ({@code train.outer}); empty without an
 *     outer optimizer and before its first step
 */
public record ModelSnapshot(float[] params, float[][] optimizerStates, long iteration, int epoch,
    float[] outerMomentum) {

  private static final float[] NONE = new float[0];

  /** A snapshot without outer-optimizer state. */
  public ModelSnapshot(float[] params, float[][] optimizerStates, long iteration, int epoch) {
    this(params, optimizerStates, iteration, epoch, NONE);
  }

  /** The optimizer state worker {@code partition} starts from, or an empty array. */
  public float[] stateFor(int partition) {
    if (optimizerStates.length == 0) {
      return new float[0];
    }
    return optimizerStates.length == 1 ? optimizerStates[0] : optimizerStates[partition];
  }

  /** This snapshot without the outer momentum: what a driver-averaged round's workers need. */
  public ModelSnapshot withoutOuterMomentum() {
    return outerMomentum.length == 0 ? this
        : new ModelSnapshot(params, optimizerStates, iteration, epoch);
  }

  /**
   * This snapshot with per-worker optimizer states replaced by their mean: what a single network
   * outside training (the saved model, an export) carries.
   */
  public ModelSnapshot withStatesMerged() {
    if (optimizerStates.length <= 1) {
      return this;
    }
    float[] mean = new float[optimizerStates[0].length];
    for (float[] s : optimizerStates) {
      for (int i = 0; i < mean.length; i++) {
        mean[i] += s[i] / optimizerStates.length;
      }
    }
    return new ModelSnapshot(params, new float[][] {mean}, iteration, epoch, outerMomentum);
  }

  public long sizeBytes() {
    long floats = params.length + outerMomentum.length;
    for (float[] s : optimizerStates) {
      floats += s.length;
    }
    return floats * Float.BYTES;
  }
}
