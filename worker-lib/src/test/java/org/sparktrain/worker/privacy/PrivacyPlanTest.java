package org.sparktrain.worker.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PrivacyPlanTest {
  @Test
  void stepsAreTheCeilingOfEpochsTimesExamplesOverTheBatch() {
    // 60 * 60000 / 256 = 14062.5: the half step counts.
    assertThat(PrivacyPlan.steps(60, 60_000, 256)).isEqualTo(14_063);
    assertThat(PrivacyPlan.steps(1, 60_000, 250)).isEqualTo(240);
    // 0.1 * 600 / 6 is 10.000000000000002 in doubles: still 10 steps.
    assertThat(PrivacyPlan.steps(0.1, 600, 6)).isEqualTo(10);
    assertThat(PrivacyPlan.steps(1e-6, 100, 10)).isEqualTo(1);
    assertThat(PrivacyPlan.samplingRate(256, 60_000)).isEqualTo(256 / 60_000.0);
  }

  @Test
  void aPlanWithNoiseCarriesItsEpsilon() {
    PrivacyPlan plan = PrivacyPlan.withNoise(60_000, 256, 60, 1.12, 1e-5);
    assertThat(plan.steps()).isEqualTo(14_063);
    assertThat(plan.samplingRate()).isEqualTo(256 / 60_000.0);
    assertThat(plan.epsilon().epsilon()).isCloseTo(2.922, within(1e-3));
  }

  @Test
  void aPlanForATargetUsesTheCalibratedNoise() {
    PrivacyPlan plan = PrivacyPlan.forTargetEpsilon(60_000, 256, 60, 1e-5, 3.0);
    assertThat(plan.epsilon().epsilon()).isLessThanOrEqualTo(3.0).isGreaterThan(2.99);
    assertThat(plan.noiseMultiplier()).isBetween(1.1, 1.12);
  }

  @Test
  void refusesImpossibleSizes() {
    assertThatThrownBy(() -> PrivacyPlan.steps(1, 0, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("examples must be");
    assertThatThrownBy(() -> PrivacyPlan.steps(1, 100, 101))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected batch size must be in [1, examples = 100], got 101");
    assertThatThrownBy(() -> PrivacyPlan.steps(0, 100, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("epochs must be finite and > 0");
  }
}
