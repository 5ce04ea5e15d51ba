package org.sparktrain.worker.privacy;

/**
 * The noise a DP-SGD run needs to stay within a privacy budget: the smallest noise multiplier
 * whose epsilon, for the given sampling rate, steps and delta, is at most the target.
 *
 * <p>Epsilon falls as the noise rises (each order's RDP does), so a bisection finds it: the
 * bracket grows by doubling from 1 until the target is met, then halves until its width is
 * {@value #RELATIVE_TOLERANCE} of its upper end, and the upper end is returned, so the answer
 * always meets the target and is at most 0.01% more noise than needed. Past
 * {@value #MAX_NOISE_MULTIPLIER} it stops: with the classic conversion epsilon never goes below
 * {@code log(1 / delta) / (alpha_max - 1)} however large the noise, so a target below that
 * cannot be met, and noise beyond 1000 times the clipping norm trains nothing anyway.
 */
public final class NoiseCalibration {
  /** The largest noise multiplier (noise standard deviation / clipping norm) searched. */
  public static final double MAX_NOISE_MULTIPLIER = 1000;
  /** The bisection stops when its bracket is this fraction of the returned noise. */
  public static final double RELATIVE_TOLERANCE = 1e-4;

  private NoiseCalibration() {}

  /**
   * The smallest noise multiplier meeting {@code targetEpsilon} at {@code delta}, over the
   * {@link RdpAccountant#defaultOrders() default orders} with the
   * {@link Conversion#CLASSIC classic} conversion.
   */
  public static double noiseMultiplier(double q, long steps, double delta,
      double targetEpsilon) {
    return noiseMultiplier(q, steps, delta, targetEpsilon, RdpAccountant.defaultOrders(),
        Conversion.CLASSIC);
  }

  /**
   * The smallest noise multiplier (within {@value #RELATIVE_TOLERANCE}, relatively) whose
   * epsilon at {@code delta} after {@code steps} steps at sampling rate {@code q} is at most
   * {@code targetEpsilon}.
   *
   * @param q the sampling rate, in (0, 1]: with q = 0 no example is ever used, and any noise
   *     (none included) would do
   * @param steps at least 1, for the same reason
   * @throws IllegalArgumentException for arguments out of range, or when even
   *     {@value #MAX_NOISE_MULTIPLIER} does not reach the target; the message then gives the
   *     smallest epsilon that noise reaches
   */
  public static double noiseMultiplier(double q, long steps, double delta, double targetEpsilon,
      double[] orders, Conversion conversion) {
    if (!(q > 0 && q <= 1)) {
      throw new IllegalArgumentException("sampling rate q must be in (0, 1] to calibrate noise "
          + "(q = 0 uses no example, so no noise is needed), got " + q);
    }
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1 to calibrate noise (no steps "
          + "spend no privacy), got " + steps);
    }
    RdpAccountant.checkDelta(delta);
    if (!(targetEpsilon > 0) || Double.isInfinite(targetEpsilon)) {
      throw new IllegalArgumentException("target epsilon must be finite and > 0, got "
          + targetEpsilon);
    }
    Epsilon atMaximum = RdpAccountant.epsilon(q, MAX_NOISE_MULTIPLIER, steps, delta, orders,
        conversion);
    if (atMaximum.epsilon() > targetEpsilon) {
      throw new IllegalArgumentException("target epsilon " + targetEpsilon + " is out of "
          + "reach: the smallest epsilon reachable with noise multiplier up to "
          + MAX_NOISE_MULTIPLIER + " is " + atMaximum.epsilon() + " (at order "
          + atMaximum.order() + ") for q=" + q + ", steps=" + steps + ", delta=" + delta
          + ", " + conversion + " conversion; raise the target or delta, or use fewer steps");
    }
    double tooLittle = 0;
    double enough = 1;
    while (enough < MAX_NOISE_MULTIPLIER
        && !meets(q, enough, steps, delta, targetEpsilon, orders, conversion)) {
      tooLittle = enough;
      enough = Math.min(2 * enough, MAX_NOISE_MULTIPLIER);
    }
    while (enough - tooLittle > RELATIVE_TOLERANCE * enough) {
      double middle = 0.5 * (tooLittle + enough);
      if (meets(q, middle, steps, delta, targetEpsilon, orders, conversion)) {
        enough = middle;
      } else {
        tooLittle = middle;
      }
    }
    return enough;
  }

  private static boolean meets(double q, double noiseMultiplier, long steps, double delta,
      double targetEpsilon, double[] orders, Conversion conversion) {
    return RdpAccountant.epsilon(q, noiseMultiplier, steps, delta, orders, conversion)
        .epsilon() <= targetEpsilon;
  }
}
