package org.sparktrain.worker.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.IUpdater;
import org.sparktrain.worker.model.MlpConfig;
import org.sparktrain.worker.model.NetworkConfig;

class WarmupDecayScheduleTest {
  private static OptimizerConfig adam(int warmup, OptimizerConfig.Decay decay, double rate,
      double min) {
    return new OptimizerConfig(OptimizerConfig.Kind.ADAM, 0.01, 0.9, 0.9, 0.999, 1e-8, rate, 1,
        warmup, decay, 0, min);
  }

  @Test
  void linearWarmupThenCosineToTheFloorAtTheLastStep() {
    IUpdater u = adam(10, OptimizerConfig.Decay.COSINE, 1, 0.001).withTotalSteps(110)
        .toUpdater();
    // Warmup step i uses (i + 1) / 10 of the rate: the first step already moves.
    assertThat(u.getLearningRate(0, 0)).isCloseTo(0.001, within(1e-15));
    assertThat(u.getLearningRate(4, 0)).isCloseTo(0.005, within(1e-15));
    assertThat(u.getLearningRate(9, 0)).isCloseTo(0.01, within(1e-15));
    // Cosine from the full rate at step 10 to the floor at step 110: half way is the midpoint.
    assertThat(u.getLearningRate(10, 0)).isCloseTo(0.01, within(1e-15));
    assertThat(u.getLearningRate(60, 3)).isCloseTo((0.01 + 0.001) / 2, within(1e-15));
    assertThat(u.getLearningRate(35, 1)).isCloseTo(
        0.001 + 0.009 * 0.5 * (1 + Math.cos(Math.PI / 4)), within(1e-15));
    assertThat(u.getLearningRate(110, 5)).isCloseTo(0.001, within(1e-15));
    assertThat(u.getLearningRate(500, 9)).isCloseTo(0.001, within(1e-15));
  }

  @Test
  void warmupThenStepDecayByEpoch() {
    IUpdater u = adam(5, OptimizerConfig.Decay.STEP, 0.5, 0).withTotalSteps(100).toUpdater();
    assertThat(u.getLearningRate(1, 0)).isCloseTo(0.004, within(1e-15));
    assertThat(u.getLearningRate(7, 0)).isCloseTo(0.01, within(1e-15));
    assertThat(u.getLearningRate(30, 2)).isCloseTo(0.0025, within(1e-15));
  }

  @Test
  void theScheduleTravelsInTheNetworkConfigurationJson() {
    OptimizerConfig optimizer = adam(3, OptimizerConfig.Decay.COSINE, 1, 0.0001)
        .withTotalSteps(50);
    NetworkConfig conf = new MlpConfig(new int[] {4}, Activation.RELU, 0, false)
        .build(3, 2, optimizer, 7);
    String json = conf.toJson();
    assertThat(json).contains("WarmupDecaySchedule");
    // Workers and the saved model rebuild the network from this JSON.
    assertThat(NetworkConfig.fromJson(json).toJson()).isEqualTo(json);
  }

  @Test
  void cosineWithoutTheRunsLengthIsAProgrammingError() {
    assertThatThrownBy(() -> adam(0, OptimizerConfig.Decay.COSINE, 1, 0).toUpdater())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("total steps");
  }
}
