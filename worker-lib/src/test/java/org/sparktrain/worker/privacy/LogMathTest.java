package org.sparktrain.worker.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LogMathTest {
  private static final double NEG_INF = Double.NEGATIVE_INFINITY;

  @Test
  void logAddAddsExponentialsWithoutOverflow() {
    assertThat(LogMath.logAdd(Math.log(2), Math.log(3))).isCloseTo(Math.log(5), within(1e-15));
    // e^1000 + e^1000 overflows as doubles; its logarithm is 1000 + log 2.
    assertThat(LogMath.logAdd(1000, 1000)).isCloseTo(1000 + Math.log(2), within(1e-12));
    assertThat(LogMath.logAdd(NEG_INF, 7.5)).isEqualTo(7.5);
    assertThat(LogMath.logAdd(7.5, NEG_INF)).isEqualTo(7.5);
    assertThat(LogMath.logAdd(NEG_INF, NEG_INF)).isEqualTo(NEG_INF);
  }

  @Test
  void logSubSubtractsAndRefusesANegativeDifference() {
    assertThat(LogMath.logSub(Math.log(5), Math.log(3))).isCloseTo(Math.log(2), within(1e-15));
    // Close arguments, d = 2^-33 apart (exact in doubles): log(e - e^(1 - d)) is
    // 1 + log(1 - e^-d) = 1 + log(d) - d / 2 + O(d^2).
    double d = Math.scalb(1.0, -33);
    assertThat(LogMath.logSub(1, 1 - d)).isCloseTo(1 + Math.log(d) - d / 2, within(1e-14));
    assertThat(LogMath.logSub(3, NEG_INF)).isEqualTo(3);
    assertThat(LogMath.logSub(3, 3)).isEqualTo(NEG_INF);
    assertThatThrownBy(() -> LogMath.logSub(1, 2)).isInstanceOf(ArithmeticException.class)
        .hasMessageContaining("logX >= logY");
  }

  /** References: mpmath at 30 digits, {@code log(erfc(mpf(x)))}. */
  @ParameterizedTest
  @CsvSource({
      "-30, 0.69314718055994530942",
      "-2, 0.69080557364658765676",
      "-0.5, 0.41903914777555958036",
      "0, 0.0",
      "1e-8, -1.1283791734617103078e-8",
      "0.5, -0.73501112983708440303",
      "0.999, -1.846967385484698682",
      "1, -1.8496055099332482486",
      "2.2, -6.2856496931913769706",
      "5, -27.200889545537434422",
      "27, -732.86888650789741098",
      "1000, -1000007.4801207219062"})
  void logErfcMatchesHighPrecisionValuesToFifteenDigits(double x, double expected) {
    assertThat(LogMath.logErfc(x))
        .isCloseTo(expected, within(Math.max(1e-15, 2e-15 * Math.abs(expected))));
  }

  @Test
  void logErfcHasTheRightLimits() {
    assertThat(LogMath.logErfc(Double.NEGATIVE_INFINITY)).isEqualTo(Math.log(2));
    assertThat(LogMath.logErfc(Double.POSITIVE_INFINITY)).isEqualTo(NEG_INF);
    assertThat(LogMath.logErfc(Double.NaN)).isNaN();
  }
}
