package org.sparktrain.driver.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.sparktrain.driver.data.DatasetReader;
import org.sparktrain.driver.output.Json;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.run.EvaluateJob;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.driver.testing.TestData;
import org.sparktrain.worker.data.LabelRule;
import org.sparktrain.worker.data.ParsedRecord;
import org.sparktrain.worker.model.MlpConfig;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.optim.OptimizerConfig;

/**
 * The sanity checks the literature asks of explanations, on a table where only x0 and x1
 * carry the label ({@code x0 + x1 > 0}) and six columns are noise: permutation importance
 * ranks those two first, and the same wherever it runs; integrated gradients satisfy
 * completeness (for a classifier and a regressor); and they fail the model randomization test
 * of Adebayo et al. (2018) as they should: a re-initialized network's attributions differ.
 */
class ExplainSanityTest {
  private static final JavaSparkContext SC = SharedSpark.context();
  private static final Configuration CONF = new Configuration();
  private static final int FEATURES = 8;
  @TempDir
  static Path dir;
  private static String model;
  private static Path table;
  private static Map<String, Object> explained;

  @BeforeAll
  static void trainOnTwoInformativeColumns() throws IOException {
    Random random = new Random(17);
    StringBuilder csv = new StringBuilder();
    for (int r = 0; r < 1500; r++) {
      double[] x = new double[FEATURES];
      for (int f = 0; f < FEATURES; f++) {
        x[f] = random.nextGaussian();
        csv.append(String.format("%.5f,", x[f]));
      }
      csv.append(x[0] + x[1] > 0 ? 1 : 0).append('\n');
    }
    table = TestData.write(dir, "two-informative.csv", csv.toString());
    TrainJob.run(SC, JobSpecParser.parse("data: {uri: '" + table + "', numClasses: 2}\n"
        + "model: {name: mlp, hidden: [16]}\n"
        + "train: {epochs: 12, batchSize: 16, workers: 2, threadsPerWorker: 1, "
        + "optimizer: {name: adam, learningRate: 0.01}}\n"
        + "output: {dir: '" + dir.resolve("run") + "'}\n", null), false);
    model = dir.resolve("run/model").toUri().toString();
    explained = ExplainJob.run(SC, model, options(), null,
        new ExplainJob.Options(5, 600, List.of(0, 1, 2, 3, 4, 5), 128, 3),
        dir.resolve("explained").toUri().toString());
  }

  private static EvaluateJob.DataOptions options() {
    return new EvaluateJob.DataOptions(table.toUri().toString(), JobSpec.Format.CSV, null, -1,
        false, 2);
  }

  @Test
  @SuppressWarnings("unchecked")
  void theTwoInformativeColumnsRankFirstAndNoiseIsNearZero() throws IOException {
    Map<String, Object> perm = (Map<String, Object>) explained.get("permutationImportance");
    List<Map<String, Object>> columns = (List<Map<String, Object>>) perm.get("columns");

    assertThat(List.of(columns.get(0).get("column"), columns.get(1).get("column")))
        .containsExactlyInAnyOrder("x0", "x1");
    for (Map<String, Object> c : columns.subList(0, 2)) {
      assertThat((double) c.get("ciLow")).as("%s", c).isGreaterThan(0.1);
    }
    for (Map<String, Object> c : columns.subList(2, columns.size())) {
      assertThat((double) c.get("mean")).as("%s", c).isLessThan(0.03);
    }
    assertThat(Files.readString(dir.resolve("explained/explain.json")))
        .isEqualTo(Json.pretty(explained));
    assertThat(Files.readString(dir.resolve("explained/explain.html")))
        .contains("Content-Security-Policy").doesNotContain("@@");
  }

  @Test
  void onTheExecutorsItIsExactlyWhatOneJvmComputes() throws IOException {
    ModelBundle bundle = ModelBundle.load(model, CONF);
    ExplainData data = ExplainData.of(records(600), bundle.normalizer(), null);

    PermutationImportance.Result spread = PermutationImportance.onExecutors(SC,
        bundle.network(), true, data, 3, 11, 3);
    PermutationImportance.Result local = PermutationImportance.inOneJvm(bundle.network(), true,
        data, 3, 11);

    assertThat(spread.baseline()).isEqualTo(local.baseline());
    for (int c = 0; c < FEATURES; c++) {
      assertThat(spread.columns().get(c).drops()).as("x%d", c)
          .containsExactly(local.columns().get(c).drops());
    }
    // Another seed shuffles differently.
    assertThat(PermutationImportance.inOneJvm(bundle.network(), true, data, 3, 12).columns()
        .get(0).drops()).isNotEqualTo(local.columns().get(0).drops());
  }

