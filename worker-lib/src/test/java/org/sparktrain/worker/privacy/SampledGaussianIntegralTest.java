package org.sparktrain.worker.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The accountant against a second, independent computation: the moment's defining integral
 * {@code A_alpha = E_{z ~ mu0}[(mu(z) / mu0(z))^alpha]}, with {@code mu0 = N(0, sigma^2)} and
 * {@code mu = (1 - q) mu0 + q N(1, sigma^2)}, so {@code mu(z) / mu0(z) = 1 - q + q exp((2z - 1)
 * / (2 sigma^2))}, integrated numerically, and {@code rdp = log(A_alpha) / (alpha - 1)}. The
 * integral runs over {@code [-40 sigma, alpha + 40 sigma]}, which holds both of the integrand's
 * humps (near 0 and near alpha) with tails below e^-800, cut into 4000 panels so that no hump
 * falls between the first samples, each integrated by adaptive Simpson. It integrates
 * {@code A_alpha - 1} so the small RDP of small q keeps its digits.
 */
class SampledGaussianIntegralTest {
  private static final double HALF_WIDTH_SIGMAS = 40;
  private static final int PANELS = 4000;
  private static final double RELATIVE_TOLERANCE = 1e-13;
  private static final int MAX_DEPTH = 40;

  @ParameterizedTest(name = "q={0} sigma={1} alpha={2}")
  @CsvSource({
      "0.01, 1.1, 2",
      "0.01, 1.1, 3.5",
      "0.01, 1.1, 8",
      "0.01, 1.1, 32",
      "0.1, 2, 1.5",
      "0.004, 0.6, 10",
      "0.01, 1.1, 1.1",
      "0.5, 1, 2.5",
      "0.9, 3, 4.5"})
  void rdpMatchesTheNumericallyIntegratedMomentToOnePartInAMillion(double q, double sigma,
      double alpha) {
    double integrated = Math.log1p(momentMinusOne(q, sigma, alpha)) / (alpha - 1);
    double accountant = RdpAccountant.rdp(q, sigma, 1, new double[] {alpha})[0];
    assertThat(accountant).isCloseTo(integrated, withinPercentage(1e-4));
  }

  /** {@code A_alpha - 1}: the integral of {@code mu0(z) ((mu(z) / mu0(z))^alpha - 1)}. */
  private static double momentMinusOne(double q, double sigma, double alpha) {
    double from = -HALF_WIDTH_SIGMAS * sigma;
    double to = alpha + HALF_WIDTH_SIGMAS * sigma;
    double width = (to - from) / PANELS;
    double scale = 0;
    for (int p = 0; p <= PANELS; p++) {
      scale = Math.max(scale, Math.abs(integrand(from + p * width, q, sigma, alpha)));
    }
    double tolerance = RELATIVE_TOLERANCE * scale * width;
    double sum = 0;
    for (int p = 0; p < PANELS; p++) {
      double a = from + p * width;
      double b = a + width;
      double fa = integrand(a, q, sigma, alpha);
      double fm = integrand(0.5 * (a + b), q, sigma, alpha);
      double fb = integrand(b, q, sigma, alpha);
      sum += adaptiveSimpson(a, b, fa, fm, fb, simpson(a, b, fa, fm, fb), tolerance, MAX_DEPTH,
          q, sigma, alpha);
    }
    return sum;
  }

  private static double adaptiveSimpson(double a, double b, double fa, double fm, double fb,
      double whole, double tolerance, int depth, double q, double sigma, double alpha) {
    double m = 0.5 * (a + b);
    double flm = integrand(0.5 * (a + m), q, sigma, alpha);
    double frm = integrand(0.5 * (m + b), q, sigma, alpha);
    double left = simpson(a, m, fa, flm, fm);
    double right = simpson(m, b, fm, frm, fb);
    double difference = left + right - whole;
    if (depth == 0 || Math.abs(difference) <= 15 * tolerance) {
      return left + right + difference / 15;
    }
    return adaptiveSimpson(a, m, fa, flm, fm, left, tolerance / 2, depth - 1, q, sigma, alpha)
        + adaptiveSimpson(m, b, fm, frm, fb, right, tolerance / 2, depth - 1, q, sigma, alpha);
  }

  private static double simpson(double a, double b, double fa, double fm, double fb) {
    return (b - a) / 6 * (fa + 4 * fm + fb);
  }

  /**
   * {@code mu0(z) ((mu(z) / mu0(z))^alpha - 1)}: with {@code t = alpha log(mu / mu0)}, as
   * {@code mu0 expm1(t)} where t is small and as {@code exp(log mu0 + t) - mu0} where the
   * power alone would overflow.
   */
  private static double integrand(double z, double q, double sigma, double alpha) {
    double variance = sigma * sigma;
    double logDensity = -z * z / (2 * variance) - Math.log(sigma * Math.sqrt(2 * Math.PI));
    double logRatio = Math.log1p(q * Math.expm1((2 * z - 1) / (2 * variance)));
    double t = alpha * logRatio;
    if (Math.abs(t) < 1) {
      return Math.exp(logDensity) * Math.expm1(t);
    }
    return Math.exp(logDensity + t) - Math.exp(logDensity);
  }
}
