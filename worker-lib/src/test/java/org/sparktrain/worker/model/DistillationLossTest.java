package org.sparktrain.worker.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.sparktrain.worker.optim.OptimizerConfig;

/**
 * The distillation loss against its definition: the gradient is the score's derivative, the
 * soft term vanishes where the student's softened output is the teacher's, alpha 0 is DL4J's
 * cross-entropy bit for bit, and the loss survives the configuration's JSON.
 */
class DistillationLossTest {
  private static final int ROWS = 4;
  private static final int CLASSES = 3;
  private static final OptimizerConfig ADAM = new OptimizerConfig(OptimizerConfig.Kind.ADAM,
      1e-3, 0.9, 0.9, 0.999, 1e-8);
  private final Random random = new Random(7);

  private INDArray logits() {
    float[] z = new float[ROWS * CLASSES];
    for (int i = 0; i < z.length; i++) {
      z[i] = (float) (2 * random.nextGaussian());
    }
    return Nd4j.create(z, new long[] {ROWS, CLASSES}, 'c');
  }

  /** [one-hot | soft] with random classes and random teacher distributions. */
  private INDArray labels() {
    float[] y = new float[ROWS * 2 * CLASSES];
    for (int r = 0; r < ROWS; r++) {
      y[r * 2 * CLASSES + random.nextInt(CLASSES)] = 1;
      double[] q = new double[CLASSES];
      double sum = 0;
      for (int c = 0; c < CLASSES; c++) {
        q[c] = random.nextDouble() + 0.05;
        sum += q[c];
      }
      for (int c = 0; c < CLASSES; c++) {
        y[r * 2 * CLASSES + CLASSES + c] = (float) (q[c] / sum);
      }
    }
    return Nd4j.create(y, new long[] {ROWS, 2 * CLASSES}, 'c');
  }

  @Test
  void theGradientIsTheScoresDerivative() {
    DistillationLoss loss = new DistillationLoss(3, 0.6);
    INDArray z = logits().castTo(DataType.DOUBLE);
    INDArray y = labels().castTo(DataType.DOUBLE);
    INDArray gradient = loss.computeGradient(y, z.dup(), new ActivationSoftmax(), null);
    double eps = 1e-4;
    for (int r = 0; r < ROWS; r++) {
      for (int c = 0; c < CLASSES; c++) {
        INDArray up = z.dup();
        up.putScalar(r, c, z.getDouble(r, c) + eps);
        INDArray down = z.dup();
        down.putScalar(r, c, z.getDouble(r, c) - eps);
        double numeric = (loss.computeScore(y, up, new ActivationSoftmax(), null, false)
            - loss.computeScore(y, down, new ActivationSoftmax(), null, false)) / (2 * eps);
        assertThat(gradient.getDouble(r, c)).as("row %d class %d", r, c)
            .isCloseTo(numeric, within(2e-3));
      }
    }
  }

  @Test
  void theSoftTermIsZeroWhereTheStudentMatchesTheTeacher() {
    double temperature = 2.5;
    INDArray z = logits();
    INDArray y = labels();
    // Teacher = the student's own softened output; alpha 1 leaves only the soft term.
    INDArray softened = Nd4j.nn().softmax(z.div(temperature), 1);
    y.get(NDArrayIndex.all(),
        NDArrayIndex.interval(CLASSES, 2 * CLASSES)).assign(softened);
    DistillationLoss loss = new DistillationLoss(temperature, 1);
    assertThat(loss.computeScore(y, z, new ActivationSoftmax(), null, true))
        .isCloseTo(0, within(1e-5));
    assertThat(loss.computeGradient(y, z, new ActivationSoftmax(), null).amaxNumber()
        .doubleValue()).isLessThan(1e-5);
  }

  @Test
  void alphaZeroIsCrossEntropyBitForBitAndPlainLabelsScoreAsCrossEntropy() {
    INDArray z = logits();
    INDArray y = labels();
    INDArray hard = y.get(NDArrayIndex.all(),
        NDArrayIndex.interval(0, CLASSES)).dup('c');
    LossMCXENT mcxent = new LossMCXENT();
    assertThat(new DistillationLoss(4, 0).computeGradient(y, z.dup(), new ActivationSoftmax(),
        null).data().asFloat()).containsExactly(mcxent.computeGradient(hard, z.dup(),
            new ActivationSoftmax(), null).data().asFloat());
    DistillationLoss loss = new DistillationLoss(4, 0.7);
    assertThat(loss.computeScore(hard, z.dup(), new ActivationSoftmax(), null, true))
        .isEqualTo(mcxent.computeScore(hard, z.dup(), new ActivationSoftmax(), null, true));
    assertThatThrownBy(() -> loss.computeScore(Nd4j.zeros(DataType.FLOAT, ROWS, 5), z,
        new ActivationSoftmax(), null, true))
        .hasMessageContaining("3 classes or one-hot and soft targets (6 columns), got 5");
  }

  @Test
  void theLossTravelsInTheConfigurationJson() {
    NetworkConfig conf = new MlpConfig(new int[] {8},
        Activation.RELU, 0, false).build(4, 3, ADAM, 1);
    DistillationLoss.install(conf, 3, 0.25);
    NetworkConfig again = NetworkConfig.fromJson(conf.toJson());
    var layers = again.layers().getConfs();
    BaseOutputLayer out = (BaseOutputLayer) layers.get(layers.size() - 1).getLayer();
    assertThat(out.getLossFn()).isInstanceOfSatisfying(DistillationLoss.class, l -> {
      assertThat(l.temperature()).isEqualTo(3);
      assertThat(l.alpha()).isEqualTo(0.25);
    });
    // A network of it trains on [one-hot | soft] labels.
    Network net = again.newNetwork();
    INDArray x = Nd4j.rand(DataType.FLOAT, ROWS, 4);
    net.fit(new DataSet(x, labels()));
    assertThat(Double.isFinite(net.score())).isTrue();

    NetworkConfig regression = new MlpConfig(new int[] {8},
        Activation.RELU, 0, true).build(4, 1, ADAM, 1);
    assertThatThrownBy(() -> DistillationLoss.install(regression, 3, 0.25))
        .hasMessageContaining("needs a classifier with a softmax output");
  }
}
