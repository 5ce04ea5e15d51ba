package org.sparktrain.driver.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ClopperPearsonTest {

  @Test
  void noSuccessesOrAllSuccessesHaveClosedForms() {
    // x = 0: upper = 1 - (alpha/2)^(1/n); x = n: lower = (alpha/2)^(1/n).
    ClopperPearson.Interval none = ClopperPearson.interval(0, 100, 0.95);
    assertThat(none.lower()).isZero();
    assertThat(none.upper()).isCloseTo(1 - Math.pow(0.025, 0.01), within(1e-12))
        .isCloseTo(0.0362, within(5e-5));
    ClopperPearson.Interval all = ClopperPearson.interval(100, 100, 0.95);
    assertThat(all.upper()).isEqualTo(1.0);
    assertThat(all.lower()).isCloseTo(Math.pow(0.025, 0.01), within(1e-12));
  }

  @Test
  void matchesPublishedValues() {
    // 5 of 20 at 95%: 0.0866 to 0.4910 (e.g. R's binom.test(5, 20)).
    ClopperPearson.Interval i = ClopperPearson.interval(5, 20, 0.95);
    assertThat(i.lower()).isCloseTo(0.0866, within(5e-5));
    assertThat(i.upper()).isCloseTo(0.4910, within(5e-5));
  }

  /**
   * The definition, checked with a formula independent of the incomplete beta function: at the
   * lower end P(X >= x) = alpha/2, at the upper end P(X <= x) = alpha/2, X ~ Binomial(n, p),
   * the binomial probabilities summed in log space.
   */
  @Test
  void endsSatisfyTheBinomialTailDefinition() {
    long[][] cases = {{1, 10}, {3, 50}, {17, 40}, {2, 1000}, {500, 1000}, {990, 1000},
        {40, 20000}, {1, 100000}};
    for (long[] c : cases) {
      int x = (int) c[0];
      int n = (int) c[1];
      ClopperPearson.Interval i = ClopperPearson.interval(x, n, 0.95);
      assertThat(1 - binomialCdf(x - 1, n, i.lower())).as("lower end of %d/%d", x, n)
          .isCloseTo(0.025, within(1e-7));
      assertThat(binomialCdf(x, n, i.upper())).as("upper end of %d/%d", x, n)
          .isCloseTo(0.025, within(1e-7));
      assertThat(i.lower()).isLessThan((double) x / n);
      assertThat(i.upper()).isGreaterThan((double) x / n);
    }
  }

  @Test
  void incompleteBetaHasKnownValues() {
    // I_x(1, 1) = x; I_x(a, 1) = x^a; I_x(1, b) = 1 - (1 - x)^b; I_0.5(a, a) = 1/2.
    assertThat(IncompleteBeta.regularized(0.3, 1, 1)).isCloseTo(0.3, within(1e-14));
    assertThat(IncompleteBeta.regularized(0.3, 4, 1)).isCloseTo(Math.pow(0.3, 4), within(1e-14));
    assertThat(IncompleteBeta.regularized(0.3, 1, 7)).isCloseTo(1 - Math.pow(0.7, 7),
        within(1e-14));
    assertThat(IncompleteBeta.regularized(0.5, 250, 250)).isCloseTo(0.5, within(1e-12));
    assertThat(IncompleteBeta.logGamma(10)).isCloseTo(Math.log(362880), within(1e-12));
  }

  @Test
  void refusesImpossibleCounts() {
    assertThatThrownBy(() -> ClopperPearson.interval(5, 4, 0.95))
        .hasMessageContaining("successes must be in [0, trials = 4], got 5");
    assertThatThrownBy(() -> ClopperPearson.interval(0, 0, 0.95))
        .hasMessageContaining("trials must be >= 1");
  }

  private static double binomialCdf(int x, int n, double p) {
    if (x < 0) {
      return 0;
    }
    double logP = Math.log(p);
    double logQ = Math.log1p(-p);
    double logChoose = 0;
    double sum = 0;
    for (int k = 0; k <= x; k++) {
      if (k > 0) {
        logChoose += Math.log(n - k + 1) - Math.log(k);
      }
      sum += Math.exp(logChoose + k * logP + (n - k) * logQ);
    }
    return sum;
  }
}
