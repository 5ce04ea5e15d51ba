package org.sparktrain.driver.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PlannedPrivacyTest {

  /** TensorFlow Privacy's MNIST tutorial: 60000 examples, batch 256, noise 1.1, 60 epochs. */
  @Test
  void tensorflowPrivacyMnistCase() {
    PlannedPrivacy p = PlannedPrivacy.withNoise(60000, 256, 60, 1.1, 1e-5);
    assertThat(p.plan().steps()).isEqualTo(14063);
    assertThat(p.plan().samplingRate()).isCloseTo(256 / 60000.0, within(1e-15));
    assertThat(p.plan().epsilon().epsilon()).isCloseTo(3.01, within(0.03));
    assertThat(p.improved().epsilon()).isLessThan(p.plan().epsilon().epsilon())
        .isCloseTo(2.60, within(0.03));
    assertThat(p.text()).contains("steps              14063").contains("epsilon            3.008")
        .contains("epochs             60\n");
    assertThat(p.toMap()).containsKeys("epsilon", "improvedEpsilon", "order", "samplingRate")
        .doesNotContainKey("targetEpsilon");
  }

  @Test
  void targetEpsilonGivesTheNoiseThatMeetsIt() {
    PlannedPrivacy p = PlannedPrivacy.forTarget(60000, 256, 60, 1e-5, 3.0);
    assertThat(p.plan().epsilon().epsilon()).isLessThanOrEqualTo(3.0).isCloseTo(3.0,
        within(0.01));
    assertThat(p.plan().noiseMultiplier()).isBetween(1.1, 1.12);
    assertThat(p.toMap()).containsEntry("targetEpsilon", 3.0);
    assertThatThrownBy(() -> PlannedPrivacy.forTarget(60000, 256, 60, 1e-5, 0.01))
        .hasMessageContaining("out of reach").hasMessageContaining("smallest epsilon");
  }
}
