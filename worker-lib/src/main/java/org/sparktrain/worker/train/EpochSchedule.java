package org.sparktrain.worker.train;

import java.io.Serializable;
import java.util.SplittableRandom;
import org.sparktrain.worker.data.SeedMixer;

/**
 * Maps global round numbers to (epoch, steps) and shard positions to minibatches.
 *
 * <p>Every worker runs the same number of steps per epoch, {@code ceil(smallestShard / batch)},
 * so rounds stay synchronous; a worker whose shard is a few records larger folds the extra
 * records into its last minibatch of the epoch instead of dropping them. A round runs
 * {@code averagingFrequency} steps, except the last round of an epoch, which runs what is left.
 */
public record EpochSchedule(int smallestShard, int batchSize, int averagingFrequency, long seed)
    implements Serializable {

  public EpochSchedule {
    if (smallestShard < 1) {
      throw new IllegalArgumentException("every shard needs at least one training example, but "
          + "one has " + smallestShard + ": use fewer train.workers or more data");
    }
    if (batchSize < 1 || averagingFrequency < 1) {
      throw new IllegalArgumentException("batchSize and averagingFrequency must be >= 1");
    }
  }

  public int stepsPerEpoch() {
    return (smallestShard + batchSize - 1) / batchSize;
  }

  public int roundsPerEpoch() {
    return (stepsPerEpoch() + averagingFrequency - 1) / averagingFrequency;
  }

  public RoundPlan plan(long round) {
    int epoch = (int) (round / roundsPerEpoch());
    int roundInEpoch = (int) (round % roundsPerEpoch());
    int firstStep = roundInEpoch * averagingFrequency;
    int steps = Math.min(averagingFrequency, stepsPerEpoch() - firstStep);
    long iteration = (long) epoch * stepsPerEpoch() + firstStep;
    return new RoundPlan(round, epoch, roundInEpoch, firstStep, steps, iteration);
  }

  /** First row (inclusive) of minibatch {@code step} in a shard of {@code rows} records. */
  public int batchStart(int step) {
    return step * batchSize;
  }

  /** End row (exclusive); the epoch's last minibatch takes all remaining rows. */
  public int batchEnd(int step, int rows) {
    return step == stepsPerEpoch() - 1 ? rows : Math.min((step + 1) * batchSize, rows);
  }

  /**
   * The examples a worker whose shard has {@code rows} records trains on in one round: what
   * {@link PartitionTrainer} reports, known in advance to every worker.
   */
  public long examplesInRound(RoundPlan plan, int rows) {
    long examples = 0;
    for (int step = plan.firstStep(); step < plan.firstStep() + plan.steps(); step++) {
      examples += batchEnd(step, rows) - batchStart(step);
    }
    return examples;
  }

  /** The order in which a worker visits its shard's rows in one epoch. */
  public int[] permutation(int epoch, int partition, int rows) {
    int[] order = new int[rows];
    for (int i = 0; i < rows; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(SeedMixer.mix(seed, 1, epoch, partition));
    for (int i = rows - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** One round's work, the same for every worker. */
  public record RoundPlan(long round, int epoch, int roundInEpoch, int firstStep, int steps,
      long iteration) implements Serializable {}
}
