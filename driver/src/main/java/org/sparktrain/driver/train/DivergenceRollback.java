package org.sparktrain.driver.train;

import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.train.state.Progress;
import org.sparktrain.driver.train.state.Rollbacks;
import org.sparktrain.driver.train.sync.SyncStrategy;

/**
 * {@code train.onDivergence}: after a stretch diverged, where the run goes back to (its last
 * checkpoint, else where it started) with its learning rate lowered, or, once the rollbacks it
 * allows are spent (none by default), the error that ends the run.
 */
final class DivergenceRollback {
  private static final Logger LOG = LoggerFactory.getLogger(DivergenceRollback.class);

  private final JobSpec.Train train;
  /** Where this run started: the point to go back to before any checkpoint. */
  private final Progress start;

  DivergenceRollback(JobSpec.Train train, Progress start) {
    this.train = train;
    this.start = start;
  }

  /**
   * Where to go on from after round {@code diverged} of {@code stretch} was not finite.
   *
   * @param sofar the rollbacks already made
   * @param lastCheckpoint the last committed checkpoint, or null; asked only when a rollback is
   *     allowed (it waits for the checkpoint writes in flight)
   * @return the progress to go back to, carrying one rollback more and its learning-rate scale
   * @throws DivergenceException when no rollback is left
   */
  Progress goBack(SyncStrategy.Stretch stretch, long diverged, Rollbacks sofar,
      Supplier<Progress> lastCheckpoint) {
    SyncStrategy.RoundOutcome bad = stretch.rounds().stream()
        .filter(o -> o.plan().round() == diverged).findFirst().orElseThrow();
    JobSpec.OnDivergence policy = train.onDivergence();
    if (sofar.count() >= policy.rollbacks()) {
      throw Divergence.error(diverged, bad.plan().epoch(), bad.meanLoss(), train.optimizer(),
          sofar);
    }
    Progress checkpointed = lastCheckpoint.get();
    Progress back = (checkpointed != null ? checkpointed : start).withRollbacks(
        sofar.next(policy.learningRateFactor()));
    Rollbacks now = back.rollbacks();
    LOG.warn("training diverged at round {} ({}); going back to {} with the learning rate "
        + "times {} (rollback {} of at most {})", diverged, Divergence.what(bad.meanLoss()),
        back.describe(), now.learningRateScale(), now.count(), policy.rollbacks());
    return back;
  }
}
