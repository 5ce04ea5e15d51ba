package org.sparktrain.driver.train.state;

import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.worker.train.EpochSchedule;

/** Told about every finished round (metrics files, progress display, checkpoints). */
public interface TrainingListener {
  /** A round's metrics, in order, every round. */
  void onRound(RoundMetrics metrics, EpochSchedule schedule);

  /**
   * The snapshot after the rounds so far, at every point where the driver holds one: after
   * every round with the driver strategy, at validations, epoch ends and round-count
   * checkpoints with the collective one. {@code after.history()} is a view of the loop's own,
   * which goes on changing after this call: copy what is kept.
   */
  default void onBoundary(Progress after, EpochSchedule schedule) {}

  /**
   * Asked before each stretch: where its workers should write their slices of a checkpoint
   * that will be taken when the driver next holds the snapshot, after round
   * {@code boundary - 1}; null when none is due then.
   */
  default SliceWriter checkpointSlices(long boundary, EpochSchedule schedule) {
    return null;
  }

  /**
   * Where a run that diverged goes back to: its last committed checkpoint, once the writes in
   * flight have ended; null when there is none (the loop then goes back to where this run
   * started).
   */
  default Progress lastCheckpoint() {
    return null;
  }

  /**
   * Training went back to {@code to} after a divergence: the rounds after it are undone, and
   * what was shown or written of them (metrics.jsonl, the report) must follow
   * {@code to.history()}.
   */
  default void onRollback(Progress to) {}
}
