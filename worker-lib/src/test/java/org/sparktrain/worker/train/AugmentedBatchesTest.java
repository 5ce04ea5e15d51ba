package org.sparktrain.worker.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.worker.augment.AugmentationConfig;
import org.sparktrain.worker.augment.ImageAugmenter;
import org.sparktrain.worker.data.ExampleBlock;

/** Training minibatches are augmented per (seed, round, partition, row); labels never change. */
class AugmentedBatchesTest {
  private static final int ROWS = 8;

  @Test
  void theSameRoundGivesTheSameBatchAndAnotherRoundAnother() {
    Task augmented = new Task.Images(3, new ImageAugmenter(
        new AugmentationConfig(1, 1.0, 0, 0, 1, 1, 0, 0.5), 1, 4, 4, 9));
    ExampleBlock block = block();
    int[] order = {7, 6, 5, 4, 3, 2, 1, 0};

    DataSet round3 = augmented.batch(block, order, 0, 4, 3);
    DataSet again = augmented.batch(block, order, 0, 4, 3);
    DataSet round4 = augmented.batch(block, order, 0, 4, 4);
    DataSet plain = new Task.Rows(true, 3).batch(block, order, 0, 4, 3);

    assertThat(again.getFeatures()).isEqualTo(round3.getFeatures());
    assertThat(round4.getFeatures()).isNotEqualTo(round3.getFeatures());
    assertThat(round3.getFeatures()).isNotEqualTo(plain.getFeatures());
    assertThat(round3.getLabels()).isEqualTo(plain.getLabels());
    assertThat(round4.getLabels()).isEqualTo(plain.getLabels());
  }

  @Test
  void aRowIsAugmentedByItsShardIndexWhereverItFallsInTheBatch() {
    ImageAugmenter augmenter = new ImageAugmenter(
        new AugmentationConfig(1, 1.0, 0, 0, 1, 1, 0, 0.5), 1, 4, 4, 9);
    ExampleBlock block = block();
    DataSet batch = new Task.Images(3, augmenter).batch(block, new int[] {5, 2}, 0, 2, 1);

    float[] row5 = new float[16];
    System.arraycopy(block.features(), 5 * 16, row5, 0, 16);
    assertThat(batch.getFeatures().getRow(0).toFloatVector())
        .containsExactly(augmenter.augment(row5, 1, block.partition(), 5));
  }

  /** Eight 4x4 grey images of distinct pixels, labels 0, 1, 2, 0, ... */
  private static ExampleBlock block() {
    float[] x = new float[ROWS * 16];
    float[] y = new float[ROWS];
    for (int i = 0; i < x.length; i++) {
      x[i] = 1 + i % 97;
    }
    for (int r = 0; r < ROWS; r++) {
      y[r] = r % 3;
    }
    return new ExampleBlock(1, ROWS, 16, x, y);
  }
}
