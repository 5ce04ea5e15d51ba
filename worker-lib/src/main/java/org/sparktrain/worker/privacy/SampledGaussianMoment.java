package org.sparktrain.worker.privacy;

/**
 * One step's Rényi divergence, of order {@code alpha}, of the Poisson-subsampled Gaussian
 * mechanism: each example joins the batch with probability {@code q}, the batch's sum of
 * gradients (each clipped to norm 1) gets Gaussian noise of standard deviation {@code sigma}.
 *
 * <p>Mironov, Talwar and Zhang, "Rényi Differential Privacy of the Sampled Gaussian Mechanism"
 * (2019), reduce it to one dimension: with {@code mu0 = N(0, sigma^2)} and
 * {@code mu = (1 - q) mu0 + q N(1, sigma^2)}, the step is {@code (alpha, log(A_alpha) /
 * (alpha - 1))}-RDP for {@code A_alpha = E_{z ~ mu0}[(mu(z) / mu0(z))^alpha]} (their Theorem 4
 * shows this direction is the larger one). {@code A_alpha} is computed as in TensorFlow Privacy's
 * {@code rdp_accountant} and Google's dp-accounting {@code rdp_privacy_accountant}:
 * <ul>
 *   <li>integer {@code alpha}: the binomial expansion (their Section 3.3)
 *       {@code A_alpha = sum_{i=0}^{alpha} C(alpha, i) (1 - q)^(alpha - i) q^i
 *       exp((i^2 - i) / (2 sigma^2))}, every term positive;</li>
 *   <li>fractional {@code alpha}: splitting the integral at
 *       {@code z0 = sigma^2 log(1/q - 1) + 1/2}, where the two components of {@code mu} are
 *       equal, and expanding {@code (1 - q + q r)^alpha} by the generalized binomial series on
 *       each side (their Section 3.3, fractional case); term {@code i} of the two series is
 *       <br>{@code C(alpha, i) q^i (1 - q)^(alpha - i) exp((i^2 - i) / (2 sigma^2))
 *       erfc((i - z0) / (sqrt(2) sigma)) / 2} and
 *       <br>{@code C(alpha, i) q^(alpha - i) (1 - q)^i exp((j^2 - j) / (2 sigma^2))
 *       erfc((z0 - j) / (sqrt(2) sigma)) / 2} with {@code j = alpha - i}.
 *       <br>The coefficients {@code C(alpha, i)} alternate in sign once {@code i > alpha + 1}
 *       and shrink, so the series stops, past {@code i = alpha}, once both terms are below
 *       {@code e^-30}; since {@code A_alpha >= 1} that is a relative error near 1e-13.</li>
 * </ul>
 * All sums run in log space ({@link LogMath}); the fractional series collects its positive and
 * negative terms separately and subtracts once, so a partial sum can never go negative.
 */
final class SampledGaussianMoment {
  /** Stop the fractional series once both of a step's terms are below exp(this). */
  private static final double LOG_TERM_CUTOFF = -30;
  /**
   * DP-SGD's inputs stop within a few hundred terms (order 1.1 at q = 256/60000, sigma = 0.6:
   * 321); a series still going at this count has met an input it was not derived for.
   */
  private static final int MAX_SERIES_TERMS = 10_000_000;
  private static final double LOG_HALF = Math.log(0.5);
  private static final double SQRT_2 = Math.sqrt(2);

  private SampledGaussianMoment() {}

  /**
   * The RDP of one step at order {@code alpha}: 0 when {@code q == 0} (no example is ever
   * used), infinite when {@code sigma == 0} (no noise), {@code alpha / (2 sigma^2)} when
   * {@code q == 1} (the plain Gaussian mechanism), otherwise {@code log(A_alpha) / (alpha - 1)}.
   * The caller has checked {@code 0 <= q <= 1}, {@code sigma >= 0} and finite {@code alpha > 1}.
   */
  static double rdpPerStep(double q, double sigma, double alpha) {
    if (q == 0) {
      return 0;
    }
    if (sigma == 0) {
      return Double.POSITIVE_INFINITY;
    }
    if (q == 1) {
      return alpha / (2 * sigma * sigma);
    }
    return logMoment(q, sigma, alpha) / (alpha - 1);
  }

  /** {@code log(A_alpha)} for {@code 0 < q < 1} and {@code sigma > 0}. */
  static double logMoment(double q, double sigma, double alpha) {
    if (alpha == Math.rint(alpha) && alpha <= Integer.MAX_VALUE) {
      return logMomentIntegerOrder(q, sigma, (int) alpha);
    }
    return logMomentFractionalOrder(q, sigma, alpha);
  }

  private static double logMomentIntegerOrder(double q, double sigma, int alpha) {
    double logQ = Math.log(q);
    double log1MinusQ = Math.log1p(-q);
    double twoSigmaSquared = 2 * sigma * sigma;
    double logBinomial = 0;
    double logA = Double.NEGATIVE_INFINITY;
    for (int i = 0; i <= alpha; i++) {
      if (i > 0) {
        logBinomial += Math.log(alpha - i + 1) - Math.log(i);
      }
      double di = i;
      double logTerm = logBinomial + di * logQ + (alpha - di) * log1MinusQ
          + (di * di - di) / twoSigmaSquared;
      logA = LogMath.logAdd(logA, logTerm);
    }
    return logA;
  }

  private static double logMomentFractionalOrder(double q, double sigma, double alpha) {
    double logQ = Math.log(q);
    double log1MinusQ = Math.log1p(-q);
    double twoSigmaSquared = 2 * sigma * sigma;
    double erfcScale = SQRT_2 * sigma;
    double z0 = sigma * sigma * (log1MinusQ - logQ) + 0.5;
    double logAbsBinomial = 0;
    boolean binomialPositive = true;
    double logPositive = Double.NEGATIVE_INFINITY;
    double logNegative = Double.NEGATIVE_INFINITY;
    for (int i = 0; ; i++) {
      if (i > 0) {
        double factor = alpha - i + 1;
        logAbsBinomial += Math.log(Math.abs(factor)) - Math.log(i);
        if (factor < 0) {
          binomialPositive = !binomialPositive;
        }
      }
      double j = alpha - i;
      double logBelowZ0 = logAbsBinomial + i * logQ + j * log1MinusQ
          + (i * (double) i - i) / twoSigmaSquared
          + LOG_HALF + LogMath.logErfc((i - z0) / erfcScale);
      double logAboveZ0 = logAbsBinomial + j * logQ + i * log1MinusQ
          + (j * j - j) / twoSigmaSquared
          + LOG_HALF + LogMath.logErfc((z0 - j) / erfcScale);
      double logStep = LogMath.logAdd(logBelowZ0, logAboveZ0);
      if (binomialPositive) {
        logPositive = LogMath.logAdd(logPositive, logStep);
      } else {
        logNegative = LogMath.logAdd(logNegative, logStep);
      }
      if (i > alpha && Math.max(logBelowZ0, logAboveZ0) < LOG_TERM_CUTOFF) {
        return LogMath.logSub(logPositive, logNegative);
      }
      if (i >= MAX_SERIES_TERMS) {
        throw new ArithmeticException("the fractional-order series for q=" + q + ", sigma="
            + sigma + ", alpha=" + alpha + " did not converge in " + MAX_SERIES_TERMS
            + " terms");
      }
    }
  }
}
