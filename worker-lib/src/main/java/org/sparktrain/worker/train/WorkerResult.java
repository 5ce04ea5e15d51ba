package org.sparktrain.worker.train;

/**
 * What one worker returns after its local steps.
 *
 * @param examples examples processed this round: the worker's weight in the average
 * @param lossSum sum over minibatches of (mean minibatch loss x minibatch size)
 */
public record WorkerResult(int partition, float[] params, float[] optimizerState, long examples,
    double lossSum, int steps, long computeNanos) {

  public long sizeBytes() {
    return (long) (params.length + optimizerState.length) * Float.BYTES;
  }
}
