package org.sparktrain.worker.backend;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

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
}
