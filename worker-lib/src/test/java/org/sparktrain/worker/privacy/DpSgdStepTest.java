package org.sparktrain.worker.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.train.NativeArrays;
import org.sparktrain.worker.train.Task;

class DpSgdStepTest {
  private static final PrivacySecret SECRET = new PrivacySecret(
      "a test secret of 32 bytes, fixed".getBytes(StandardCharsets.US_ASCII));
  private static final double HUGE_CLIP_NORM = 1e6;
  private static final double PARAMETER_TOLERANCE = 1e-6;
  private static final double CLIP_TOLERANCE_RELATIVE = 1e-5;

  /** The gradient {@code fit} applies, read back as the parameter change of one SGD(1) step. */
  private static float[] fitGradient(Network net, DataSet batch) {
    Network copy = SmallNetworks.copy(net);
    float[] before = NativeArrays.toFloats(copy.params());
    copy.fit(batch);
    float[] after = NativeArrays.toFloats(copy.params());
    float[] gradient = new float[before.length];
    for (int i = 0; i < gradient.length; i++) {
      gradient[i] = before[i] - after[i];
    }
    return gradient;
  }

  private static void assertClose(float[] actual, float[] expected, double tolerance) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < actual.length; i++) {
      assertThat((double) actual[i]).as("coordinate %d", i)
          .isCloseTo(expected[i], within(tolerance));
    }
  }

  private static DataSet rows(DataSet batch, int from, int to) {
    return new DataSet(batch.getFeatures().get(
        NDArrayIndex.interval(from, to),
        NDArrayIndex.all()).dup(),
        batch.getLabels().get(NDArrayIndex.interval(from, to),
            NDArrayIndex.all()).dup());
  }

  @Test
  void anUnclippedMicrobatchGradientIsTheOneFitApplies() {
    Network net = SmallNetworks.mlp(new Sgd(1.0));
    DataSet batch = SmallNetworks.data(12, SmallNetworks.CLASSES, 1);
    for (int[] range : new int[][] {{0, 1}, {5, 6}, {3, 6}, {0, 12}}) {
      DataSet microbatch = rows(batch, range[0], range[1]);
      INDArray gradient = new NetworkGradients(net).gradient(microbatch).gradient();
      assertThat(ClippedSum.clip(gradient, HUGE_CLIP_NORM)).isFalse();
      assertClose(NativeArrays.toFloats(gradient), fitGradient(net, microbatch),
          PARAMETER_TOLERANCE);
    }
  }

  @Test
  void clippedMicrobatchGradientsHaveNormAtMostTheClipNorm() {
    Network net = SmallNetworks.mlp(new Sgd(1.0));
    DataSet batch = SmallNetworks.data(16, SmallNetworks.CLASSES, 2);
    double clipNorm = 0.05;
    int clipped = 0;
    for (int i = 0; i < 16; i++) {
      INDArray gradient = new NetworkGradients(net).gradient(rows(batch, i, i + 1)).gradient();
      double before = gradient.norm2Number().doubleValue();
      INDArray direction = gradient.div(before);
      boolean wasClipped = ClippedSum.clip(gradient, clipNorm);
      double after = gradient.norm2Number().doubleValue();
      assertThat(after).isLessThanOrEqualTo(clipNorm * (1 + CLIP_TOLERANCE_RELATIVE));
      assertThat(wasClipped).isEqualTo(before > clipNorm);
      // Clipping scales, it does not turn.
      assertThat(gradient.div(after).sub(direction).norm2Number().doubleValue())
          .isLessThan(1e-5);
      clipped += wasClipped ? 1 : 0;
    }
    assertThat(clipped).as("the clip norm is small enough to clip some examples")
        .isPositive();
  }

  /** Without noise or clipping, one microbatch of the whole batch: exactly {@code fit}. */
  @Test
  void withoutNoiseOrClippingAStepIsFitsStep() {
    for (IUpdater updater : new IUpdater[] {new Sgd(0.1), new Adam(0.01)}) {
      for (Network net : new Network[] {SmallNetworks.mlp(updater),
          SmallNetworks.mlpGraph(updater), SmallNetworks.logistic(updater)}) {
        int classes = net.outputWidth() == 1 ? 1 : SmallNetworks.CLASSES;
        Network reference = SmallNetworks.copy(net);
        for (int step = 0; step < 3; step++) {
          DataSet batch = SmallNetworks.data(10, classes, 10 + step);
          DpStepResult result = new DpSgdStep(HUGE_CLIP_NORM, 0, 10, 10)
              .apply(net, batch, SECRET.noise(0, step, 0));
          reference.fit(batch);
          assertThat(result.examples()).isEqualTo(10);
          assertThat(result.microbatches()).isEqualTo(1);
          assertThat(result.clippedMicrobatches()).isZero();
          assertThat(result.meanLoss()).isCloseTo(reference.score(), within(1e-5));
        }
        assertClose(NativeArrays.toFloats(net.params()),
            NativeArrays.toFloats(reference.params()), PARAMETER_TOLERANCE);
        assertThat(net.iterationCount()).isEqualTo(reference.iterationCount());
        if (net.updaterState() != null) {
          assertClose(NativeArrays.toFloats(net.updaterState()),
              NativeArrays.toFloats(reference.updaterState()), PARAMETER_TOLERANCE);
        }
      }
    }
  }

  /** Per-example microbatches, unclipped and noiseless: the mean gradient, which fit also uses. */
  @Test
  void perExampleMicrobatchesAverageToTheBatchGradient() {
    Network net = SmallNetworks.mlp(new Sgd(0.1));
    Network reference = SmallNetworks.copy(net);
    DataSet batch = SmallNetworks.data(9, SmallNetworks.CLASSES, 3);
    DpStepResult result = new DpSgdStep(HUGE_CLIP_NORM, 0, 1, 9)
        .apply(net, batch, SECRET.noise(0, 0, 0));
    reference.fit(batch);
    assertThat(result.microbatches()).isEqualTo(9);
    assertThat(result.meanLoss()).isCloseTo(reference.score(), within(1e-5));
    assertClose(NativeArrays.toFloats(net.params()), NativeArrays.toFloats(reference.params()),
        PARAMETER_TOLERANCE);
  }

  @Test
  void countsClippedMicrobatchesIncludingAPartialLastOne() {
    Network net = SmallNetworks.mlp(new Sgd(0.1));
    DataSet batch = SmallNetworks.data(10, SmallNetworks.CLASSES, 4);
    DpStepResult result = new DpSgdStep(1e-6, 1.0, 4, 8).apply(net, batch,
        SECRET.noise(0, 0, 0));
    assertThat(result.examples()).isEqualTo(10);
    assertThat(result.microbatches()).isEqualTo(3);
    assertThat(result.clippedMicrobatches()).isEqualTo(3);
  }

  /**
   * An empty draw: plain SGD with learning rate 1 moves the parameters by exactly the noise,
   * {@code sigma * C / (L / m)} times the step's standard normal draws.
   */
  @Test
  void anEmptyBatchAppliesTheNoiseAlone() {
    Network net = SmallNetworks.mlp(new Sgd(1.0));
    float[] before = NativeArrays.toFloats(net.params());
    DpSgdStep step = new DpSgdStep(2.0, 1.5, 2, 30);
    DpStepResult result = step.apply(net, null, SECRET.noise(9, 4, 2));
    assertThat(result).isEqualTo(new DpStepResult(0, 0, 0, 0));
    assertThat(result.meanLoss()).isNaN();
    assertThat(step.noiseStddevPerCoordinate()).isCloseTo(1.5 * 2.0 / 15, within(1e-15));
    float[] draws = SECRET.noise(9, 4, 2).sample(before.length, 1.5 * 2.0);
    float[] after = NativeArrays.toFloats(net.params());
    for (int i = 0; i < before.length; i++) {
      assertThat((double) before[i] - after[i]).isCloseTo(draws[i] / 15.0, within(1e-6));
    }
    assertThat(net.iterationCount()).isEqualTo(1);
  }

  /** 100,250 parameters of one empty step: standard deviation sigma * C / (L / m) within 2%. */
  @Test
  void theNoisePerCoordinateHasTheCalibratedStandardDeviation() {
    Network net = Network.of(new NeuralNetConfiguration.Builder().seed(1).updater(new Sgd(1.0))
        .weightInit(WeightInit.ZERO).list()
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(400).nOut(250)
            .activation(Activation.SOFTMAX).build())
        .build());
    DpSgdStep step = new DpSgdStep(1.0, 1.1, 1, 64);
    step.apply(net, null, SECRET.noise(0, 0, 5));
    float[] moved = NativeArrays.toFloats(net.params());
    double sum = 0;
    double squares = 0;
    for (float m : moved) {
      sum += m;
      squares += (double) m * m;
    }
    double mean = sum / moved.length;
    double sd = Math.sqrt(squares / moved.length - mean * mean);
    double expected = 1.1 * 1.0 / 64;
    assertThat(sd).isBetween(0.98 * expected, 1.02 * expected);
    assertThat(Math.abs(mean)).isLessThan(4 * expected / Math.sqrt(moved.length));
  }

  @Test
  void theSameSecretAndStepGiveTheSameUpdateAndAnotherSecretAnother() {
    DataSet batch = SmallNetworks.data(6, SmallNetworks.CLASSES, 5);
    DpSgdStep step = new DpSgdStep(1.0, 1.0, 1, 6);
    Network a = SmallNetworks.mlp(new Adam(0.01));
    Network b = SmallNetworks.copy(a);
    Network c = SmallNetworks.copy(a);
    step.apply(a, batch, SECRET.noise(1, 1, 1));
    step.apply(b, batch, SECRET.noise(1, 1, 1));
    byte[] other = "another secret, 32 bytes, fixed!".getBytes(StandardCharsets.US_ASCII);
    step.apply(c, batch, new PrivacySecret(other).noise(1, 1, 1));
    assertThat(NativeArrays.toFloats(a.params())).containsExactly(
        NativeArrays.toFloats(b.params()));
    assertThat(NativeArrays.toFloats(a.params())).isNotEqualTo(
        NativeArrays.toFloats(c.params()));
  }

  /**
   * The integration path: a shard, a Poisson draw keyed by the secret, the batch built by
   * {@code Task.Rows} from the drawn indices; an empty draw passed as null ({@code Task.batch}
   * cannot build a batch of zero rows).
   */
  @Test
  void trainsOnPoissonBatchesBuiltByTheTask() {
    int rows = 200;
    DataSet all = SmallNetworks.data(rows, SmallNetworks.CLASSES, 6);
    float[] labels = new float[rows];
    for (int r = 0; r < rows; r++) {
      labels[r] = all.getLabels().getRow(r).argMax().getInt(0);
    }
    ExampleBlock shard = new ExampleBlock(3, rows, SmallNetworks.INPUTS,
        NativeArrays.toFloats(all.getFeatures()), labels);
    Task task = new Task.Rows(true, SmallNetworks.CLASSES);
    Network net = SmallNetworks.mlp(new Adam(0.01));
    double q = 0.05;
    DpSgdStep step = new DpSgdStep(1.0, 1.0, 1, q * rows);
    long examples = 0;
    for (int s = 0; s < 20; s++) {
      int[] drawn = PoissonSampler.sample(SECRET.samplingSeed(0, s, shard.partition()), rows, q);
      DataSet batch = drawn.length == 0 ? null : task.batch(shard, drawn, 0, drawn.length, 0);
      DpStepResult result = step.apply(net, batch, SECRET.noise(0, s, shard.partition()));
      assertThat(result.examples()).isEqualTo(drawn.length);
      assertThat(result.microbatches()).isEqualTo(drawn.length);
      examples += result.examples();
    }
    assertThat(examples).isBetween(100L, 300L);
    assertThat(net.iterationCount()).isEqualTo(20);

    float[] before = NativeArrays.toFloats(net.params());
    DpStepResult empty = step.apply(net, null, SECRET.noise(0, 20, shard.partition()));
    assertThat(empty.examples()).isZero();
    assertThat(NativeArrays.toFloats(net.params())).isNotEqualTo(before);
  }

  @Test
  void refusesBatchNormalization() {
    Network net = Network.of(new NeuralNetConfiguration.Builder().seed(1).list()
        .layer(new DenseLayer.Builder().nIn(4).nOut(8).build())
        .layer(new BatchNormalization.Builder().nOut(8).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(3)
            .activation(Activation.SOFTMAX).build())
        .build());
    assertThatThrownBy(() -> new DpSgdStep(1, 1, 1, 4).apply(net,
        SmallNetworks.data(4, 3, 1), SECRET.noise(0, 0, 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("DP-SGD cannot train layer 'layer1': BatchNormalization mixes the examples of a "
            + "batch, so per-example gradients cannot be clipped; use LayerNormalization or no "
            + "normalization");
  }

  @Test
  void refusesDl4jsOwnGradientNormalization() {
    Network net = Network.of(new NeuralNetConfiguration.Builder().seed(1)
        .gradientNormalization(GradientNormalization.ClipL2PerLayer).list()
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(3)
            .activation(Activation.SOFTMAX).build())
        .build());
    assertThatThrownBy(() -> PerExampleSupport.check(net))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gradientNormalization ClipL2PerLayer");
  }

  @Test
  void refusesParametersOutsideTheirRanges() {
    assertThatThrownBy(() -> new DpSgdStep(0, 1, 1, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("clipNorm must be finite and > 0, got 0.0");
    assertThatThrownBy(() -> new DpSgdStep(1, -1, 1, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("noiseMultiplier must be finite and >= 0, got -1.0");
    assertThatThrownBy(() -> new DpSgdStep(1, 1, 0, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("microbatchSize must be >= 1, got 0");
    assertThatThrownBy(() -> new DpSgdStep(1, 1, 8, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expectedBatchSize (q * examples) must be finite and >= microbatchSize = 8, "
            + "got 4.0");
  }

  @Test
  void microbatchesLargerThanOneHalveTheAccountedNoise() {
    assertThat(new DpSgdStep(1, 1.2, 1, 64).accountedNoiseMultiplier()).isEqualTo(1.2);
    assertThat(new DpSgdStep(1, 1.2, 4, 64).accountedNoiseMultiplier()).isEqualTo(0.6);
  }
}
