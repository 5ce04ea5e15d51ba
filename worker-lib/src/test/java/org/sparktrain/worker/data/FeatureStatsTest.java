package org.sparktrain.worker.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FeatureStatsTest {
  @Test
  void mergedPartitionsEqualSinglePassReference() {
    Random random = new Random(1);
    float[][] rows = new float[1000][3];
    for (float[] row : rows) {
      row[0] = (float) random.nextGaussian() * 5 + 100;
      row[1] = random.nextInt(17);
      row[2] = -3;
    }
    FeatureStats[] parts = {new FeatureStats(), new FeatureStats(), new FeatureStats()};
    for (int i = 0; i < rows.length; i++) {
      parts[i < 10 ? 0 : i < 700 ? 1 : 2].add(rows[i]);
    }
    FeatureStats merged = new FeatureStats().merge(parts[2]).merge(parts[0]).merge(parts[1]);

    for (int f = 0; f < 3; f++) {
      double sum = 0;
      double min = Double.MAX_VALUE;
      double max = -Double.MAX_VALUE;
      for (float[] row : rows) {
        sum += row[f];
        min = Math.min(min, row[f]);
        max = Math.max(max, row[f]);
      }
      double mean = sum / rows.length;
      double squares = 0;
      for (float[] row : rows) {
        squares += (row[f] - mean) * (row[f] - mean);
      }
      assertThat(merged.mean()[f]).isCloseTo(mean, within(1e-9 * Math.max(1, Math.abs(mean))));
      assertThat(merged.std(f)).isCloseTo(Math.sqrt(squares / rows.length), within(1e-9));
      assertThat(merged.min()[f]).isEqualTo(min);
      assertThat(merged.max()[f]).isEqualTo(max);
    }
    assertThat(merged.count()).isEqualTo(1000);
  }

  @Test
  void normalizersUseTheStatistics() {
    FeatureStats stats = new FeatureStats().add(new float[] {0, 10, 5}).add(new float[] {4, 10, -8});
    float[] x = {2, 10, 5};
    assertThat(Normalizer.fit(NormalizationMethod.STANDARDIZE, stats).apply(x.clone()))
        .containsExactly(0f, 0f, 1f);
    assertThat(Normalizer.fit(NormalizationMethod.MINMAX, stats).apply(x.clone()))
        .containsExactly(0.5f, 0f, 1f);
    assertThat(Normalizer.fit(NormalizationMethod.SCALE, stats).apply(x.clone()))
        .containsExactly(0.2f, 1f, 0.5f);
    assertThat(Normalizer.fit(NormalizationMethod.NONE, stats).apply(x.clone()))
        .containsExactly(2f, 10f, 5f);
  }
}
