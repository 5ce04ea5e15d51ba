package org.sparktrain.driver.checkpoint;

import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.worker.train.EpochSchedule;

/**
 * When a checkpoint falls due: every N rounds, at every epoch's end, every T minutes, and after
 * the last round unless that one was just checkpointed. Also says which of them the workers may
 * write themselves.
 */
final class CheckpointSchedule {
  /** See {@link #workersMayWrite}. */
  static final int MIN_ROUNDS_FOR_WORKER_WRITES = 4;

  private final JobSpec.Checkpoint policy;
  private long lastSubmitNanos = System.nanoTime();
  private long lastSubmittedRound = -1;

  CheckpointSchedule(JobSpec.Checkpoint policy) {
    this.policy = policy;
  }

  /** Whether a checkpoint is due once {@code done} rounds have run. */
  boolean dueAfter(long done, EpochSchedule schedule) {
    return dueByRound(done, schedule)
        || policy.everyMinutes() > 0
            && System.nanoTime() - lastSubmitNanos >= policy.everyMinutes() * 60e9;
  }

  /** Whether the run's last state, after {@code done} rounds, still needs its checkpoint. */
  boolean finalDue(long done) {
    return done - 1 != lastSubmittedRound && done > 0;
  }

  /** Records that the checkpoint of {@code round} was handed to the writer. */
  void submitted(long round) {
    lastSubmitNanos = System.nanoTime();
    lastSubmittedRound = round;
  }

  /**
   * Whether the workers write the checkpoint due after {@code done} rounds. Only one due by
   * round count or epoch end qualifies: a time-based one is only known at the boundary.
   *
   * <p>Workers write their slices inside the barrier task, so every worker waits for the store
   * before the next stretch starts, where the driver's background write stalls nothing (a slow
   * store only supersedes checkpoints). Measured on MiniDFS with a checkpoint every round (MNIST
   * MLP, 2 workers): rounds of 1.9-2.0 s with the workers writing, 1.0 s with the driver
   * writing. So the workers write only checkpoints that come at most every
   * {@link #MIN_ROUNDS_FOR_WORKER_WRITES} rounds (or at epoch ends); more frequent ones are the
   * driver's.
   */
  boolean workersMayWrite(long done, EpochSchedule schedule) {
    return dueByRound(done, schedule) && rareEnoughForWorkers(done, schedule);
  }

  private boolean rareEnoughForWorkers(long done, EpochSchedule schedule) {
    boolean epochEnd = policy.everyEpoch() && done % schedule.roundsPerEpoch() == 0
        && schedule.roundsPerEpoch() >= MIN_ROUNDS_FOR_WORKER_WRITES;
    boolean everyFewRounds = policy.everyRounds() >= MIN_ROUNDS_FOR_WORKER_WRITES
        && done % policy.everyRounds() == 0;
    return epochEnd || everyFewRounds;
  }

  private boolean dueByRound(long done, EpochSchedule schedule) {
    return policy.everyRounds() > 0 && done % policy.everyRounds() == 0
        || policy.everyEpoch() && done % schedule.roundsPerEpoch() == 0;
  }
}
