package org.sparktrain.worker.model.transformer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/** The loss the language models report, as documented in {@link TransformerNetworks}. */
class MaskedLanguageModelLossTest {
  private static final TransformerShape SHAPE = new TransformerShape(6, 4, 1, 8, 2);

  @Test
  void scoreSumsCrossEntropyOverMaskedPositionsAndAveragesOverSequences() {
    MultiLayerNetwork bert = new MultiLayerNetwork(
        TransformerNetworks.bert(SHAPE, new Adam(1e-3), 2));
    bert.init();
    INDArray tokens = TinyNetworks.tokens(2, SHAPE.blockSize(), SHAPE.vocabSize(), 3,
        DataType.FLOAT);
    INDArray targets = TinyNetworks.tokens(2, SHAPE.blockSize(), SHAPE.vocabSize(), 4,
        DataType.FLOAT);
    double[][] scored = {{0, 1, 0, 1}, {1, 0, 0, 0}};

    double score = bert.score(new DataSet(tokens, targets, null,
        Nd4j.createFromArray(scored).castTo(DataType.FLOAT)));

    INDArray probabilities = bert.output(tokens);
    double expected = 0;
    for (int b = 0; b < 2; b++) {
      for (int t = 0; t < SHAPE.blockSize(); t++) {
        if (scored[b][t] == 1) {
          expected -= Math.log(probabilities.getDouble(b, targets.getInt(b, 0, t), t));
        }
      }
    }
    assertThat(score).isCloseTo(expected / 2, within(1e-4));
  }
}
