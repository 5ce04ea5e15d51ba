package org.sparktrain.worker.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ParameterAccumulatorTest {
  private static WorkerResult result(int partition, long seed, long examples) {
    Random r = new Random(seed);
    float[] p = new float[50];
    float[] s = new float[100];
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < s.length; i++) {
      s[i] = (float) r.nextGaussian();
    }
    return new WorkerResult(partition, p, s, examples, r.nextDouble() * examples, 5, 10 + seed);
  }

  private static ParameterAccumulator of(WorkerResult... rs) {
    ParameterAccumulator acc = new ParameterAccumulator();
    for (WorkerResult r : rs) {
      acc.add(r);
    }
    return acc;
  }

  private static void assertSame(ParameterAccumulator a, ParameterAccumulator b) {
    float[] pa = a.averageParams();
    float[] pb = b.averageParams();
    for (int i = 0; i < pa.length; i++) {
      assertThat(pa[i]).isCloseTo(pb[i], within(1e-6f));
    }
    float[] sa = a.averageState();
    float[] sb = b.averageState();
    for (int i = 0; i < sa.length; i++) {
      assertThat(sa[i]).isCloseTo(sb[i], within(1e-6f));
    }
    assertThat(a.examples()).isEqualTo(b.examples());
    assertThat(a.meanLoss()).isCloseTo(b.meanLoss(), within(1e-12));
    assertThat(a.maxComputeNanos()).isEqualTo(b.maxComputeNanos());
  }

  @Test
  void associative() {
    WorkerResult x = result(0, 1, 32);
    WorkerResult y = result(1, 2, 33);
    WorkerResult z = result(2, 3, 7);
    ParameterAccumulator left = of(x, y).merge(of(z));
    ParameterAccumulator right = of(x).merge(of(y, z));
    assertSame(left, right);
  }

  @Test
  void commutative() {
    WorkerResult x = result(0, 1, 32);
    WorkerResult y = result(1, 2, 5);
    assertSame(of(x, y), of(y, x));
    assertSame(of(x).merge(of(y)), of(y).merge(of(x)));
  }

  @Test
  void emptyIsTheIdentityAndAverageIsWeighted() {
    WorkerResult x = new WorkerResult(0, new float[] {1f}, new float[0], 3, 0, 1, 0);
    WorkerResult y = new WorkerResult(1, new float[] {5f}, new float[0], 1, 0, 1, 0);
    ParameterAccumulator acc = new ParameterAccumulator().merge(of(x, y))
        .merge(new ParameterAccumulator());
    assertThat(acc.averageParams()).containsExactly(2f);
  }

  @Test
  void singleWorkerAverageIsExact() {
    WorkerResult x = result(0, 9, 29);
    assertThat(of(x).averageParams()).containsExactly(x.params());
  }

  @Test
  void rangesAndAClearedAccumulatorGiveTheSameBitsAsCopiesAndAFreshOne() {
    WorkerResult a = result(0, 1, 30);
    WorkerResult b = result(1, 2, 31);
    // Slice [10, 35) of the parameters and [40, 90) of the state, as a collective owner sums.
    ParameterAccumulator copies = new ParameterAccumulator();
    for (WorkerResult r : new WorkerResult[] {a, b}) {
      copies.add(new WorkerResult(r.partition(), Arrays.copyOfRange(r.params(), 10, 35),
          Arrays.copyOfRange(r.optimizerState(), 40, 90), r.examples(), r.lossSum(),
          r.steps(), r.computeNanos()));
    }
    // Used once for another round, then cleared.
    ParameterAccumulator reused = new ParameterAccumulator();
    reused.add(a.params(), 10, 35, a.optimizerState(), 40, 90, 1, 0, 1, 0).clear();
    for (WorkerResult r : new WorkerResult[] {a, b}) {
      reused.add(r.params(), 10, 35, r.optimizerState(), 40, 90, r.examples(), r.lossSum(),
          r.steps(), r.computeNanos());
    }
    assertThat(reused.averageParams()).containsExactly(copies.averageParams());
    assertThat(reused.averageState()).containsExactly(copies.averageState());
    assertThat(reused.examples()).isEqualTo(copies.examples());
    assertThat(reused.meanLoss()).isEqualTo(copies.meanLoss());
    assertThat(reused.maxComputeNanos()).isEqualTo(copies.maxComputeNanos());
    assertThat(reused.resultBytes()).isEqualTo(copies.resultBytes());
  }
}
