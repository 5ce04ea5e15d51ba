package org.sparktrain.driver.privacy;

/**
 * The regularized incomplete beta function {@code I_x(a, b)}, the Beta distribution's CDF, by
 * its continued fraction (Abramowitz and Stegun 26.5.8) evaluated with the modified Lentz
 * method, as in Numerical Recipes' {@code betai}: the fraction converges fast for
 * {@code x < (a + 1) / (a + b + 2)}, and beyond that point the symmetry
 * {@code I_x(a, b) = 1 - I_(1-x)(b, a)} is used. The prefactor
 * {@code x^a (1-x)^b / (a B(a, b))} is computed through log-gamma (Lanczos), so large counts
 * (a hundred thousand trials) neither overflow nor underflow.
 */
final class IncompleteBeta {
  private static final int MAX_TERMS = 10_000;
  private static final double EPSILON = 1e-15;
  /** Keeps Lentz's denominators away from zero. */
  private static final double TINY = 1e-300;
  /** Lanczos coefficients for g = 7, n = 9 (about 15 significant digits for x > 0). */
  private static final double[] LANCZOS = {0.99999999999980993, 676.5203681218851,
      -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
      -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};
  private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

  private IncompleteBeta() {}

  /** {@code I_x(a, b)} for {@code 0 <= x <= 1}, {@code a, b > 0}. */
  static double regularized(double x, double a, double b) {
    if (!(a > 0 && b > 0)) {
      throw new IllegalArgumentException("beta parameters must be > 0, got a=" + a + ", b=" + b);
    }
    if (x <= 0) {
      return 0;
    }
    if (x >= 1) {
      return 1;
    }
    double logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x)
        + b * Math.log1p(-x);
    if (x < (a + 1) / (a + b + 2)) {
      return Math.exp(logFront) * continuedFraction(x, a, b) / a;
    }
    return 1 - Math.exp(logFront) * continuedFraction(1 - x, b, a) / b;
  }

  /** ln Gamma(x) for x > 0 (Lanczos; x < 0.5 by reflection is never needed here). */
  static double logGamma(double x) {
    if (x < 0.5) {
      // Gamma(x) Gamma(1 - x) = pi / sin(pi x)
      return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
    }
    double z = x - 1;
    double sum = LANCZOS[0];
    double t = z + 7.5;
    for (int i = 1; i < LANCZOS.length; i++) {
      sum += LANCZOS[i] / (z + i);
    }
    return HALF_LOG_TWO_PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
  }

  private static double continuedFraction(double x, double a, double b) {
    double qab = a + b;
    double qap = a + 1;
    double qam = a - 1;
    double c = 1;
    double d = 1 - qab * x / qap;
    d = 1 / (Math.abs(d) < TINY ? TINY : d);
    double h = d;
    for (int m = 1; m <= MAX_TERMS; m++) {
      int m2 = 2 * m;
      double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
      d = 1 + aa * d;
      d = 1 / (Math.abs(d) < TINY ? TINY : d);
      c = 1 + aa / c;
      c = Math.abs(c) < TINY ? TINY : c;
      h *= d * c;
      aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
      d = 1 + aa * d;
      d = 1 / (Math.abs(d) < TINY ? TINY : d);
      c = 1 + aa / c;
      c = Math.abs(c) < TINY ? TINY : c;
      double step = d * c;
      h *= step;
      if (Math.abs(step - 1) < EPSILON) {
        return h;
      }
    }
    throw new ArithmeticException("incomplete beta did not converge for x=" + x + ", a=" + a
        + ", b=" + b);
  }
}
