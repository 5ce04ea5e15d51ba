package org.sparktrain.worker.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NoiseCalibrationTest {
  private static final double MNIST_Q = 256 / 60_000.0;
  private static final double DELTA = 1e-5;

  @ParameterizedTest(name = "q={0} steps={1} target={2}")
  @CsvSource({
      "0.0042666666666666667, 14062, 3.0",
      "0.0042666666666666667, 14062, 1.0",
      "0.01, 1000, 8.0",
      "0.01, 1000, 0.5",
      "1.0, 10, 2.0"})
  void theNoiseMeetsTheTargetAndSlightlyLessDoesNot(double q, long steps, double target) {
    double noise = NoiseCalibration.noiseMultiplier(q, steps, DELTA, target);
    assertThat(RdpAccountant.epsilon(q, noise, steps, DELTA).epsilon())
        .isLessThanOrEqualTo(target);
    assertThat(RdpAccountant.epsilon(q, noise * (1 - 1e-3), steps, DELTA).epsilon())
        .isGreaterThan(target);
  }

  @Test
  void theMnistTutorialsEpsilonGivesBackItsNoise() {
    double epsilon = RdpAccountant.epsilon(MNIST_Q, 1.1, 14062, DELTA).epsilon();
    assertThat(NoiseCalibration.noiseMultiplier(MNIST_Q, 14062, DELTA, epsilon))
        .isBetween(1.1, 1.1 * (1 + NoiseCalibration.RELATIVE_TOLERANCE));
  }

  @Test
  void theImprovedConversionNeedsLessNoise() {
    double classic = NoiseCalibration.noiseMultiplier(MNIST_Q, 14062, DELTA, 2);
    double improved = NoiseCalibration.noiseMultiplier(MNIST_Q, 14062, DELTA, 2,
        RdpAccountant.defaultOrders(), Conversion.IMPROVED);
    assertThat(improved).isLessThan(classic);
    assertThat(RdpAccountant.epsilon(MNIST_Q, improved, 14062, DELTA,
        RdpAccountant.defaultOrders(), Conversion.IMPROVED).epsilon()).isLessThanOrEqualTo(2);
  }

  /**
   * The classic conversion never goes below log(1 / delta) / 511 = 0.0225 (delta 1e-5, largest
   * order 512) however large the noise; the refusal says what the largest noise reaches.
   */
  @Test
  void refusesATargetNoNoiseUpToTheMaximumReaches() {
    assertThatThrownBy(() -> NoiseCalibration.noiseMultiplier(MNIST_Q, 14062, DELTA, 0.01))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("target epsilon 0.01 is out of reach")
        .hasMessageContaining("noise multiplier up to 1000.0")
        .hasMessageContaining("is 0.0225");
  }

  @Test
  void refusesArgumentsOutOfRange() {
    assertThatThrownBy(() -> NoiseCalibration.noiseMultiplier(MNIST_Q, 100, DELTA, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("target epsilon must be finite and > 0, got 0.0");
    assertThatThrownBy(() -> NoiseCalibration.noiseMultiplier(MNIST_Q, 100, DELTA, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("> 0");
    assertThatThrownBy(() -> NoiseCalibration.noiseMultiplier(MNIST_Q, 100, DELTA,
        Double.POSITIVE_INFINITY)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("finite");
    assertThatThrownBy(() -> NoiseCalibration.noiseMultiplier(MNIST_Q, 100, 0, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delta");
    assertThatThrownBy(() -> NoiseCalibration.noiseMultiplier(MNIST_Q, 100, 1.5, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(0, 1)");
    assertThatThrownBy(() -> NoiseCalibration.noiseMultiplier(0, 100, DELTA, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(0, 1]");
    assertThatThrownBy(() -> NoiseCalibration.noiseMultiplier(MNIST_Q, 0, DELTA, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("steps must be >= 1");
  }
}
