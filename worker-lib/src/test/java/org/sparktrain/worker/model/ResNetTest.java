package org.sparktrain.worker.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.assertj.core.data.Offset;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.optim.OptimizerConfig;
import org.sparktrain.worker.train.EpochSchedule;
import org.sparktrain.worker.train.ModelSnapshot;
import org.sparktrain.worker.train.ParameterAccumulator;
import org.sparktrain.worker.train.PartitionTrainer;
import org.sparktrain.worker.train.Task;
import org.sparktrain.worker.train.TrainerSettings;
import org.sparktrain.worker.train.WorkerResult;

/**
 * The residual CNN: its forward pass against a plain-Java reference, its gradients against
 * finite differences, its file round trips, and batch-norm statistics travelling with the
 * parameters through averaging.
 */
class ResNetTest {
  /** 6x6 grey input; stem stride 1; stage 2 halves to 3x3 with a projection shortcut. */
  private static final ResNetConfig TINY = new ResNetConfig(new int[] {6, 6, 1}, 2, 1,
      new int[] {2, 3}, 1);
  private static final double FD_EPSILON = 1e-6;
  private static final OptimizerConfig ADAM = new OptimizerConfig(OptimizerConfig.Kind.ADAM,
      1e-2, 0.9, 0.9, 0.999, 1e-8);

  @Test
  void forwardPassMatchesAPlainJavaResNet() {
    ComputationGraph net = new ComputationGraph(TINY.graph(36, 3, new NoOp(), 1,
        DataType.DOUBLE));
    net.init();
    randomizeWeights(net, 11);
    double[][] images = new Random(5).doubles(2 * 36).map(v -> v * 2 - 1).boxed()
        .collect(Collectors.collectingAndThen(
            Collectors.toList(), l -> {
              double[][] out = new double[2][36];
              for (int i = 0; i < 72; i++) {
                out[i / 36][i % 36] = l.get(i);
              }
              return out;
            }));

    INDArray out = net.outputSingle(false, Nd4j.createFromArray(images));

    for (int n = 0; n < 2; n++) {
      double[] expected = new ReferenceResNet(net).forward(images[n]);
      for (int k = 0; k < 3; k++) {
        assertThat(out.getDouble(n, k)).as("image %d class %d", n, k)
            .isCloseTo(expected[k], Offset.offset(1e-6));
      }
    }
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    DataType before = Nd4j.defaultFloatingPointType();
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    try {
      ComputationGraph net = new ComputationGraph(TINY.graph(36, 3, new NoOp(), 1,
          DataType.DOUBLE));
      net.init();
      randomizeWeights(net, 3);
      INDArray x = Nd4j.rand(DataType.DOUBLE, 4, 36);
      INDArray y = Nd4j.zeros(DataType.DOUBLE, 4, 3);
      for (int i = 0; i < 4; i++) {
        y.putScalar(i, i % 3, 1);
      }
      // Batch norm in training mode normalizes by the minibatch's own statistics, which the
      // finite differences see too: both sides compute the same function.
      assertThat(maxRelativeError(net, new DataSet(x, y)))
          .isLessThan(1e-4);
    } finally {
      Nd4j.setDefaultDataTypes(before, before);
    }
  }

  @Test
  void jsonAndModelFileRoundTripsGiveIdenticalOutputs() throws IOException {
    NetworkConfig config = TINY.build(36, 3, ADAM, 7);
    Network net = config.newNetwork();
    net.fit(new DataSet(Nd4j.rand(DataType.FLOAT, 4, 36),
        Nd4j.eye(3).getRows(0, 1, 2, 0).castTo(DataType.FLOAT)));
    INDArray x = Nd4j.rand(DataType.FLOAT, 3, 36);

    Network fromJson = NetworkConfig.fromJson(config.toJson()).newNetwork();
    assertThat(fromJson.isGraph()).isTrue();
    fromJson.params().assign(net.params());
    assertBitwiseEqual(fromJson.output(x), net.output(x));

    ByteArrayOutputStream file = new ByteArrayOutputStream();
    net.save(file);
    Network restored = Network.restore(new ByteArrayInputStream(file.toByteArray()), "resnet");
    assertThat(restored.isGraph()).isTrue();
    assertBitwiseEqual(restored.output(x), net.output(x));
    assertBitwiseEqual(restored.updaterState(), net.updaterState());
  }

  @Test
  void batchNormRunningStatisticsAreAveragedAcrossWorkersLikeWeights() {
    NetworkConfig config = TINY.build(36, 3, ADAM, 7);
    Network initial = config.newNetwork();
    ModelSnapshot start = new ModelSnapshot(initial.params().toFloatVector(),
        new float[][] {initial.updaterState().toFloatVector()}, 0, 0);
    EpochSchedule schedule = new EpochSchedule(16, 8, 2, 3);
    TrainerSettings settings = new TrainerSettings(config.toJson(), schedule,
        new Task.Rows(true, 3), 3, 1);
    // Two shards of different brightness: their batch statistics, and so their running means,
    // differ.
    WorkerResult dark = new PartitionTrainer(settings).run(shard(0, 0.1f), start,
        schedule.plan(0));
    WorkerResult bright = new PartitionTrainer(settings).run(shard(1, 0.9f), start,
        schedule.plan(0));
    ParameterAccumulator sum = new ParameterAccumulator().add(dark).add(bright);

    double darkMean = stemRunningMean(config, dark.params());
    double brightMean = stemRunningMean(config, bright.params());
    double averaged = stemRunningMean(config, sum.averageParams());
    assertThat(stemRunningMean(config, start.params())).isZero();
    assertThat(Math.abs(darkMean - brightMean)).isGreaterThan(1e-3);
    assertThat(averaged).isCloseTo((darkMean + brightMean) / 2,
        Offset.offset(1e-6));
  }

