package org.sparktrain.worker.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PoissonSamplerTest {
  private static final double STANDARD_DEVIATIONS = 4;

  @Test
  void selectsAboutQOfTheRowsInIncreasingOrder() {
    int rows = 100_000;
    double q = 0.01;
    int[] batch = PoissonSampler.sample(42, rows, q);
    double sd = Math.sqrt(rows * q * (1 - q));
    assertThat((double) batch.length).isBetween(rows * q - STANDARD_DEVIATIONS * sd,
        rows * q + STANDARD_DEVIATIONS * sd);
    for (int i = 1; i < batch.length; i++) {
      assertThat(batch[i]).isGreaterThan(batch[i - 1]);
    }
    assertThat(batch[0]).isGreaterThanOrEqualTo(0);
    assertThat(batch[batch.length - 1]).isLessThan(rows);
  }

  /** Geometric skipping favours no position: every row of a small shard is drawn at rate q. */
  @Test
  void everyRowIsSelectedAtRateQ() {
    int rows = 10;
    double q = 0.3;
    int draws = 100_000;
    int[] counts = new int[rows];
    for (int seed = 0; seed < draws; seed++) {
      for (int row : PoissonSampler.sample(seed, rows, q)) {
        counts[row]++;
      }
    }
    double sd = Math.sqrt(draws * q * (1 - q));
    for (int count : counts) {
      assertThat((double) count).isBetween(draws * q - STANDARD_DEVIATIONS * sd,
          draws * q + STANDARD_DEVIATIONS * sd);
    }
  }

  @Test
  void isAPureFunctionOfTheSeedAndBatchSizesVary() {
    assertThat(PoissonSampler.sample(7, 5_000, 0.02))
        .containsExactly(PoissonSampler.sample(7, 5_000, 0.02));
    Set<Integer> sizes = new HashSet<>();
    for (long seed = 0; seed < 20; seed++) {
      sizes.add(PoissonSampler.sample(seed, 5_000, 0.02).length);
    }
    assertThat(sizes).hasSizeGreaterThan(5);
    assertThat(PoissonSampler.sample(7, 5_000, 0.02))
        .isNotEqualTo(PoissonSampler.sample(8, 5_000, 0.02));
  }

  @Test
  void qOfOneTakesEveryRowAndZeroNone() {
    assertThat(PoissonSampler.sample(3, 1_000, 1.0))
        .containsExactly(IntStream.range(0, 1_000).toArray());
    assertThat(PoissonSampler.sample(3, 1_000, 0.0)).isEmpty();
    assertThat(PoissonSampler.sample(3, 0, 0.5)).isEmpty();
  }

  @Test
  void smallRatesCanDrawAnEmptyBatch() {
    long empty = IntStream.range(0, 200).filter(s -> PoissonSampler.sample(s, 10, 0.1)
        .length == 0).count();
    // P(empty) = 0.9^10 = 0.35: about 70 of 200.
    assertThat(empty).isBetween(40L, 100L);
  }

  @Test
  void refusesRatesOutsideTheUnitIntervalAndNegativeRows() {
    assertThatThrownBy(() -> PoissonSampler.sample(1, 10, 1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sampling rate q must be in [0, 1], got 1.5");
    assertThatThrownBy(() -> PoissonSampler.sample(1, 10, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PoissonSampler.sample(1, -1, 0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rows must be >= 0, got -1");
  }
}
