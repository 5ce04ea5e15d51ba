package org.sparktrain.worker.privacy;

/**
 * What one {@link DpSgdStep} did, for the worker's report.
 *
 * @param examples the examples in the step's (Poisson) batch; 0 for an empty draw, whose update
 *     was noise alone
 * @param lossSum the sum over the batch's examples of their microbatch's loss (DL4J's score,
 *     regularization included, as {@code fit} reports it), to add up over steps
 * @param microbatches how many microbatch gradients were clipped and summed
 * @param clippedMicrobatches how many of them had norm above the clipping norm and were scaled
 *     down: a run that clips nearly all or nearly none may want another clipping norm
 */
public record DpStepResult(int examples, double lossSum, int microbatches,
    int clippedMicrobatches) {
  /** The batch's mean loss; NaN for an empty batch. */
  public double meanLoss() {
    return examples == 0 ? Double.NaN : lossSum / examples;
  }
}
