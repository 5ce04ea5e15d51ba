package org.sparktrain.driver.train;

import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.worker.train.EpochSchedule;

/**
 * Where the training loop's stretches end: the rounds after which the driver needs the snapshot
 * (a validation, an epoch's end, a checkpoint by round count, or the last round). Time-based
 * checkpoints are taken at the next such point.
 *
 * @param totalRounds the rounds the run takes
 * @param validateEvery rounds between validations; 0 when there is no validation data
 * @param checkpointEvery rounds between checkpoints by round count; 0 for none
 */
record Boundaries(long totalRounds, int roundsPerEpoch, int validateEvery, int checkpointEvery) {

  /** The boundaries {@code spec} asks for; {@code validates} when there is validation data. */
  static Boundaries of(JobSpec spec, EpochSchedule schedule, long totalRounds,
      boolean validates) {
    int validateEvery = !validates ? 0
        : spec.eval().validateEveryRounds() > 0 ? spec.eval().validateEveryRounds()
        : schedule.roundsPerEpoch();
    return new Boundaries(totalRounds, schedule.roundsPerEpoch(), validateEvery,
        spec.checkpoint().everyRounds());
  }

  /** Whether the rounds up to {@code round} are followed by a validation. */
  boolean validatesAfter(long round) {
    return validateEvery > 0 && ((round + 1) % validateEvery == 0 || round + 1 == totalRounds);
  }

  /** The end (exclusive) of the stretch starting at {@code round}: the next boundary. */
  long next(long round) {
    long next = Math.min(totalRounds, nextMultiple(round, roundsPerEpoch));
    if (validateEvery > 0) {
      next = Math.min(next, nextMultiple(round, validateEvery));
    }
    if (checkpointEvery > 0) {
      next = Math.min(next, nextMultiple(round, checkpointEvery));
    }
    return next;
  }

  /** The smallest multiple of {@code every} above {@code round}. */
  private static long nextMultiple(long round, long every) {
    return (round / every + 1) * every;
  }
}