  @Test
  void imageShapeMustMatchTheRows() {
    assertThatThrownBy(() -> TINY.build(35, 3, ADAM, 1))
        .hasMessageContaining("model.inputShape [6, 6, 1] holds 36 values")
        .hasMessageContaining("35");
    ResNetConfig square = new ResNetConfig(null, 2, 1, new int[] {2}, 1);
    assertThat(square.imageShape(64)).containsExactly(8, 8, 1);
    assertThatThrownBy(() -> square.imageShape(65))
        .hasMessageContaining("set model.inputShape");
  }

  /**
   * Central differences against DL4J's analytic gradient, for every trained parameter. Written
   * out because DL4J's GradientCheckUtil names a graph's parameters out of order (it reported
   * batch-norm running means, whose "gradient" is the moving-average step, as conv weights),
   * so its exclusion of the running statistics did not work. Running statistics are skipped:
   * they are not trained by gradient.
   */
  private static double maxRelativeError(ComputationGraph net,
      DataSet batch) {
    net.setInputs(batch.getFeatures());
    net.setLabels(batch.getLabels());
    net.computeGradientAndScore();
    Map<String, INDArray> analytic = new HashMap<>();
    net.gradient().gradientForVariable().forEach((k, v) -> analytic.put(k, v.dup(v.ordering())));
    double worst = 0;
    int checked = 0;
    for (Layer layer : net.getLayers()) {
      String name = layer.conf().getLayer().getLayerName();
      for (var e : layer.paramTable().entrySet()) {
        if (e.getKey().equals("mean") || e.getKey().equals("log10stdev")
            || e.getKey().equals("var")) {
          continue;
        }
        INDArray param = e.getValue();
        INDArray grad = analytic.get(name + "_" + e.getKey());
        for (long i = 0; i < param.length(); i++) {
          double original = param.getDouble(i);
          param.putScalar(i, original + FD_EPSILON);
          double plus = net.score(batch, true);
          param.putScalar(i, original - FD_EPSILON);
          double minus = net.score(batch, true);
          param.putScalar(i, original);
          double numeric = (plus - minus) / (2 * FD_EPSILON);
          // DL4J's raw gradient sums over the minibatch; its updater divides by the size.
          double a = grad.getDouble(i) / batch.numExamples();
          double error = Math.abs(a - numeric) < 1e-8 ? 0
              : Math.abs(a - numeric) / (Math.abs(a) + Math.abs(numeric));
          assertThat(error).as("%s_%s[%d]: analytic %s, numeric %s", name, e.getKey(), i, a,
              numeric).isLessThan(1e-4);
          worst = Math.max(worst, error);
          checked++;
        }
      }
    }
    assertThat(checked).isGreaterThan(250);
    return worst;
  }

  /** First channel of the stem batch norm's running mean, after loading {@code params}. */
  private static double stemRunningMean(NetworkConfig config, float[] params) {
    Network net = config.newNetwork();
    net.params().assign(Nd4j.createFromArray(params));
    return net.graph().getLayer("stem_bn").getParam("mean").getDouble(0);
  }

  private static ExampleBlock shard(int partition, float brightness) {
    Random r = new Random(partition);
    float[] x = new float[16 * 36];
    float[] y = new float[16];
    for (int i = 0; i < x.length; i++) {
      x[i] = brightness + 0.05f * (float) r.nextGaussian();
    }
    for (int i = 0; i < 16; i++) {
      y[i] = i % 3;
    }
    return new ExampleBlock(partition, 16, 36, x, y);
  }

  /** Random convolution and output weights, batch-norm scale and shift; running stats stay. */
  private static void randomizeWeights(ComputationGraph net, long seed) {
    Random r = new Random(seed);
    for (Layer layer : net.getLayers()) {
      for (var e : layer.paramTable().entrySet()) {
        String key = e.getKey();
        if (key.equals("W") || key.equals("b") || key.equals("gamma") || key.equals("beta")) {
          INDArray p = e.getValue();
          for (long i = 0; i < p.length(); i++) {
            double v = r.nextGaussian() * 0.5;
            p.putScalar(i, key.equals("gamma") ? 1 + v : v);
          }
        }
      }
    }
  }

  /** Same shape and the same bits: INDArray.equals forgives differences up to 1e-5. */
  private static void assertBitwiseEqual(INDArray actual, INDArray expected) {
    assertThat(actual.shape()).containsExactly(expected.shape());
    assertThat(actual.dup('c').data().asFloat())
        .containsExactly(expected.dup('c').data().asFloat());
  }
}
