package org.sparktrain.driver.privacy;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.SpecException;
import org.sparktrain.worker.privacy.Conversion;
import org.sparktrain.worker.privacy.Epsilon;
import org.sparktrain.worker.privacy.NoiseCalibration;
import org.sparktrain.worker.privacy.RdpAccountant;
import org.sparktrain.worker.train.EpochSchedule;

/**
 * The privacy accounting of one DP-SGD run, decided before it starts: the sampling rate, the
 * noise (given, or the least that keeps the planned run within {@code targetEpsilon}), and how
 * many steps the budget allows.
 *
 * <p>Why the run's guarantee is one worker's: every example lies in exactly one shard (the
 * shards are dealt from the training split, each row to one), so only that worker's DP-SGD
 * touches it (parallel composition); every worker samples at the same rate q and adds the same
 * noise, so each runs the same mechanism; parameter averaging, the optimizer state's average
 * and the outer optimizer only process the workers' noisy outputs (post-processing). An
 * example is then exposed to {@code steps} Poisson-subsampled Gaussian steps at rate q, which
 * the RDP accountant ({@link RdpAccountant}, classic conversion) turns into (epsilon, delta).
 *
 * @param samplingRate q = batchSize / the smallest shard's size, the same on every worker
 * @param noiseMultiplier sigma, what each step's noise is (over the clip norm)
 * @param plannedSteps steps per worker the spec's epochs take
 * @param budgetSteps the steps the budget allows (the planned ones without a budget)
 */
