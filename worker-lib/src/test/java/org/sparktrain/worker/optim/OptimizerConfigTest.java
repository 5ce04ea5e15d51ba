package org.sparktrain.worker.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

class OptimizerConfigTest {
  @Test
  void stepDecayHalvesTheRateEveryEpochAndKeepsAdamsSettings() {
    IUpdater updater = new OptimizerConfig(OptimizerConfig.Kind.ADAM, 0.004, 0.9, 0.8, 0.99,
        1e-7, 0.5, 1, 0, OptimizerConfig.Decay.STEP, 0, 0).toUpdater();
    assertThat(updater.getLearningRate(0, 0)).isCloseTo(0.004, within(1e-12));
    assertThat(updater.getLearningRate(500, 1)).isCloseTo(0.002, within(1e-12));
    assertThat(updater.getLearningRate(900, 3)).isCloseTo(0.0005, within(1e-12));
    Adam adam = (Adam) updater;
    assertThat(adam.getBeta1()).isEqualTo(0.8);
    assertThat(adam.getBeta2()).isEqualTo(0.99);
    assertThat(adam.getEpsilon()).isEqualTo(1e-7);
  }

  @Test
  void withoutDecayTheRateIsConstant() {
    IUpdater updater = new OptimizerConfig(OptimizerConfig.Kind.SGD, 0.1, 0.9, 0.9, 0.999,
        1e-8).toUpdater();
    assertThat(updater.getLearningRate(1000, 7)).isEqualTo(0.1);
  }
}
