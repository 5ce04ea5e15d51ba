package org.sparktrain.worker.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.sparktrain.worker.model.LogisticConfig;
import org.sparktrain.worker.model.MlpConfig;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.optim.OptimizerConfig;
import org.sparktrain.worker.train.NativeArrays;

/**
 * The batched per-example path ({@link GhostClipping}) against DL4J's own per-example gradients
 * and against the per-microbatch path it replaces, on every kind of dense chain sparktrain
 * trains, and which networks and batches it leaves to the per-microbatch path.
 */
class GhostClippingTest {
  private static final PrivacySecret SECRET = new PrivacySecret(
      "a test secret of 32 bytes, fixed".getBytes(StandardCharsets.US_ASCII));
  private static final double RELATIVE = 1e-5;
  private static final double ABSOLUTE = 1e-5;

  /** A qualifying network, built with a given updater, and its labels' width (1: 0/1). */
  private record Case(String name, Function<IUpdater, Network> build, int labelWidth) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static OptimizerConfig optimizer(IUpdater updater) {
    return updater instanceof Adam adam
        ? new OptimizerConfig(OptimizerConfig.Kind.ADAM, adam.getLearningRate(), 0, 0.9, 0.999,
            1e-8)
        : new OptimizerConfig(OptimizerConfig.Kind.SGD, ((Sgd) updater).getLearningRate(), 0, 0,
            0, 0);
  }

