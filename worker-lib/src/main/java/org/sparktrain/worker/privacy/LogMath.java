package org.sparktrain.worker.privacy;

/**
 * Arithmetic on the logarithms of non-negative numbers, and the logarithm of the complementary
 * error function. The accountant's moments are sums of terms such as {@code exp(i^2 / sigma^2)}
 * that overflow a double long before the result does, so it adds and subtracts them as
 * logarithms; and its fractional-order series needs {@code log(erfc(x))} for {@code x} from
 * about {@code -1e3} to {@code 1e5}, where {@code erfc} itself underflows (erfc(27) is 5e-319).
 * Java has no {@code erfc}, so this class computes one.
 *
 * <p>{@code erfc(x)} for {@code 0 <= x < 1} is {@code 1 - erf(x)}, with {@code erf} from its
 * series of positive terms {@code erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (2n+1)!!}
 * (Abramowitz and Stegun 7.1.6): no cancellation, and below {@code x = 1} the subtraction from
 * 1 costs under one digit (erfc(1) is 0.157). For {@code x >= 1} it is Laplace's continued
 * fraction
 * {@code erfc(x) = exp(-x^2) / sqrt(pi) / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...))))}
 * (A and S 7.1.14), evaluated by the modified Lentz method with {@code exp(-x^2)} kept as its
 * logarithm, so it never underflows. Negative arguments use {@code erfc(x) = 2 - erfc(-x)}.
 * Against 50-digit references the result is within a few units in the 15th digit; the switch
 * at {@code x = 1} is where the fraction's length (180 steps there, 38 at 2.5, 9 at 10) and
 * the series' lost digits are both small.
 */
final class LogMath {
  private static final double LOG_SQRT_PI = 0.5 * Math.log(Math.PI);
  private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
  /** Where erfc switches from {@code 1 - erf} (series) to the continued fraction. */
  private static final double CONTINUED_FRACTION_FROM = 1.0;
  /** The series stops once a term adds less than this fraction of the sum. */
  private static final double SERIES_RELATIVE_TOLERANCE = 1e-17;
  /** The fraction stops once a step changes its value by at most two units in the last place. */
  private static final double FRACTION_RELATIVE_TOLERANCE = 2 * Math.ulp(1.0);
  /** The series needs under 30 terms and the fraction under 200 in their ranges. */
  private static final int MAX_TERMS = 10_000;

  private LogMath() {}

  /** {@code log(exp(logX) + exp(logY))}, exact for either argument {@code -infinity}. */
  static double logAdd(double logX, double logY) {
    double small = Math.min(logX, logY);
    double large = Math.max(logX, logY);
    if (small == Double.NEGATIVE_INFINITY) {
      return large;
    }
    return large + Math.log1p(Math.exp(small - large));
  }

  /**
   * {@code log(exp(logX) - exp(logY))} for {@code logX >= logY}; {@code -infinity} when they are
   * equal. {@code log1p}/{@code expm1} keep it accurate when the two are close.
   *
   * @throws ArithmeticException if {@code logX < logY}: the difference would be negative
   */
  static double logSub(double logX, double logY) {
    if (logX < logY) {
      throw new ArithmeticException("log-space subtraction needs logX >= logY (the difference "
          + "of exponentials would be negative), got logX=" + logX + ", logY=" + logY);
    }
    if (logY == Double.NEGATIVE_INFINITY) {
      return logX;
    }
    if (logX == logY) {
      return Double.NEGATIVE_INFINITY;
    }
    return logX + Math.log(-Math.expm1(logY - logX));
  }

  /** {@code log(erfc(x))} for any double, accurate where {@code erfc(x)} underflows. */
  static double logErfc(double x) {
    if (Double.isNaN(x)) {
      return Double.NaN;
    }
    if (x == Double.POSITIVE_INFINITY) {
      return Double.NEGATIVE_INFINITY;
    }
    if (x < 0) {
      // erfc(x) = 1 + erf(-x) = 2 - erfc(-x) lies in (1, 2]: no precision is lost forming it.
      return -x < CONTINUED_FRACTION_FROM ? Math.log1p(erfSeries(-x))
          : Math.log(2 - Math.exp(logErfc(-x)));
    }
    if (x < CONTINUED_FRACTION_FROM) {
      return Math.log1p(-erfSeries(x));
    }
    return -x * x - LOG_SQRT_PI - Math.log(laplaceContinuedFraction(x));
  }

  /** {@code erf(x)} for {@code 0 <= x < 1} from the series of positive terms. */
  private static double erfSeries(double x) {
    double twoXSquared = 2 * x * x;
    double term = x;
    double sum = 0;
    int n = 0;
    do {
      sum += term;
      n++;
      term *= twoXSquared / (2 * n + 1);
      checkConverging(n, x);
    } while (term > SERIES_RELATIVE_TOLERANCE * sum);
    return TWO_OVER_SQRT_PI * Math.exp(-x * x) * sum;
  }

  /**
   * {@code x + (1/2) / (x + 1 / (x + (3/2) / (x + ...)))}, which is
   * {@code exp(-x^2) / (sqrt(pi) erfc(x))}, by the modified Lentz method (all partial
   * numerators and denominators are positive, so no denominator can vanish).
   */
  private static double laplaceContinuedFraction(double x) {
    double value = x;
    double c = x;
    double d = 0;
    int n = 0;
    double change;
    do {
      n++;
      double numerator = 0.5 * n;
      d = 1 / (x + numerator * d);
      c = x + numerator / c;
      change = c * d;
      value *= change;
      checkConverging(n, x);
    } while (Math.abs(change - 1) > FRACTION_RELATIVE_TOLERANCE);
    return value;
  }

  private static void checkConverging(int terms, double x) {
    if (terms > MAX_TERMS) {
      throw new ArithmeticException("erfc(" + x + ") did not converge in " + MAX_TERMS
          + " terms");
    }
  }
}
