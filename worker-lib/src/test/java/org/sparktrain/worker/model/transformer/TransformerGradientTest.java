package org.sparktrain.worker.model.transformer;

import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * Analytic gradients of every layer against finite differences, in double precision. These
 * also guard the correction in {@link HalvedErrorsSameDiffLayer}: without it every SameDiff
 * layer's gradients are exactly twice the finite differences.
 */
class TransformerGradientTest {
  private static final double EPSILON = 1e-6;
  private static final double MAX_REL_ERROR = 1e-4;
  private static final double MIN_ABS_ERROR = 1e-9;
  private static final int ENTRIES_PER_PARAM = 6;
  private static final int WIDTH = 4;
  private static final int T = 3;
  private static DataType defaultFloatType;

  /** GradientCheckUtil refuses to run unless ND4J's global default type is double. */
  @BeforeAll
  static void useDoublePrecision() {
    defaultFloatType = Nd4j.defaultFloatingPointType();
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
  }

  /** Tests share one JVM: give the next test class the default it had. */
  @AfterAll
  static void restoreDefaultPrecision() {
    Nd4j.setDefaultDataTypes(defaultFloatType, defaultFloatType);
  }

  @ParameterizedTest(name = "causal={0}")
  @ValueSource(booleans = {true, false})
  void transformerBlock(boolean causal) {
    MultiLayerNetwork net = TinyNetworks.withSoftmaxHead(
        new TransformerBlock(T, WIDTH, 2, causal, 0.02), WIDTH, 3);
    // Large parameters: with GPT-2's 0.02 attention is almost uniform and hides mistakes.
    TinyNetworks.randomizeParams(net, 3, 0.5);

    assertThat(check(new GradientCheckUtil.MLNConfig().net(net)
        .input(Nd4j.randn(DataType.DOUBLE, 2, WIDTH, T))
        .labels(TinyNetworks.oneHotSequence(2, 3, T, 4)))).isTrue();
  }

  @Test
  void bidirectionalBlockWithPadding() {
    MultiLayerNetwork net = TinyNetworks.withSoftmaxHead(
        new TransformerBlock(T, WIDTH, 2, false, 0.02), WIDTH, 3);
    TinyNetworks.randomizeParams(net, 5, 0.5);

    assertThat(check(new GradientCheckUtil.MLNConfig().net(net)
        .input(Nd4j.randn(DataType.DOUBLE, 2, WIDTH, T))
        .labels(TinyNetworks.oneHotSequence(2, 3, T, 6))
        .inputMask(Nd4j.createFromArray(new double[][] {{1, 1, 0}, {1, 0, 0}})))).isTrue();
  }

  @Test
  void positionEmbedding() {
    MultiLayerNetwork net = TinyNetworks.withSoftmaxHead(new PositionEmbedding(T, WIDTH),
        WIDTH, 3);
    TinyNetworks.randomizeParams(net, 7, 0.5);

    assertThat(check(new GradientCheckUtil.MLNConfig().net(net)
        .input(Nd4j.randn(DataType.DOUBLE, 2, WIDTH, T))
        .labels(TinyNetworks.oneHotSequence(2, 3, T, 8)))).isTrue();
  }

  @Test
  void tinyGptWithSparseLabelsAndLabelMask() {
    TransformerShape shape = new TransformerShape(5, 4, 2, 8, 2);
    MultiLayerNetwork net = new MultiLayerNetwork(
        TransformerNetworks.gpt(shape, new NoOp(), 1, DataType.DOUBLE));
    net.init();
    TinyNetworks.randomizeParams(net, 9, 0.3);

    assertThat(check(new GradientCheckUtil.MLNConfig().net(net)
        .input(TinyNetworks.tokens(2, 4, 5, 10, DataType.DOUBLE))
        .labels(TinyNetworks.tokens(2, 4, 5, 11, DataType.DOUBLE))
        .labelMask(Nd4j.createFromArray(new double[][] {{1, 1, 1, 1}, {0, 1, 0, 1}}))))
        .isTrue();
  }

  @Test
  void bertClassifierWithPadding() {
    TransformerShape shape = new TransformerShape(5, 4, 1, 8, 2);
    MultiLayerNetwork net = new MultiLayerNetwork(
        TransformerNetworks.bertClassifier(shape, 3, new NoOp(), 1, DataType.DOUBLE));
    net.init();
    TinyNetworks.randomizeParams(net, 12, 0.3);
    INDArray labels = Nd4j.createFromArray(new double[][] {{0, 1, 0}, {0, 0, 1}});

    assertThat(check(new GradientCheckUtil.MLNConfig().net(net)
        .input(TinyNetworks.tokens(2, 4, 5, 13, DataType.DOUBLE))
        .labels(labels)
        .inputMask(Nd4j.createFromArray(new double[][] {{1, 1, 1, 1}, {1, 1, 0, 0}}))))
        .isTrue();
  }

  /**
   * Checks up to {@link #ENTRIES_PER_PARAM} entries of every parameter array: each entry costs
   * two forward passes through SameDiff (milliseconds each, even for tiny arrays), and all of
   * them take minutes on 2 cores.
   */
  private static boolean check(GradientCheckUtil.MLNConfig config) {
    return GradientCheckUtil.checkGradients(config.epsilon(EPSILON).maxRelError(MAX_REL_ERROR)
        .minAbsoluteError(MIN_ABS_ERROR).subset(true).maxPerParam(ENTRIES_PER_PARAM)
        .exitOnFirstError(false));
  }
}
