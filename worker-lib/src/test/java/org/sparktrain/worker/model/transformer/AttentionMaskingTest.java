package org.sparktrain.worker.model.transformer;

import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;

/** What a position may see: the past only in GPT, everything but padding in BERT. */
class AttentionMaskingTest {
  private static final TransformerShape SHAPE = new TransformerShape(7, 6, 2, 16, 4);

  @Test
  void gptOutputsDoNotDependOnLaterTokens() {
    MultiLayerNetwork gpt = network(TransformerNetworks.gpt(SHAPE, new Adam(1e-3), 3));
    INDArray tokens = TinyNetworks.tokens(3, SHAPE.blockSize(), SHAPE.vocabSize(), 4,
        DataType.FLOAT);
    INDArray before = gpt.output(tokens);

    for (int t = 0; t < SHAPE.blockSize() - 1; t++) {
      INDArray after = gpt.output(withFutureReplaced(tokens, t));

      assertThat(maxDifference(before, after, 0, t)).as("positions 0..%d", t).isLessThan(1e-6);
      assertThat(maxDifference(before, after, t + 1, SHAPE.blockSize() - 1)).isGreaterThan(1e-4);
    }
  }

  @Test
  void bertOutputsDependOnLaterTokens() {
    MultiLayerNetwork bert = network(TransformerNetworks.bert(SHAPE, new Adam(1e-3), 3));
    INDArray tokens = TinyNetworks.tokens(3, SHAPE.blockSize(), SHAPE.vocabSize(), 4,
        DataType.FLOAT);

    INDArray after = bert.output(withFutureReplaced(tokens, 2));

    assertThat(maxDifference(bert.output(tokens), after, 0, 0)).isGreaterThan(1e-4);
  }

  @Test
  void bertIgnoresPaddedTokens() {
    MultiLayerNetwork bert = network(TransformerNetworks.bert(SHAPE, new Adam(1e-3), 3));
    INDArray tokens = TinyNetworks.tokens(3, SHAPE.blockSize(), SHAPE.vocabSize(), 4,
        DataType.FLOAT);
    INDArray padding = Nd4j.ones(DataType.FLOAT, 3, SHAPE.blockSize());
    padding.get(NDArrayIndex.all(), NDArrayIndex.interval(4, SHAPE.blockSize())).assign(0);

    INDArray before = bert.output(tokens, false, padding, null);
    INDArray after = bert.output(withFutureReplaced(tokens, 3), false, padding, null);

    assertThat(maxDifference(before, after, 0, 3)).isLessThan(1e-6);
  }

  private static MultiLayerNetwork network(
      MultiLayerConfiguration conf) {
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    // Larger than GPT-2's 0.02 so that every position's output clearly depends on what it sees.
    TinyNetworks.randomizeParams(net, 5, 0.3);
    return net;
  }

  /** A copy with every token after position {@code last} changed to another id. */
  private static INDArray withFutureReplaced(INDArray tokens, int last) {
    INDArray changed = tokens.dup();
    for (int b = 0; b < tokens.size(0); b++) {
      for (int t = last + 1; t < tokens.size(2); t++) {
        int id = tokens.getInt(b, 0, t);
        changed.putScalar(new long[] {b, 0, t}, (id + 1 + b) % SHAPE.vocabSize());
      }
    }
    return changed;
  }

  private static double maxDifference(INDArray a, INDArray b, int firstPosition,
      int lastPosition) {
    return a.get(NDArrayIndex.all(), NDArrayIndex.all(),
            NDArrayIndex.interval(firstPosition, lastPosition + 1))
        .sub(b.get(NDArrayIndex.all(), NDArrayIndex.all(),
            NDArrayIndex.interval(firstPosition, lastPosition + 1)))
        .amaxNumber().doubleValue();
  }
}
