package org.sparktrain.driver.train.sync;

import java.util.List;
import java.util.function.Consumer;
import org.sparktrain.driver.train.state.SliceWriter;
import org.sparktrain.worker.train.EpochSchedule;
import org.sparktrain.worker.train.ModelSnapshot;

/**
 * How a stretch of rounds is trained and averaged: the seam between the training loop, which
 * decides where stretches end (validation, checkpoint, epoch end), and the engine that runs
 * them. Every strategy gives bitwise the same snapshots for the same spec.
 */
public interface SyncStrategy {
  /** The most rounds one {@link #run} may cover. */
  long maxRoundsPerRun();

  /**
   * Trains rounds [first, until) starting from {@code from}.
   *
   * @param live told about rounds as they end, where the strategy can (possibly from another
   *     thread, never after run returns, possibly twice for a round that was rerun); the
   *     returned stretch has every round in any case
   * @param slices where the workers write their slices of the checkpoint due at {@code until},
   *     where the strategy has workers that hold the snapshot; null when none is due (or the
   *     driver writes it)
   */
  Stretch run(ModelSnapshot from, long first, long until, Consumer<RoundOutcome> live,
      SliceWriter slices);

  /** The spec's name of this strategy, for logs and the summary. */
  String name();

  /** What one round did and cost. */
  record RoundOutcome(EpochSchedule.RoundPlan plan, double meanLoss, long examples,
      double wallMs, double computeMs, double averageMs, long bytesMoved) {}

  /**
   * The rounds of one run and the snapshot after its last round.
   *
   * @param checkpointFiles the checkpoint slices every worker wrote, in rank order; empty when
   *     none were asked for or any worker could not write its own
   */
  record Stretch(List<RoundOutcome> rounds, ModelSnapshot end,
      List<SliceWriter.WrittenFile> checkpointFiles) {}
}
