package org.sparktrain.worker.privacy;

/**
 * How an RDP guarantee {@code (alpha, rdp)} becomes an {@code (epsilon, delta)}-DP guarantee.
 * Both are sound; {@link #IMPROVED} is never larger, and smaller by about
 * {@code log(alpha) / (alpha - 1) + 1 / alpha} at the optimal order: TensorFlow Privacy's MNIST
 * tutorial's 3.01 becomes 2.60.
 */
public enum Conversion {
  /**
   * Mironov, "Rényi Differential Privacy" (2017), Proposition 3:
   * {@code epsilon = rdp + log(1 / delta) / (alpha - 1)}. The conversion behind the epsilons
   * that TensorFlow Privacy's tutorials, Opacus's examples and most papers up to 2020 report.
   */
  CLASSIC {
    @Override
    public double epsilon(double alpha, double rdp, double delta) {
      return rdp - Math.log(delta) / (alpha - 1);
    }
  },
  /**
   * Balle, Barthe, Gaboardi, Hsu and Sato, "Hypothesis Testing Interpretations and Rényi
   * Differential Privacy" (2020), Theorem 21, also Canonne, Kamath and Steinke, "The Discrete
   * Gaussian for Differential Privacy" (2020), Proposition 12, as Google's dp-accounting
   * {@code rdp_privacy_accountant._compute_epsilon} applies it:
   * {@code epsilon = rdp + log1p(-1 / alpha) - (log(delta) + log(alpha)) / (alpha - 1)}.
   * Like dp-accounting it answers 0 when {@code delta^2 > 1 - exp(-rdp)} (then even the
   * KL bound {@code delta <= sqrt(1 - exp(-KL))}, with {@code KL <= rdp}, gives {@code delta}),
   * and infinity for {@code alpha <= 1.01}, where the formula is numerically unstable and never
   * the minimum anyway.
   */
  IMPROVED {
    @Override
    public double epsilon(double alpha, double rdp, double delta) {
      if (delta * delta + Math.expm1(-rdp) > 0) {
        return 0;
      }
      if (alpha <= SMALLEST_STABLE_ORDER) {
        return Double.POSITIVE_INFINITY;
      }
      return rdp + Math.log1p(-1 / alpha) - (Math.log(delta) + Math.log(alpha)) / (alpha - 1);
    }
  };

  /** Below this order the improved formula divides by nearly zero (dp-accounting's bound). */
  private static final double SMALLEST_STABLE_ORDER = 1.01;

  /**
   * The epsilon that an {@code (alpha, rdp)}-RDP mechanism guarantees at {@code delta}; the
   * caller has checked {@code alpha > 1}, {@code rdp >= 0} and {@code 0 < delta < 1}.
   */
  public abstract double epsilon(double alpha, double rdp, double delta);
}
