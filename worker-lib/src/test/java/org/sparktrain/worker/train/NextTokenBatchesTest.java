package org.sparktrain.worker.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.eval.LanguageModelLoss;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.model.transformer.TransformerNetworks;
import org.sparktrain.worker.model.transformer.TransformerShape;

class NextTokenBatchesTest {
  /** Three blocks of T + 1 = 5 tokens. */
  private static ExampleBlock block() {
    float[] ids = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 2, 4, 6, 8, 1};
    return new ExampleBlock(0, 3, 5, ids, new float[3]);
  }

  @Test
  void inputsAreTheFirstTTokensAndTargetsTheNextOnes() {
    DataSet batch = NextTokenBatches.assemble(block(), new int[] {2, 0, 1}, 0, 2);
    assertThat(batch.getFeatures().shape()).containsExactly(2, 1, 4);
    assertThat(batch.getLabels().shape()).containsExactly(2, 1, 4);
    // Row order follows the permutation: block 2 first, then block 0.
    assertThat(batch.getFeatures().ravel().toFloatVector()).containsExactly(2, 4, 6, 8, 0, 1, 2, 3);
    assertThat(batch.getLabels().ravel().toFloatVector()).containsExactly(4, 6, 8, 1, 1, 2, 3, 4);
  }

  @Test
  void languageModelLossIsTheMeanNegativeLogProbabilityOfEachTarget() {
    MultiLayerNetwork net = new MultiLayerNetwork(TransformerNetworks.gpt(
        new TransformerShape(10, 4, 1, 8, 2), new Adam(1e-3), 7));
    net.init();
    ExampleBlock block = block();
    double[] acc = LanguageModelLoss.accumulate(Network.wrap(net), block, new double[2]);
    assertThat(acc[1]).isEqualTo(12);

    // By hand: the softmax output at every position, the probability of the next token.
    DataSet all = NextTokenBatches.assemble(block, null, 0, 3);
    INDArray out = net.output(all.getFeatures(), false);
    double expected = 0;
    for (int row = 0; row < 3; row++) {
      for (int t = 0; t < 4; t++) {
        int target = (int) block.features()[row * 5 + t + 1];
        expected -= Math.log(out.getDouble(row, target, t));
      }
    }
    assertThat(acc[0]).isCloseTo(expected, within(1e-4));
    // An untrained model is close to uniform over 10 tokens: about ln 10 nats each.
    assertThat(acc[0] / acc[1]).isCloseTo(Math.log(10), within(0.3));
  }
}
