package org.sparktrain.worker.privacy;

/**
 * A DP-SGD run's privacy, planned before it starts: Poisson sampling with an expected batch of
 * {@code expectedBatchSize} out of {@code examples} for {@code epochs} epochs, noise
 * {@code noiseMultiplier} times the clipping norm, and what that spends at {@code delta}
 * (default orders, classic conversion, as {@link RdpAccountant#epsilon(double, double, long,
 * double)}).
 *
 * @param samplingRate {@code q = expectedBatchSize / examples}
 * @param steps {@code ceil(epochs * examples / expectedBatchSize)}: an epoch is
 *     {@code 1 / q} steps on average, and a fractional last step is counted whole
 */
public record PrivacyPlan(long examples, long expectedBatchSize, double epochs, long steps,
    double samplingRate, double noiseMultiplier, double delta, Epsilon epsilon) {
  /** Products within this relative distance of a whole number count as that number. */
  private static final double WHOLE_STEPS_TOLERANCE = 1e-9;

  /** The privacy a run with this noise spends. */
  public static PrivacyPlan withNoise(long examples, long expectedBatchSize, double epochs,
      double noiseMultiplier, double delta) {
    long steps = steps(epochs, examples, expectedBatchSize);
    double q = samplingRate(expectedBatchSize, examples);
    return new PrivacyPlan(examples, expectedBatchSize, epochs, steps, q, noiseMultiplier, delta,
        RdpAccountant.epsilon(q, noiseMultiplier, steps, delta));
  }

  /**
   * The run with the least noise that keeps epsilon within {@code targetEpsilon}
   * ({@link NoiseCalibration}); its {@link #epsilon()} is what that noise actually spends.
   */
  public static PrivacyPlan forTargetEpsilon(long examples, long expectedBatchSize,
      double epochs, double delta, double targetEpsilon) {
    long steps = steps(epochs, examples, expectedBatchSize);
    double q = samplingRate(expectedBatchSize, examples);
    double noise = NoiseCalibration.noiseMultiplier(q, steps, delta, targetEpsilon);
    return new PrivacyPlan(examples, expectedBatchSize, epochs, steps, q, noise, delta,
        RdpAccountant.epsilon(q, noise, steps, delta));
  }

  /**
   * {@code ceil(epochs * examples / expectedBatchSize)}, with a product that is whole up to
   * rounding (0.1 epochs of 600 examples in batches of 6 is 10 steps, not 11) taken as whole.
   */
  public static long steps(double epochs, long examples, long expectedBatchSize) {
    checkSizes(examples, expectedBatchSize);
    if (!(epochs > 0) || Double.isInfinite(epochs)) {
      throw new IllegalArgumentException("epochs must be finite and > 0, got " + epochs);
    }
    double exact = epochs * examples / expectedBatchSize;
    double whole = Math.rint(exact);
    if (Math.abs(exact - whole) <= WHOLE_STEPS_TOLERANCE * whole) {
      return (long) whole;
    }
    return (long) Math.ceil(exact);
  }

  /** {@code q = expectedBatchSize / examples}. */
  public static double samplingRate(long expectedBatchSize, long examples) {
    checkSizes(examples, expectedBatchSize);
    return (double) expectedBatchSize / examples;
  }

  private static void checkSizes(long examples, long expectedBatchSize) {
    if (examples < 1) {
      throw new IllegalArgumentException("examples must be >= 1, got " + examples);
    }
    if (expectedBatchSize < 1 || expectedBatchSize > examples) {
      throw new IllegalArgumentException("expected batch size must be in [1, examples = "
          + examples + "], got " + expectedBatchSize);
    }
  }
}
