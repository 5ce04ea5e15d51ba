package org.sparktrain.driver.privacy;

/**
 * Exact (Clopper and Pearson, 1934) confidence intervals for a binomial proportion: the
 * interval holds every {@code p} that a two-sided test at level {@code 1 - confidence} would
 * not reject after {@code successes} of {@code trials}. Its ends are Beta quantiles,
 * {@code lower = B(alpha/2; x, n - x + 1)} and {@code upper = B(1 - alpha/2; x + 1, n - x)}
 * (0 and 1 at {@code x = 0} and {@code x = n}), found by bisection on the regularized
 * incomplete beta function. It is conservative (covers at least {@code confidence}), which is
 * what a privacy audit needs: an epsilon lower bound built from it is not an artefact of a
 * lucky sample.
 */
public final class ClopperPearson {
  /** Bisection steps: the bracket [0, 1] halves each step, so 60 reach double precision. */
  private static final int BISECTION_STEPS = 60;

  /** A two-sided interval for a proportion. */
  public record Interval(double lower, double upper) {}

  private ClopperPearson() {}

  /** The two-sided {@code confidence} (e.g. 0.95) interval: {@code successes} of {@code trials}. */
  public static Interval interval(long successes, long trials, double confidence) {
    if (trials < 1) {
      throw new IllegalArgumentException("trials must be >= 1, got " + trials);
    }
    if (successes < 0 || successes > trials) {
      throw new IllegalArgumentException("successes must be in [0, trials = " + trials
          + "], got " + successes);
    }
    if (!(confidence > 0 && confidence < 1)) {
      throw new IllegalArgumentException("confidence must be in (0, 1), got " + confidence);
    }
    double tail = (1 - confidence) / 2;
    double lower = successes == 0 ? 0
        : betaQuantile(tail, successes, trials - successes + 1);
    double upper = successes == trials ? 1
        : betaQuantile(1 - tail, successes + 1, trials - successes);
    return new Interval(lower, upper);
  }

  /** The {@code p}-quantile of Beta(a, b): the x with I_x(a, b) = p (I rises with x). */
  static double betaQuantile(double p, double a, double b) {
    double lo = 0;
    double hi = 1;
    for (int i = 0; i < BISECTION_STEPS; i++) {
      double mid = 0.5 * (lo + hi);
      if (IncompleteBeta.regularized(mid, a, b) < p) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return 0.5 * (lo + hi);
  }
}