  private static final List<Case> CASES = List.of(
      new Case("mlp 4-8-3 relu, softmax/MCXENT (MlpConfig)",
          u -> new MlpConfig(new int[] {8}, Activation.RELU, 0, false)
              .build(SmallNetworks.INPUTS, SmallNetworks.CLASSES, optimizer(u), 7).newNetwork(),
          SmallNetworks.CLASSES),
      new Case("mlp 4-8-6-3 tanh then sigmoid, l2 and weight decay",
          u -> Network.of(new NeuralNetConfiguration.Builder().seed(3).updater(u)
              .weightInit(WeightInit.XAVIER).l2(1e-3).weightDecay(1e-2).list()
              .layer(new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.TANH).build())
              .layer(new DenseLayer.Builder().nIn(8).nOut(6).activation(Activation.SIGMOID)
                  .build())
              .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6)
                  .nOut(SmallNetworks.CLASSES).activation(Activation.SOFTMAX).build())
              .build()),
          SmallNetworks.CLASSES),
      new Case("mlp 4-8-3 tanh as a graph", SmallNetworks::mlpGraph, SmallNetworks.CLASSES),
      new Case("graph 4-8-5-1 relu, no bias, then sigmoid/XENT",
          u -> {
            ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(5)
                .updater(u).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in")
                .addLayer("a", new DenseLayer.Builder().nIn(4).nOut(8).hasBias(false)
                    .activation(Activation.RELU).build(), "in")
                .addLayer("b", new DenseLayer.Builder().nIn(8).nOut(5)
                    .activation(Activation.TANH).build(), "a")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.XENT)
                    .nIn(5).nOut(1).activation(Activation.SIGMOID).build(), "b")
                .setOutputs("out").build();
            return Network.of(conf);
          },
          1),
      new Case("logistic, sigmoid/MSE (LogisticConfig)",
          u -> new LogisticConfig().build(SmallNetworks.INPUTS, 2, optimizer(u), 7).newNetwork(),
          1),
      new Case("logistic regression, sigmoid/XENT", SmallNetworks::logistic, 1),
      new Case("mlp 4-8-1 regression, identity/MSE (MlpConfig)",
          u -> new MlpConfig(new int[] {8}, Activation.LEAKYRELU, 0, true)
              .build(SmallNetworks.INPUTS, 1, optimizer(u), 7).newNetwork(),
          1));

  /** Example i's gradient as DL4J computes it for a batch of that example alone. */
  private static INDArray dl4jGradient(Network net, DataSet batch, int i) {
    return new NetworkGradients(net).gradient(rows(batch, i, i + 1)).gradient();
  }

  private static DataSet rows(DataSet batch, int from, int to) {
    DataSet out = new DataSet(
        batch.getFeatures().get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup(),
        batch.getLabels().get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup());
    if (batch.getLabelsMaskArray() != null) {
      out.setLabelsMaskArray(batch.getLabelsMaskArray()
          .get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup());
    }
    return out;
  }

  /** The per-microbatch path's clipped sum of per-example gradients. */
  private static ClippedSum slowClippedSum(Network net, DataSet batch, double clipNorm) {
    ClippedSum sum = new ClippedSum(clipNorm);
    for (int i = 0; i < batch.numExamples(); i++) {
      sum.add(dl4jGradient(net, batch, i));
    }
    return sum;
  }

  private static void assertClose(float[] actual, float[] expected, String what) {
    assertThat(actual).as(what).hasSameSizeAs(expected);
    for (int i = 0; i < actual.length; i++) {
      assertThat((double) actual[i]).as("%s, coordinate %d", what, i)
          .isCloseTo(expected[i], within(ABSOLUTE + RELATIVE * Math.abs(expected[i])));
    }
  }

  /** A clipping norm halfway (geometrically) between two of the norms: some clipped, not all. */
  private static double clipNormBetween(double[] norms) {
    double[] sorted = norms.clone();
    Arrays.sort(sorted);
    int k = sorted.length / 2;
    return Math.sqrt(sorted[k - 1] * sorted[k]);
  }

  @Test
  void qualifyingNetworksAreTheDenseChainsSparktrainBuilds() {
    for (Case c : CASES) {
      assertThat(GhostClipping.of(c.build().apply(new Sgd(0.1)))).as(c.name()).isNotNull();
    }
  }

  @Test
  void perExampleNormsAreTheNormsOfDl4jsPerExampleGradients() {
    for (Case c : CASES) {
      Network net = c.build().apply(new Sgd(0.1));
      DataSet batch = SmallNetworks.data(16, c.labelWidth(), 21);
      double[] norms = GhostClipping.of(net).clippedSum(batch, 1e6).norms();
      for (int i = 0; i < 16; i++) {
        double expected = dl4jGradient(net, batch, i).norm2Number().doubleValue();
        assertThat(norms[i]).as("%s, example %d", c, i)
            .isCloseTo(expected, within(RELATIVE * expected + 1e-12));
      }
    }
  }

  @Test
  void theClippedSumIsThePerMicrobatchPathsWhetherOrNotAnyAreClipped() {
    for (Case c : CASES) {
      Network net = c.build().apply(new Sgd(0.1));
      DataSet batch = SmallNetworks.data(20, c.labelWidth(), 22);
      GhostClipping ghost = GhostClipping.of(net);
      double small = clipNormBetween(ghost.clippedSum(batch, 1e6).norms());
      for (double clipNorm : new double[] {small, 1e6}) {
        GhostClipping.Result fast = ghost.clippedSum(batch, clipNorm);
        ClippedSum slow = slowClippedSum(net, batch, clipNorm);
        String what = c + ", C = " + clipNorm;
        assertThat(fast.clipped()).as(what).isEqualTo(slow.clipped());
        assertThat(fast.clipped()).as(what).isEqualTo(clipNorm == 1e6 ? 0 : 10);
        assertClose(NativeArrays.toFloats(fast.clippedSum()),
            NativeArrays.toFloats(slow.sum()), what);
      }
    }
  }

  /**
   * A per-example labels mask drops the masked examples: their norms are 0 and the clipped sum
   * is the per-microbatch path's over the others. (DL4J itself cannot be the reference here: for
   * a batch of one, MCXENT takes the [1, 1] mask for a per-output one and refuses it.)
   */
  @Test
  void aPerExampleLabelsMaskLeavesTheMaskedExamplesOut() {
    for (Case c : CASES) {
      Network net = c.build().apply(new Sgd(0.1));
      DataSet batch = SmallNetworks.data(12, c.labelWidth(), 23);
      INDArray mask = Nd4j.ones(batch.getFeatures().dataType(), 12, 1);
      mask.putScalar(3, 0, 0);
      mask.putScalar(7, 0, 0);
      DataSet masked = batch.copy();
      masked.setLabelsMaskArray(mask);
      GhostClipping ghost = GhostClipping.of(net);
      assertThat(ghost.accepts(masked)).as(c.name()).isTrue();
      GhostClipping.Result fast = ghost.clippedSum(masked, 0.3);
      assertThat(fast.norms()[3]).as(c.name()).isZero();
      assertThat(fast.norms()[7]).as(c.name()).isZero();
      DataSet kept = DataSet.merge(List.of(rows(batch, 0, 3), rows(batch, 4, 7),
          rows(batch, 8, 12)));
      ClippedSum slow = slowClippedSum(net, kept, 0.3);
      assertThat(fast.clipped()).as(c.name()).isEqualTo(slow.clipped());
      assertClose(NativeArrays.toFloats(fast.clippedSum()), NativeArrays.toFloats(slow.sum()),
          c + ", masked");
    }
  }

  /** A whole step, noiseless and noisy, with SGD and Adam: the same parameters either way. */
  @Test
  void aDpSgdStepGivesTheSameParametersByEitherPath() {
    for (IUpdater updater : new IUpdater[] {new Sgd(0.1), new Adam(0.01)}) {
      for (Case c : CASES) {
        for (double sigma : new double[] {0, 1}) {
          Network fast = c.build().apply(updater.clone());
          Network slow = SmallNetworks.copy(fast);
          String what = c + ", " + updater.getClass().getSimpleName() + ", sigma " + sigma;
          for (int s = 0; s < 3; s++) {
            DataSet batch = SmallNetworks.data(12 + s, c.labelWidth(), 30 + s);
            DpSgdStep step = new DpSgdStep(s == 1 ? 1e6 : 0.5, sigma, 1, 12);
            assertThat(step.usesGhostClipping(fast, batch)).as(what).isTrue();
            DpStepResult a = step.apply(fast, batch, SECRET.noise(0, s, 0));
            DpStepResult b = step.apply(slow, batch, SECRET.noise(0, s, 0), false);
            assertThat(a.examples()).as(what).isEqualTo(b.examples());
            assertThat(a.microbatches()).as(what).isEqualTo(b.microbatches());
            assertThat(a.clippedMicrobatches()).as(what).isEqualTo(b.clippedMicrobatches());
            assertThat(a.lossSum()).as(what)
                .isCloseTo(b.lossSum(), within(RELATIVE * Math.abs(b.lossSum()) + 1e-6));
          }
          assertClose(NativeArrays.toFloats(fast.params()), NativeArrays.toFloats(slow.params()),
              what);
          assertThat(fast.iterationCount()).isEqualTo(slow.iterationCount());
          if (fast.updaterState() != null) {
            assertClose(NativeArrays.toFloats(fast.updaterState()),
                NativeArrays.toFloats(slow.updaterState()), what + ", updater state");
          }
        }
      }
    }
  }

  @Test
  void microbatchesLargerThanOneTakeThePerMicrobatchPath() {
    Network net = CASES.get(0).build().apply(new Sgd(0.1));
    DataSet batch = SmallNetworks.data(10, SmallNetworks.CLASSES, 40);
    DpSgdStep step = new DpSgdStep(0.5, 0, 2, 10);
    assertThat(step.usesGhostClipping(net, batch)).isFalse();
    assertThat(new DpSgdStep(0.5, 0, 1, 10).usesGhostClipping(net, batch)).isTrue();
    Network other = SmallNetworks.copy(net);
    DpStepResult a = step.apply(net, batch, SECRET.noise(0, 0, 0));
    DpStepResult b = step.apply(other, batch, SECRET.noise(0, 0, 0), false);
    assertThat(a).isEqualTo(b);
    assertThat(a.microbatches()).isEqualTo(5);
    assertThat(NativeArrays.toFloats(net.params()))
        .containsExactly(NativeArrays.toFloats(other.params()));
  }

  @Test
  void dropoutTakesThePerMicrobatchPath() {
    Network net = new MlpConfig(new int[] {8, 8}, Activation.RELU, 0.5, false)
        .build(SmallNetworks.INPUTS, SmallNetworks.CLASSES, optimizer(new Sgd(0.1)), 7)
        .newNetwork();
    DataSet batch = SmallNetworks.data(10, SmallNetworks.CLASSES, 41);
    DpSgdStep step = new DpSgdStep(0.5, 0, 1, 10);
    assertThat(GhostClipping.of(net)).isNull();
    assertThat(step.usesGhostClipping(net, batch)).isFalse();
    DpStepResult result = step.apply(net, batch, SECRET.noise(0, 0, 0));
    assertThat(result.microbatches()).isEqualTo(10);
  }

  @Test
  void aConvolutionTakesThePerMicrobatchPath() {
    Network net = Network.of(new NeuralNetConfiguration.Builder().seed(1).updater(new Sgd(0.1))
        .weightInit(WeightInit.XAVIER).list()
        .layer(new ConvolutionLayer.Builder(1, 1).nOut(2).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .nOut(SmallNetworks.CLASSES).activation(Activation.SOFTMAX).build())
        .setInputType(InputType.convolutionalFlat(2, 2, 1))
        .build());
    DataSet batch = SmallNetworks.data(8, SmallNetworks.CLASSES, 42);
    DpSgdStep step = new DpSgdStep(0.5, 0, 1, 8);
    assertThat(GhostClipping.of(net)).isNull();
    assertThat(step.usesGhostClipping(net, batch)).isFalse();
    Network other = SmallNetworks.copy(net);
    DpStepResult a = step.apply(net, batch, SECRET.noise(0, 0, 0));
    DpStepResult b = step.apply(other, batch, SECRET.noise(0, 0, 0), false);
    assertThat(a).isEqualTo(b);
    assertThat(NativeArrays.toFloats(net.params()))
        .containsExactly(NativeArrays.toFloats(other.params()));
  }

  @Test
  void aFeaturesMaskTakesThePerMicrobatchPath() {
    Network net = CASES.get(0).build().apply(new Sgd(0.1));
    DataSet batch = SmallNetworks.data(6, SmallNetworks.CLASSES, 43);
    batch.setFeaturesMaskArray(Nd4j.ones(batch.getFeatures().dataType(), 6, 1));
    assertThat(new DpSgdStep(0.5, 0, 1, 6).usesGhostClipping(net, batch)).isFalse();
  }
}
