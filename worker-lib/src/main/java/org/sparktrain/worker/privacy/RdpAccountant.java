package org.sparktrain.worker.privacy;

import java.util.Arrays;

/**
 * The privacy that DP-SGD spends: the Rényi-DP accountant of the Poisson-subsampled Gaussian
 * mechanism (Mironov, Talwar and Zhang, "Rényi Differential Privacy of the Sampled Gaussian
 * Mechanism", 2019; Abadi et al., "Deep Learning with Differential Privacy", 2016, for DP-SGD),
 * computed as TensorFlow Privacy's {@code compute_rdp} and Google's dp-accounting
 * {@code RdpAccountant} compute it.
 *
 * <p>Each step samples every example with probability {@code q}, clips each example's gradient
 * to norm {@code C} and adds Gaussian noise of standard deviation {@code noiseMultiplier * C}.
 * One step is {@code (alpha, rdp_alpha)}-RDP at every order {@code alpha > 1}
 * ({@link SampledGaussianMoment}); RDP composes by addition, so {@code steps} steps are
 * {@code (alpha, steps * rdp_alpha)}-RDP; and each order converts to an
 * {@code (epsilon, delta)} guarantee ({@link Conversion}), of which the smallest is reported.
 *
 * <p>The default orders are dp-accounting's default list
 * {@code [1.1, 1.2, ..., 10.9] + [12, 13, ..., 63] + [128, 256, 512]}: its fine grid of
 * fractional orders below 11 finds the minimum of the small-epsilon runs more closely than
 * TensorFlow Privacy's older {@code [1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5] +
 * [5, ..., 63] + [128, 256, 512]}. Callers may pass their own.
 */
public final class RdpAccountant {
  private static final double[] DEFAULT_ORDERS = defaultOrderList();

  private RdpAccountant() {}

  /** dp-accounting's default orders (see the class comment); a fresh copy. */
  public static double[] defaultOrders() {
    return DEFAULT_ORDERS.clone();
  }

  /**
   * The RDP, at each of {@code orders}, of {@code steps} steps of the sampled Gaussian
   * mechanism. Zero steps spend nothing: all zeros.
   *
   * @param q the probability that an example is in a step's batch (expected batch / examples)
   * @param noiseMultiplier the noise's standard deviation over the clipping norm
   * @param orders Rényi orders, each finite and above 1
   */
  public static double[] rdp(double q, double noiseMultiplier, long steps, double[] orders) {
    checkSamplingRate(q);
    checkNoiseMultiplier(noiseMultiplier);
    checkSteps(steps);
    checkOrders(orders);
    double[] rdp = new double[orders.length];
    if (steps == 0) {
      return rdp;
    }
    for (int k = 0; k < orders.length; k++) {
      rdp[k] = steps * SampledGaussianMoment.rdpPerStep(q, noiseMultiplier, orders[k]);
    }
    return rdp;
  }

  /**
   * The epsilon spent at {@code delta} by {@code steps} steps, over the {@link #defaultOrders()
   * default orders}, with the {@link Conversion#CLASSIC classic} conversion (the one behind the
   * published DP-SGD epsilons this is compared with).
   */
  public static Epsilon epsilon(double q, double noiseMultiplier, long steps, double delta) {
    return epsilon(q, noiseMultiplier, steps, delta, DEFAULT_ORDERS, Conversion.CLASSIC);
  }

  /**
   * The epsilon spent at {@code delta} by {@code steps} steps, minimized over {@code orders}.
   * With no steps, RDP is 0 at every order: {@link Conversion#CLASSIC} then still answers
   * {@code log(1 / delta) / (alpha_max - 1)} (0.0225 at delta 1e-5 with the default orders,
   * the formula's floor), {@link Conversion#IMPROVED} answers 0.
   */
  public static Epsilon epsilon(double q, double noiseMultiplier, long steps, double delta,
      double[] orders, Conversion conversion) {
    checkDelta(delta);
    return epsilonFromRdp(orders, rdp(q, noiseMultiplier, steps, orders), delta, conversion);
  }

  /**
   * The smallest epsilon that the RDP guarantees {@code (orders[k], rdp[k])} give at
   * {@code delta}, never below 0, and the order that gives it (the first, on a tie).
   */
  public static Epsilon epsilonFromRdp(double[] orders, double[] rdp, double delta,
      Conversion conversion) {
    checkOrders(orders);
    checkDelta(delta);
    if (rdp.length != orders.length) {
      throw new IllegalArgumentException("need one RDP value per order: " + orders.length
          + " orders, " + rdp.length + " RDP values");
    }
    double best = Double.POSITIVE_INFINITY;
    double bestOrder = orders[0];
    for (int k = 0; k < orders.length; k++) {
      if (!(rdp[k] >= 0)) {
        throw new IllegalArgumentException("RDP values must be >= 0 (infinity allowed), got "
            + rdp[k] + " at order " + orders[k]);
      }
      double epsilon = conversion.epsilon(orders[k], rdp[k], delta);
      if (epsilon < best) {
        best = epsilon;
        bestOrder = orders[k];
      }
    }
    return new Epsilon(Math.max(0, best), bestOrder);
  }

  static void checkSamplingRate(double q) {
    if (!(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException("sampling rate q (expected batch size / number of "
          + "examples) must be in [0, 1], got " + q);
    }
  }

  static void checkNoiseMultiplier(double noiseMultiplier) {
    if (!(noiseMultiplier >= 0) || Double.isInfinite(noiseMultiplier)) {
      throw new IllegalArgumentException("noise multiplier (noise standard deviation / "
          + "clipping norm) must be finite and >= 0, got " + noiseMultiplier);
    }
  }

  static void checkSteps(long steps) {
    if (steps < 0) {
      throw new IllegalArgumentException("steps must be >= 0, got " + steps);
    }
  }

  static void checkDelta(double delta) {
    if (!(delta > 0 && delta < 1)) {
      throw new IllegalArgumentException("delta must be in (0, 1) (typically below 1 / number "
          + "of examples), got " + delta);
    }
  }

  private static void checkOrders(double[] orders) {
    if (orders.length == 0) {
      throw new IllegalArgumentException("need at least one Rényi order");
    }
    for (double order : orders) {
      if (!(order > 1) || Double.isInfinite(order)) {
        throw new IllegalArgumentException("Rényi orders must be finite and > 1, got " + order
            + " in " + Arrays.toString(orders));
      }
    }
  }

  private static double[] defaultOrderList() {
    double[] orders = new double[99 + 52 + 3];
    int k = 0;
    for (int x = 1; x < 100; x++) {
      orders[k++] = 1 + x / 10.0;
    }
    for (int order = 12; order < 64; order++) {
      orders[k++] = order;
    }
    orders[k++] = 128;
    orders[k++] = 256;
    orders[k] = 512;
    return orders;
  }
}
