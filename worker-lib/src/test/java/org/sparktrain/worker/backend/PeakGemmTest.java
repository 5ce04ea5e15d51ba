package org.sparktrain.worker.backend;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.worker.model.MlpConfig;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.optim.OptimizerConfig;
import org.sparktrain.worker.train.ThreadLimits;

class PeakGemmTest {
  @Test
  void measuresOncePerJvmAndPutsTheThreadLimitsBack() {
    int threads = Nd4j.getEnvironment().maxThreads();
    int blasThreads = Nd4j.factory().blas().getMaxThreads();
    MachinePeak peak = PeakGemm.measured();
    assertThat(peak.cores()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(peak.perCoreGflops()).isPositive();
    assertThat(peak.allCoresGflops()).isPositive();
    assertThat(peak.measureSeconds()).isPositive().isLessThan(5);
    assertThat(PeakGemm.measured()).isSameAs(peak);
    assertThat(Nd4j.getEnvironment().maxThreads()).isEqualTo(threads);
    assertThat(Nd4j.factory().blas().getMaxThreads()).isEqualTo(blasThreads);
  }

  @Test
  void leavesNd4jsRandomGeneratorWhereItWas() {
    Nd4j.getRandom().setSeed(42);
    double[] expected = {Nd4j.getRandom().nextDouble(), Nd4j.getRandom().nextDouble()};
    Nd4j.getRandom().setSeed(42);
    PeakGemm.measure(1);
    assertThat(new double[] {Nd4j.getRandom().nextDouble(), Nd4j.getRandom().nextDouble()})
        .containsExactly(expected);
  }

  @Test
  void trainingAfterAMeasurementGivesBitwiseTheSameParameters() {
    ThreadLimits.apply(2);
    float[] before = trainSmallMlp();
    PeakGemm.measure(Runtime.getRuntime().availableProcessors());
    assertThat(trainSmallMlp()).containsExactly(before);
  }

  /** Ten Adam steps of a seeded MLP on fixed data, with ND4J's threads as they are. */
  private static float[] trainSmallMlp() {
    Network net = new MlpConfig(new int[] {32}, Activation.RELU, 0.2, false)
        .build(16, 4, new OptimizerConfig(OptimizerConfig.Kind.ADAM, 1e-2, 0.9, 0.9, 0.999,
            1e-8), 7).newNetwork();
    float[] x = new float[64 * 16];
    float[] y = new float[64 * 4];
    for (int i = 0; i < 64; i++) {
      for (int j = 0; j < 16; j++) {
        x[i * 16 + j] = ((i * 7 + j * 3) % 11) / 11f;
      }
      y[i * 4 + i % 4] = 1;
    }
    DataSet batch = new DataSet(Nd4j.create(x, new long[] {64, 16}, 'c'),
        Nd4j.create(y, new long[] {64, 4}, 'c'));
    for (int step = 0; step < 10; step++) {
      net.fit(batch);
    }
    return net.params().castTo(DataType.FLOAT).toFloatVector();
  }
}
