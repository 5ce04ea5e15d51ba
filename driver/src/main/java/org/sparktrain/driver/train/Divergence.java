package org.sparktrain.driver.train;

import org.sparktrain.driver.train.state.Rollbacks;
import org.sparktrain.driver.train.sync.SyncStrategy;
import org.sparktrain.worker.optim.OptimizerConfig;

/**
 * Finds the first round of a stretch whose training loss, or the averaged parameters at its
 * end, is not finite. Parameters are known only where the driver holds the snapshot (every round
 * with the driver strategy, a stretch's end with the collective one); the loss of every round is
 * known, and a loss that is not finite names its round exactly.
 */
final class Divergence {
  private Divergence() {}

  /** The first diverged round of the stretch, or -1. */
  static long firstDiverged(SyncStrategy.Stretch stretch) {
    for (SyncStrategy.RoundOutcome o : stretch.rounds()) {
      if (!Double.isFinite(o.meanLoss())) {
        return o.plan().round();
      }
    }
    float[] params = stretch.end().params();
    for (float p : params) {
      if (!Float.isFinite(p)) {
        return stretch.rounds().get(stretch.rounds().size() - 1).plan().round();
      }
    }
    return -1;
  }

  /** What was not finite in a diverged round whose mean loss was {@code loss}. */
  static String what(double loss) {
    return Double.isFinite(loss) ? "the averaged parameters are not finite"
        : "the training loss is " + loss;
  }

  /**
   * The error that ends a diverged run.
   *
   * @param rollbacks the rollbacks already made ({@code train.onDivergence}); none by default
   */
  static DivergenceException error(long round, int epoch, double loss,
      OptimizerConfig optimizer, Rollbacks rollbacks) {
    double rate = optimizer.learningRate() * rollbacks.learningRateScale();
    String after = rollbacks.count() == 0 ? ""
        : " after " + rollbacks.count() + " rollback" + (rollbacks.count() == 1 ? "" : "s")
            + " (train.onDivergence; the rate was " + rate + " by then)";
    return new DivergenceException(round, "training diverged at round " + round + " (epoch "
        + (epoch + 1) + ")" + after + ": " + what(loss) + ". Nothing from that round on was "
        + "checkpointed or saved; the checkpoints before it are kept. The usual cause is a "
        + "learning rate too high for this model and data: lower "
        + "train.optimizer.learningRate (now " + optimizer.learningRate() + "), e.g. to "
        + rate / 10 + ", and start a new run (a new output.dir: a different rate is a "
        + "different run)" + (rollbacks.count() == 0 ? ", or let the run roll back and lower it "
            + "by itself (train.onDivergence: {rollbacks: 3})" : ""));
  }
}
