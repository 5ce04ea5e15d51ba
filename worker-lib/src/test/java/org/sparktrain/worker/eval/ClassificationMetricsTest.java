package org.sparktrain.worker.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ClassificationMetricsTest {
  @Test
  void metricsFromAKnownConfusionMatrix() {
    ClassificationMetrics m = new ClassificationMetrics(2);
    // actual 0: 3 right, 1 wrong; actual 1: 2 right, 0 wrong
    m.add(0, 0).add(0, 0).add(0, 0).add(0, 1).add(1, 1).add(1, 1);
    assertThat(m.accuracy()).isCloseTo(5.0 / 6, within(1e-12));
    assertThat(m.precision(1)).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(m.recall(0)).isCloseTo(0.75, within(1e-12));
    assertThat(m.f1(0)).isCloseTo(2 * 1.0 * 0.75 / 1.75, within(1e-12));
    assertThat(m.macroF1()).isCloseTo((m.f1(0) + m.f1(1)) / 2, within(1e-12));
    assertThat(m.confusion()[0]).containsExactly(3L, 1L);
  }

  @Test
  void regressionMetrics() {
    RegressionMetrics r = new RegressionMetrics().add(1, 2).add(3, 3).merge(
        new RegressionMetrics().add(5, 4));
    assertThat(r.mse()).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(r.mae()).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(r.r2()).isCloseTo(1 - 2.0 / 8, within(1e-12));
  }
}
