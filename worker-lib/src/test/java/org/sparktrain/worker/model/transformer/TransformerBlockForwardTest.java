package org.sparktrain.worker.model.transformer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The SameDiff block against {@link BlockReference}, in the production data type (float). */
class TransformerBlockForwardTest {
  private static final int WIDTH = 4;
  private static final int HEADS = 2;
  private static final int T = 3;

  @ParameterizedTest(name = "causal={0}")
  @ValueSource(booleans = {true, false})
  void matchesHandComputedAttentionBlock(boolean causal) {
    MultiLayerNetwork net = block(causal);
    INDArray input = Nd4j.randn(DataType.FLOAT, 2, WIDTH, T);

    INDArray actual = net.output(input);

    assertClose(actual, new BlockReference(net.getLayer(0), WIDTH, HEADS, causal)
        .forward(input, null));
  }

  @Test
  void bidirectionalBlockIgnoresPaddingKeys() {
    MultiLayerNetwork net = block(false);
    INDArray input = Nd4j.randn(DataType.FLOAT, 2, WIDTH, T);
    double[][] keyMask = {{1, 1, 0}, {1, 0, 0}};

    INDArray actual = net.output(input, false, Nd4j.createFromArray(keyMask).castTo(
        DataType.FLOAT), null);

    double[][][] expected = new BlockReference(net.getLayer(0), WIDTH, HEADS, false)
        .forward(input, keyMask);
    // Outputs at padding positions are undefined (DL4J may zero them); real positions count.
    assertThat(actual.getDouble(0, 1, 1)).isCloseTo(expected[0][1][1], within(1e-4));
    assertThat(actual.getDouble(1, 2, 0)).isCloseTo(expected[1][2][0], within(1e-4));
    for (int c = 0; c < WIDTH; c++) {
      assertThat(actual.getDouble(0, c, 0)).isCloseTo(expected[0][c][0], within(1e-4));
      assertThat(actual.getDouble(1, c, 0)).isCloseTo(expected[1][c][0], within(1e-4));
    }
  }

  private static MultiLayerNetwork block(boolean causal) {
    Nd4j.getRandom().setSeed(7);
    MultiLayerNetwork net = TinyNetworks.alone(
        new TransformerBlock(T, WIDTH, HEADS, causal, 0.02), DataType.FLOAT);
    // Scale 0.5 rather than the 0.02 of a fresh block so that attention is far from uniform.
    TinyNetworks.randomizeParams(net, 8, 0.5);
    return net;
  }

  private static void assertClose(INDArray actual, double[][][] expected) {
    assertThat(actual.shape()).containsExactly(expected.length, WIDTH, T);
    for (int b = 0; b < expected.length; b++) {
      for (int c = 0; c < WIDTH; c++) {
        for (int t = 0; t < T; t++) {
          assertThat(actual.getDouble(b, c, t)).as("[%d, %d, %d]", b, c, t)
              .isCloseTo(expected[b][c][t], within(1e-4));
        }
      }
    }
  }
}
