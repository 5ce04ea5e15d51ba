package org.sparktrain.worker.model.transformer;

import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/** A tiny character GPT learns a repeating text: the smallest end-to-end training check. */
class TinyGptLearningTest {
  private static final String TEXT = "abcabcabcabcabcabcabcabc";
  private static final TransformerShape SHAPE = new TransformerShape(3, 8, 2, 16, 2);
  private static final int MAX_STEPS = 200;
  /** Nats per character; a model that ignores the context scores ln 3 = 1.10. */
  private static final double TARGET_LOSS = 0.05;

  @Test
  void learnsARepeatingPattern() {
    MultiLayerNetwork gpt = new MultiLayerNetwork(
        TransformerNetworks.gpt(SHAPE, new Adam(1e-2), 42));
    gpt.init();
    DataSet windows = everyWindow();

    int steps = 0;
    double lossPerChar = Double.NaN;
    while (steps < MAX_STEPS) {
      gpt.fit(windows);
      steps++;
      // DL4J sums the loss over positions and averages over sequences.
      lossPerChar = gpt.score() / SHAPE.blockSize();
      if (lossPerChar < TARGET_LOSS) {
        break;
      }
    }

    assertThat(lossPerChar).as("loss per character after %d steps", steps)
        .isLessThan(TARGET_LOSS);
  }

  /** The project promises bitwise reproducible runs; SameDiff layers must not break that. */
  @Test
  void sameSeedTrainsToBitwiseIdenticalParameters() {
    float[][] params = new float[2][];
    for (int run = 0; run < 2; run++) {
      MultiLayerNetwork gpt = new MultiLayerNetwork(
          TransformerNetworks.gpt(SHAPE, new Adam(1e-2), 42));
      gpt.init();
      for (int step = 0; step < 3; step++) {
        gpt.fit(everyWindow());
      }
      params[run] = TinyNetworks.exactly(gpt.params());
    }

    assertThat(params[1]).containsExactly(params[0]);
  }

  /** Inputs [3, 1, T] starting at a, b and c; labels: the same shifted by one character. */
  private static DataSet everyWindow() {
    int windows = 3;
    INDArray input = Nd4j.create(DataType.FLOAT, windows, 1, SHAPE.blockSize());
    INDArray next = Nd4j.create(DataType.FLOAT, windows, 1, SHAPE.blockSize());
    for (int w = 0; w < windows; w++) {
      for (int t = 0; t < SHAPE.blockSize(); t++) {
        input.putScalar(new long[] {w, 0, t}, TEXT.charAt(w + t) - 'a');
        next.putScalar(new long[] {w, 0, t}, TEXT.charAt(w + t + 1) - 'a');
      }
    }
    return new DataSet(input, next);
  }
}
