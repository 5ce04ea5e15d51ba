package org.sparktrain.driver.train.state;

import java.util.List;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.worker.train.ModelSnapshot;

/**
 * Everything needed to continue a run exactly: where a run starts, and what a checkpoint saves.
 *
 * @param nextRound the first round still to run
 * @param history metrics of the rounds already run
 * @param trainSeconds training wall time spent so far (across resumes)
 * @param best with early stopping, the best validated parameters so far; else null
 * @param checkpointFiles the slices of this snapshot's checkpoint that the workers already
 *     wrote (see {@link TrainingListener#checkpointSlices}); empty when the driver writes it all
 * @param rollbacks the rollbacks after divergence so far, and the learning-rate scale they left
 */
public record Progress(ModelSnapshot snapshot, long nextRound, List<RoundMetrics> history,
    long examples, double trainSeconds, Best best,
    List<SliceWriter.WrittenFile> checkpointFiles, Rollbacks rollbacks) {

  /** Progress without early stopping. */
  public Progress(ModelSnapshot snapshot, long nextRound, List<RoundMetrics> history,
      long examples, double trainSeconds) {
    this(snapshot, nextRound, history, examples, trainSeconds, null);
  }

  /** Progress whose checkpoint the driver writes whole. */
  public Progress(ModelSnapshot snapshot, long nextRound, List<RoundMetrics> history,
      long examples, double trainSeconds, Best best) {
    this(snapshot, nextRound, history, examples, trainSeconds, best, List.of(),
        Rollbacks.NONE);
  }

  public Progress withRollbacks(Rollbacks now) {
    return new Progress(snapshot, nextRound, history, examples, trainSeconds, best,
        checkpointFiles, now);
  }

  /** Where a rollback to this progress goes: "the run's start" or "the end of round N". */
  public String describe() {
    return nextRound == 0 ? "the run's start" : "the end of round " + (nextRound - 1);
  }
}
