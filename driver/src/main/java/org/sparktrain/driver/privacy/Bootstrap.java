package org.sparktrain.driver.privacy;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Percentile bootstrap intervals of the attack's AUC and of its true-positive rate at a target
 * false-positive rate. Members and non-members are resampled separately (each with replacement,
 * each to its own size), since the audit fixes both counts; at every resample the threshold is
 * chosen again on the resampled non-members, so the interval includes the threshold's own
 * uncertainty. One seeded generator drives every resample: the same seed gives the same
 * intervals.
 */
public final class Bootstrap {
  /** A percentile interval. */
  public record Interval(double lower, double upper) {}

  /** The intervals of one bootstrap run. */
  public record Result(int resamples, long seed, double confidence, Interval auc,
      double[] targetFprs, Interval[] tprAtFpr) {}

  private Bootstrap() {}

  public static Result run(double[] members, double[] nonMembers, double[] targetFprs,
      int resamples, long seed, double confidence) {
    if (resamples < 2) {
      throw new IllegalArgumentException("resamples must be at least 2, got " + resamples);
    }
    if (!(confidence > 0 && confidence < 1)) {
      throw new IllegalArgumentException("confidence must be in (0, 1), got " + confidence);
    }
    SplittableRandom random = new SplittableRandom(seed);
    double[] aucs = new double[resamples];
    double[][] tprs = new double[targetFprs.length][resamples];
    double[] m = new double[members.length];
    double[] u = new double[nonMembers.length];
    for (int r = 0; r < resamples; r++) {
      resample(members, m, random);
      resample(nonMembers, u, random);
      aucs[r] = AttackStatistics.auc(m, u);
      for (int k = 0; k < targetFprs.length; k++) {
        tprs[k][r] = AttackStatistics.atFpr(m, u, targetFprs[k]).tpr();
      }
    }
    Interval[] tprIntervals = new Interval[targetFprs.length];
    for (int k = 0; k < targetFprs.length; k++) {
      tprIntervals[k] = percentile(tprs[k], confidence);
    }
    return new Result(resamples, seed, confidence, percentile(aucs, confidence),
        targetFprs.clone(), tprIntervals);
  }

  /**
   * The central {@code confidence} share of {@code values}: the order statistics at
   * {@code (1 - confidence) / 2} and {@code (1 + confidence) / 2}, linearly interpolated
   * (numpy's default percentile).
   */
  static Interval percentile(double[] values, double confidence) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return new Interval(quantile(sorted, (1 - confidence) / 2),
        quantile(sorted, (1 + confidence) / 2));
  }

  private static double quantile(double[] sorted, double p) {
    double position = p * (sorted.length - 1);
    int below = (int) Math.floor(position);
    int above = Math.min(below + 1, sorted.length - 1);
    return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
  }

  private static void resample(double[] from, double[] into, SplittableRandom random) {
    for (int i = 0; i < into.length; i++) {
      into[i] = from[random.nextInt(from.length)];
    }
  }
}
