package org.sparktrain.worker.optim;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class OuterOptimizerTest {
  @Test
  void nesterovStepsMatchAHandComputedReference() {
    OuterOptimizer outer = new OuterOptimizer(0.5, 0.9);
    float[] before = {1.0f, -2.0f};
    float[] averaged = {0.5f, -1.0f};
    // Step 1: g = (0.5, -1), m = g, after = before - 0.5 * (g + 0.9 m) = before - 0.95 g.
    OuterOptimizer.Step s1 = outer.step(before, averaged, new float[0]);
    assertThat(s1.momentum()).containsExactly(0.5f, -1.0f);
    assertThat(s1.params()).containsExactly(1.0f - 0.475f, -2.0f + 0.95f);
    // Step 2 from there: g = before2 - averaged2, m = 0.9 m1 + g.
    float[] before2 = s1.params();
    float[] averaged2 = {0.25f, -0.75f};
    OuterOptimizer.Step s2 = outer.step(before2, averaged2, s1.momentum());
    // In double from the float inputs, as the optimizer computes it.
    double b0 = before2[0];
    double b1 = before2[1];
    double g0 = b0 - 0.25;
    double m0 = 0.9 * 0.5 + g0;
    double g1 = b1 - -0.75;
    double m1 = 0.9 * -1.0 + g1;
    assertThat(s2.momentum()).containsExactly((float) m0, (float) m1);
    assertThat(s2.params()).containsExactly((float) (b0 - 0.5 * (g0 + 0.9 * m0)),
        (float) (b1 - 0.5 * (g1 + 0.9 * m1)));
    assertThat((double) s2.params()[0]).isCloseTo(0.525 - 0.5 * (0.275 + 0.9 * 0.725),
        Assertions.within(1e-6));
  }

  @Test
  void rateOneWithoutMomentumIsPlainAveraging() {
    float[] before = {0.3f, 7.25f, -1e-3f};
    float[] averaged = {0.1f, 7.0f, 2e-3f};
    assertThat(new OuterOptimizer(1, 0).step(before, averaged, new float[0]).params())
        .containsExactly(averaged);
  }
}
