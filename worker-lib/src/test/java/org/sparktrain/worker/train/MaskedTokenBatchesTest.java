package org.sparktrain.worker.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.text.MaskingPolicy;
import org.sparktrain.worker.text.SpecialTokens;

class MaskedTokenBatchesTest {
  private static final SpecialTokens SPECIALS = SpecialTokens.appendedAt(50);
  private static final MaskingPolicy POLICY = new MaskingPolicy(SPECIALS, 55, 0.15, 0.8, 0.1);

  /** Four rows of T + 1 = 41 regular tokens. */
  private static ExampleBlock block() {
    float[] ids = new float[4 * 41];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (i * 7) % 50;
    }
    return new ExampleBlock(1, 4, 41, ids, new float[4]);
  }

  private static float[] flat(INDArray a) {
    return a.ravel().toFloatVector();
  }

  @Test
  void labelsAreTheOriginalTokensAndOnlyMaskedPositionsAreScored() {
    ExampleBlock block = block();
    DataSet batch = MaskedTokenBatches.assemble(block, null, 0, 4, POLICY, 42, 3);
    assertThat(batch.getFeatures().shape()).containsExactly(4, 1, 40);
    assertThat(batch.getLabelsMaskArray().shape()).containsExactly(4, 40);
    float[] x = flat(batch.getFeatures());
    float[] y = flat(batch.getLabels());
    float[] mask = flat(batch.getLabelsMaskArray());
    int scored = 0;
    for (int r = 0; r < 4; r++) {
      for (int p = 0; p < 40; p++) {
        float original = block.features()[r * 41 + p];
        // Labels always hold the original token (unscored ones too, as a valid dummy id).
        assertThat(y[r * 40 + p]).isEqualTo(original);
        if (mask[r * 40 + p] == 0) {
          assertThat(x[r * 40 + p]).as("unmasked input").isEqualTo(original);
        } else {
          scored++;
        }
      }
    }
    assertThat(scored).isEqualTo(4 * 6); // 15% of 40 positions per row
  }

  @Test
  void maskingIsAFunctionOfSeedRoundPartitionAndRow() {
    ExampleBlock block = block();
    float[] a = flat(MaskedTokenBatches.assemble(block, null, 0, 4, POLICY, 42, 3)
        .getLabelsMaskArray());
    float[] again = flat(MaskedTokenBatches.assemble(block, null, 0, 4, POLICY, 42, 3)
        .getLabelsMaskArray());
    float[] nextRound = flat(MaskedTokenBatches.assemble(block, null, 0, 4, POLICY, 42, 4)
        .getLabelsMaskArray());
    assertThat(again).containsExactly(a);
    assertThat(nextRound).isNotEqualTo(a);
    // A row masks the same whichever minibatch position it lands in.
    float[] reordered = flat(MaskedTokenBatches.assemble(block, new int[] {2, 0}, 0, 2, POLICY,
        42, 3).getLabelsMaskArray());
    for (int p = 0; p < 40; p++) {
      assertThat(reordered[p]).isEqualTo(a[2 * 40 + p]);
      assertThat(reordered[40 + p]).isEqualTo(a[p]);
    }
  }
}