public record PrivateRun(JobSpec.Privacy spec, double samplingRate, double noiseMultiplier,
    long plannedSteps, long budgetSteps) {
  private static final int SECRET_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();
  public static final String ACCOUNTANT = "Renyi DP of the Poisson-subsampled Gaussian "
      + "mechanism (Mironov, Talwar, Zhang 2019), orders 1.1-10.9, 12-63, 128, 256, 512; "
      + "classic conversion eps = rdp + log(1/delta)/(order - 1)";

  /** Plans a run of {@code epochs} epochs of {@code schedule} under {@code spec}. */
  public static PrivateRun plan(JobSpec.Privacy spec, EpochSchedule schedule, int epochs) {
    double q = Math.min(1.0, (double) schedule.batchSize() / schedule.smallestShard());
    long planned = (long) schedule.stepsPerEpoch() * epochs;
    double noise;
    if (spec.hasNoiseMultiplier()) {
      noise = spec.noiseMultiplier();
    } else {
      double accounted;
      try {
        accounted = NoiseCalibration.noiseMultiplier(q, planned, spec.delta(),
            spec.targetEpsilon());
      } catch (IllegalArgumentException e) {
        throw new SpecException("train.privacy.targetEpsilon: " + e.getMessage());
      }
      noise = spec.microbatchSize() == 1 ? accounted : 2 * accounted;
    }
    PrivateRun run = new PrivateRun(spec, q, noise, planned, planned);
    if (spec.hasTarget() && spec.hasNoiseMultiplier()) {
      run = new PrivateRun(spec, q, noise, planned, run.stepsWithin(spec.targetEpsilon()));
      if (run.budgetSteps() < Math.min(planned, schedule.plan(0).steps())) {
        throw new SpecException(String.format(Locale.ROOT, "train.privacy.targetEpsilon: %s "
            + "is spent before the first round ends (one round of %d steps at noise %s and "
            + "q = %.4g spends %.3g); raise noiseMultiplier, or lower batchSize or "
            + "averagingFrequency", spec.targetEpsilon(), schedule.plan(0).steps(), noise, q,
            run.epsilonAfter(schedule.plan(0).steps()).epsilon()));
      }
    }
    return run;
  }

  /** A fresh secret for a new run, from a SecureRandom (never from the training seed). */
  public static byte[] newSecret() {
    byte[] secret = new byte[SECRET_BYTES];
    RANDOM.nextBytes(secret);
    return secret;
  }

  /**
   * The noise multiplier the accountant is given: the noise over the sensitivity, which is the
   * clip norm for per-example clipping and twice it for larger microbatches (adding or removing
   * one example can move its microbatch's clipped gradient across the whole ball).
   */
  public double accountedNoiseMultiplier() {
    return spec.microbatchSize() == 1 ? noiseMultiplier : noiseMultiplier / 2;
  }

  /** What {@code steps} steps per worker spend. */
  public Epsilon epsilonAfter(long steps) {
    return RdpAccountant.epsilon(samplingRate, accountedNoiseMultiplier(), steps, spec.delta());
  }

  /** The most steps whose epsilon stays within {@code target} (at most the planned ones). */
  private long stepsWithin(double target) {
    if (epsilonAfter(plannedSteps).epsilon() <= target) {
      return plannedSteps;
    }
    long lo = 0;
    long hi = plannedSteps;
    while (lo < hi) {
      long mid = (lo + hi + 1) >>> 1;
      if (epsilonAfter(mid).epsilon() <= target) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /** How many of the schedule's first {@code rounds} rounds the budget allows. */
  public long roundsWithinBudget(EpochSchedule schedule, long rounds) {
    long allowed = 0;
    while (allowed < rounds) {
      EpochSchedule.RoundPlan plan = schedule.plan(allowed);
      if (plan.iteration() + plan.steps() > budgetSteps) {
        break;
      }
      allowed++;
    }
    return allowed;
  }

  /**
   * What releasing every fold's model of a private cross-validation spends together. Each
   * example trains in all folds but the one that tests it, so its Rényi divergences add up over
   * those folds (composition); the worst example is the one left out of the fold that spends
   * least, taken order by order (an upper bound at every order, so a valid epsilon).
   *
   * @param steps the steps each fold's workers took, by fold
   */
  public static Map<String, Object> composeFolds(List<PrivateRun> folds,
      List<Long> steps) {
    double[] orders = RdpAccountant.defaultOrders();
    double[] sum = new double[orders.length];
    double[] least = new double[orders.length];
    Arrays.fill(least, Double.POSITIVE_INFINITY);
    List<Double> perFold = new ArrayList<>();
    for (int f = 0; f < folds.size(); f++) {
      PrivateRun run = folds.get(f);
      double[] rdp = RdpAccountant.rdp(run.samplingRate(), run.accountedNoiseMultiplier(),
          steps.get(f), orders);
      for (int i = 0; i < orders.length; i++) {
        sum[i] += rdp[i];
        least[i] = Math.min(least[i], rdp[i]);
      }
      perFold.add(run.epsilonAfter(steps.get(f)).epsilon());
    }
    double[] worst = new double[orders.length];
    for (int i = 0; i < orders.length; i++) {
      worst[i] = sum[i] - least[i];
    }
    double delta = folds.get(0).spec().delta();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("perFoldEpsilon", perFold);
    m.put("allFoldsEpsilon", RdpAccountant.epsilonFromRdp(orders, worst, delta,
        Conversion.CLASSIC).epsilon());
    m.put("delta", delta);
    m.put("note", "each fold's model alone carries its perFoldEpsilon; all fold models "
        + "released together carry allFoldsEpsilon (every example trains in all folds but "
        + "one)");
    return m;
  }

  /** Whether the budget ends the run before its planned epochs. */
  public boolean stopsAtBudget() {
    return budgetSteps < plannedSteps;
  }

  /**
   * What a private run reports (summary, model folder, compare): everything needed to check
   * its guarantee, and nothing secret.
   *
   * @param steps the steps each worker took
   */
  public Map<String, Object> report(long steps) {
    Map<String, Object> m = new LinkedHashMap<>();
    Epsilon spent = epsilonAfter(steps);
    m.put("epsilon", spent.epsilon());
    m.put("delta", spec.delta());
    m.put("order", spent.order());
    m.put("noiseMultiplier", noiseMultiplier);
    m.put("accountedNoiseMultiplier", accountedNoiseMultiplier());
    m.put("clipNorm", spec.clipNorm());
    m.put("microbatchSize", spec.microbatchSize());
    m.put("clipping", spec.microbatchSize() == 1 ? "per example"
        : "per microbatch of " + spec.microbatchSize() + " (sensitivity 2 x clipNorm)");
    m.put("sampling", "poisson");
    m.put("samplingRate", samplingRate);
    m.put("steps", steps);
    m.put("plannedSteps", plannedSteps);
    if (spec.hasTarget()) {
      m.put("targetEpsilon", spec.targetEpsilon());
    }
    m.put("stoppedAtBudget", stopsAtBudget() && steps < plannedSteps);
    m.put("accountant", ACCOUNTANT);
    return m;
  }
}
