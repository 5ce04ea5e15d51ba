package org.sparktrain.worker.privacy;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The batch of one DP-SGD step on one worker: every row of the shard is in it independently with
 * probability {@code q}, so the batch size varies from step to step and may be zero. This is the
 * Poisson sampling that the privacy analysis assumes (Abadi et al., "Deep Learning with
 * Differential Privacy", 2016, section 3.1; Mironov, Talwar and Zhang, 2019, for the
 * {@link RdpAccountant}): a fixed-size batch or a pass over a shuffled shard is a different
 * mechanism, whose epsilon the accountant does not compute.
 *
 * <p>Rows are drawn by geometric skipping: the gap to the next selected row is
 * {@code floor(ln U / ln(1 - q))} for a uniform {@code U}, so a step costs time in proportion to
 * the rows it selects, not to the shard.
 *
 * <p>The draw is a pure function of {@code seed}, so a retried task selects the same rows. The
 * amplification by subsampling holds only if the adversary cannot predict who was sampled: the
 * caller derives {@code seed} from the run's secret (not from the public training seed), per
 * round, step and partition.
 */
public final class PoissonSampler {
  private PoissonSampler() {}

  /**
   * The rows of a shard of {@code rows} rows in this step's batch, in increasing order.
   *
   * @param seed this (round, step, partition)'s seed, derived from the run's secret
   * @param q the probability that a row is selected, in [0, 1]
   */
  public static int[] sample(long seed, int rows, double q) {
    if (rows < 0) {
      throw new IllegalArgumentException("rows must be >= 0, got " + rows);
    }
    if (!(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException("sampling rate q must be in [0, 1], got " + q);
    }
    if (q == 0 || rows == 0) {
      return new int[0];
    }
    if (q == 1) {
      int[] all = new int[rows];
      Arrays.setAll(all, i -> i);
      return all;
    }
    SplittableRandom random = new SplittableRandom(seed);
    double logOfMiss = Math.log1p(-q);
    int[] selected = new int[expectedCapacity(rows, q)];
    int count = 0;
    long row = -1;
    while (true) {
      // 1 - nextDouble() is in (0, 1]: the log is finite.
      double gap = Math.floor(Math.log(1 - random.nextDouble()) / logOfMiss);
      row += 1 + (long) Math.min(gap, rows);
      if (row >= rows) {
        break;
      }
      if (count == selected.length) {
        selected = Arrays.copyOf(selected, Math.min(rows, 2 * selected.length));
      }
      selected[count++] = (int) row;
    }
    return Arrays.copyOf(selected, count);
  }

  /** Room for the expected count plus a few standard deviations, so growing is rare. */
  private static int expectedCapacity(int rows, double q) {
    double mean = rows * q;
    double margin = 4 * Math.sqrt(mean * (1 - q)) + 16;
    return (int) Math.min(rows, Math.ceil(mean + margin));
  }
}