  @Test
  @SuppressWarnings("unchecked")
  void integratedGradientsAreComplete() throws IOException {
    for (Map<String, Object> row : (List<Map<String, Object>>) explained.get("attributions")) {
      double change = (double) row.get("output") - (double) row.get("baselineOutput");
      assertThat(Math.abs((double) row.get("completenessGap"))).as("row %s", row.get("row"))
          .isLessThan(0.01 * Math.max(1, Math.abs(change)));
    }
    // A regressor (F = the prediction), untrained: completeness holds for any network.
    Network regressor = new MlpConfig(new int[] {12, 6}, Activation.TANH, 0, true)
        .build(FEATURES, 1, new OptimizerConfig(OptimizerConfig.Kind.SGD, 0.1, 0, 0.9, 0.999,
            1e-8), 5).newNetwork();
    IntegratedGradients ig = new IntegratedGradients(regressor, FEATURES, false, 128);
    Random random = new Random(2);
    for (int r = 0; r < 5; r++) {
      float[] x = new float[FEATURES];
      for (int f = 0; f < FEATURES; f++) {
        x[f] = (float) random.nextGaussian() * 2;
      }
      IntegratedGradients.Attribution a = ig.explain(x, -1);
      assertThat(Math.abs(a.completenessGap()))
          .isLessThan(0.01 * Math.max(1, Math.abs(a.output() - a.baselineOutput())));
      assertThat(a.output()).isNotEqualTo(a.baselineOutput());
    }
  }

  @Test
  void aReinitializedNetworksAttributionsDiffer() throws IOException {
    ModelBundle bundle = ModelBundle.load(model, CONF);
    Network random = bundle.network().config().newNetwork(); // same architecture, fresh init
    ExplainData data = ExplainData.of(records(40), bundle.normalizer(), null);
    IntegratedGradients trained = new IntegratedGradients(bundle.network(),
        bundle.numFeatures(), true, 64);
    IntegratedGradients randomized = new IntegratedGradients(random, bundle.numFeatures(), true,
        64);

    double correlation = 0;
    int informativeFirst = 0;
    for (float[] x : data.features()) {
      double[] a = trained.explain(x, 1).values();
      double[] b = randomized.explain(x, 1).values();
      correlation += spearman(abs(a), abs(b)) / data.rows();
      informativeFirst += top2(a).equals(List.of(0, 1)) ? 1 : 0;
    }
    // The trained model's attributions point at x0 and x1 nearly always...
    assertThat(informativeFirst).isGreaterThanOrEqualTo(data.rows() * 8 / 10);
    // ...and a randomized model's ranking of the inputs has little to do with them.
    assertThat(correlation).isLessThan(0.5);
  }

  @Test
  void misuseIsRefusedNamingWhatIsWrong() {
    assertThatThrownBy(() -> ExplainJob.run(SC, model, options(), null,
        new ExplainJob.Options(2, 50, List.of(50), 16, 1), dir.resolve("x").toUri().toString()))
        .hasMessageContaining("--rows: 50 is not a row of the data used (0..49)");
    assertThatThrownBy(() -> new ExplainJob.Options(0, 50, List.of(), 16, 1))
        .hasMessageContaining("--repeats must be at least 1, got 0");
  }

  private static List<ParsedRecord> records(int n) throws IOException {
    return DatasetReader.read(SC, new JobSpec.Data(
        table.toUri().toString(), JobSpec.Format.CSV, -1, false, 2, FEATURES, null, null, null,
        1, 0, 0, null, null), table.toUri().toString(), null,
        LabelRule.classes(2)).records().filter(ParsedRecord::isOk)
        .take(n);
  }

  private static double[] abs(double[] v) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Math.abs(v[i]);
    }
    return out;
  }

  /** The indexes of the two largest absolute values, in increasing index order. */
  private static List<Integer> top2(double[] v) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < v.length; i++) {
      order.add(i);
    }
    order.sort((i, j) -> Double.compare(Math.abs(v[j]), Math.abs(v[i])));
    return order.subList(0, 2).stream().sorted().toList();
  }

  private static double spearman(double[] a, double[] b) {
    double[] ra = ranks(a);
    double[] rb = ranks(b);
    double n = a.length;
    double d2 = 0;
    for (int i = 0; i < a.length; i++) {
      d2 += (ra[i] - rb[i]) * (ra[i] - rb[i]);
    }
    return 1 - 6 * d2 / (n * (n * n - 1));
  }

  private static double[] ranks(double[] v) {
    Integer[] order = new Integer[v.length];
    for (int i = 0; i < v.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (i, j) -> Double.compare(v[i], v[j]));
    double[] r = new double[v.length];
    for (int k = 0; k < order.length; k++) {
      r[order[k]] = k;
    }
    return r;
  }
}
