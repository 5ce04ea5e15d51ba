package org.sparktrain.driver.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.run.EvaluateJob;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.driver.testing.TestData;
import org.sparktrain.worker.data.ParsedRecord;

/**
 * Explanations of an image model that is a graph with batch normalization (a small resnet on
 * the 8x8 digits): the differentiable copy computes exactly what predict computes, its input
 * gradient is the output's derivative, integrated gradients are complete, and explain writes
 * saliency maps and the first convolution's filters.
 */
class ImageExplainTest {
  private static final JavaSparkContext SC = SharedSpark.context();
  private static final Configuration CONF = new Configuration();
  @TempDir
  static Path dir;
  private static ModelBundle bundle;
  private static List<float[]> rows;

  @BeforeAll
  static void trainASmallResnet() throws IOException {
    TrainJob.run(SC, JobSpecParser.parse("data: {uri: '" + TestData.digits()
        + "', numClasses: 10}\n"
        + "preprocess: {normalize: scale}\n"
        + "model: {name: resnet, inputShape: [8, 8, 1], stemWidth: 4, stemStride: 1, "
        + "widths: [4, 8], blocksPerStage: 1}\n"
        + "train: {epochs: 2, batchSize: 32, workers: 2, threadsPerWorker: 1, "
        + "optimizer: {name: adam, learningRate: 0.01}}\n"
        + "output: {dir: '" + dir.resolve("run") + "'}\n", null), false);
    bundle = ModelBundle.load(dir.resolve("run/model").toString(), CONF);
    EvaluateJob.DataOptions data = options();
    try (EvaluateJob.Labelled labelled = EvaluateJob.open(SC, dir.resolve("run/model")
        .toString(), bundle, data, null, "explain")) {
      rows = List.of(ExplainData.of(labelled.source().records().filter(ParsedRecord::isOk)
          .take(8), bundle.normalizer(), null).features());
    }
  }

  private static EvaluateJob.DataOptions options() {
    return new EvaluateJob.DataOptions(TestData.digits().toUri().toString(), JobSpec.Format.CSV,
        null, -1, false, 2);
  }

  @Test
  void theCopyPredictsWhatTheModelPredicts() {
    DifferentiableCopy copy = DifferentiableCopy.of(bundle.network(), 64);
    for (float[] x : rows) {
      INDArray row = Nd4j.create(x).reshape(1, 64);
      assertThat(copy.output(row).toDoubleVector()).containsExactly(
          bundle.network().output(row).toDoubleVector(), within(1e-5));
    }
  }

  @Test
  void theInputGradientIsTheOutputsDerivative() {
    IntegratedGradients ig = new IntegratedGradients(bundle.network(), 64, true, 32);
    DifferentiableCopy copy = DifferentiableCopy.of(bundle.network(), 64);
    float[] x = rows.get(0);
    int target = ig.predicted(x);
    double[] saliency = ig.saliency(x, target);
    double eps = 1e-2;
    double dot = 0;
    double numericNorm = 0;
    double analyticNorm = 0;
    for (int i = 0; i < 64; i++) {
      float[] up = x.clone();
      up[i] += eps;
      float[] down = x.clone();
      down[i] -= eps;
      double numeric = Math.abs((logP(copy, up, target) - logP(copy, down, target)) / (2 * eps));
      dot += numeric * saliency[i];
      numericNorm += numeric * numeric;
      analyticNorm += saliency[i] * saliency[i];
    }
    assertThat(dot / Math.sqrt(numericNorm * analyticNorm)).isGreaterThan(0.99);
    assertThat(analyticNorm).isGreaterThan(0);
  }

  private static double logP(DifferentiableCopy copy, float[] x, int target) {
    return Math.log(copy.output(Nd4j.create(x).reshape(1, x.length)).getDouble(0, target));
  }

  @Test
  void integratedGradientsOfTheResnetAreComplete() {
    IntegratedGradients ig = new IntegratedGradients(bundle.network(), 64, true, 128);
    for (float[] x : rows.subList(0, 4)) {
      IntegratedGradients.Attribution a = ig.explain(x, ig.predicted(x));
      assertThat(Math.abs(a.completenessGap()))
          .isLessThan(0.05 * Math.max(1, Math.abs(a.output() - a.baselineOutput())));
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void explainWritesSaliencyAndTheFirstFilters() throws IOException {
    Map<String, Object> out = ExplainJob.run(SC, dir.resolve("run/model").toString(),
        options(), null, new ExplainJob.Options(1, 100, List.of(0, 1), 16, 3),
        dir.resolve("explained").toString());
    List<Map<String, Object>> rowsOut = (List<Map<String, Object>>) out.get("attributions");
    assertThat(rowsOut).hasSize(2);
    assertThat((double[]) rowsOut.get(0).get("saliency")).hasSize(64);
    Map<String, Object> filters = (Map<String, Object>) out.get("firstConvolution");
    assertThat((long[]) filters.get("shape")).containsExactly(4, 1, 3, 3);
    List<Map<String, Object>> kernels = (List<Map<String, Object>>) filters.get("kernels");
    assertThat(kernels).hasSize(4);
    assertThat((double[]) kernels.get(0).get("weights")).hasSize(9);
    // The kernels are the stem convolution's weights.
    INDArray w = bundle.network().graph().getLayer("stem_conv").getParam("W");
    assertThat((double[]) kernels.get(2).get("weights")).containsExactly(
        w.get(NDArrayIndex.point(2),
            NDArrayIndex.point(0)).dup('c').reshape(-1)
            .toDoubleVector(), within(1e-7));
  }
}
