package org.sparktrain.worker.train;

/**
 * What travels to the workers each round: the parameters, the optimizer state and the step count.
 *
 * @param optimizerStates one shared state when state is averaged, one per worker when each worker
 *     keeps its own, or none for a stateless optimizer (plain SGD)
 * @param iteration global optimizer steps taken so far (Adam's bias correction depends on it)
 */
public record ModelSnapshot(float[] params, float[][] optimizerStates, long iteration, int epoch) {

  /** The optimizer state worker {@code partition} starts from, or an empty array. */
  public float[] stateFor(int partition) {
    if (optimizerStates.length == 0) {
      return new float[0];
    }
    return optimizerStates.length == 1 ? optimizerStates[0] : optimizerStates[partition];
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
    return new ModelSnapshot(params, new float[][] {mean}, iteration, epoch);
  }

  public long sizeBytes() {
    long floats = params.length;
    for (float[] s : optimizerStates) {
      floats += s.length;
    }
    return floats * Float.BYTES;
  }
}
