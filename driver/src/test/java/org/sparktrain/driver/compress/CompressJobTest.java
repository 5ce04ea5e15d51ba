package org.sparktrain.driver.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.Vectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.run.EvaluateJob;
import org.sparktrain.driver.run.PredictJob;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.driver.testing.TestData;
import org.sparktrain.ml.SparktrainClassificationModel;
import org.sparktrain.worker.model.Int8ModelFile;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.model.Int8Tensor;

/**
 * sparktrain compress on the digits MLP: int8 is under 0.30x the float parameters' bytes and
 * loses at most half a point of accuracy; pruning zeroes exactly the share asked for and
 * nothing but weights; both results are models predict, evaluate and the Spark ML model load,
 * and summary.json holds what the issue asks for.
 */
class CompressJobTest {
  private static final Configuration CONF = new Configuration();
  @TempDir
  static Path dir;
  private static String model;
  private static final JavaSparkContext SC = SharedSpark.context();

  @BeforeAll
  static void trainTheDigitsMlp() throws IOException {
    TrainJob.run(SC, digitsSpec("run", 6, ""), false);
    model = dir.resolve("run/model").toUri().toString();
  }

  private static JobSpec digitsSpec(String run, int epochs, String moreTrain) {
    return JobSpecParser.parse("data: {uri: '" + TestData.digits()
        + "', numClasses: 10, split: {train: 0.8, validation: 0.05, test: 0.15}}\n"
        + "model: {name: mlp, hidden: [128, 64]}\n"
        + "train: {epochs: " + epochs + ", batchSize: 16, workers: 2, threadsPerWorker: 1, "
        + "optimizer: {name: adam, learningRate: 0.003}" + moreTrain + "}\n"
        + "output: {dir: '" + dir.resolve(run) + "'}\n", null);
  }

  private static CompressJob.Evaluation onDigits() {
    return uri -> EvaluateJob.run(SC, uri, new EvaluateJob.DataOptions(
        TestData.digits().toUri().toString(), JobSpec.Format.CSV, null, -1, false, 2));
  }

  @Test
  @SuppressWarnings("unchecked")
  void int8IsUnderAThirdOfTheFloatBytesAndKeepsAccuracy() throws IOException {
    String out = dir.resolve("int8").toUri().toString();
    Map<String, Object> summary = CompressJob.run(model, out,
        new CompressJob.Options(CompressJob.Method.INT8, 0, false), onDigits(), CONF);

    Map<String, Object> size = (Map<String, Object>) summary.get("size");
    assertThat((double) size.get("ratioToFloatParameters")).isLessThan(0.30);
    assertThat((double) size.get("ratio")).isLessThan(0.15); // model.zip keeps Adam's state
    assertThat(size.get("afterBytes"))
        .isEqualTo(Files.size(dir.resolve("int8").resolve(Int8ModelFile.FILE)));
    Map<String, Double> change = (Map<String, Double>) summary.get("change");
    assertThat(change.get("accuracy")).isCloseTo(0.0, within(0.005));
    assertThat(((Map<String, Object>) summary.get("before")).get("accuracy")).isInstanceOf(
        Double.class);
    assertThat((Map<String, Object>) summary.get("inferenceRowsPerSec"))
        .containsKeys("before", "after");
    assertThat(dir.resolve("int8/summary.json")).exists();
    assertThat(dir.resolve("int8/model.zip")).doesNotExist();

    // The loaded network holds exactly the dequantized weights.
    Network original = ModelBundle.load(model, CONF).network();
    Network loaded = ModelBundle.load(out, CONF).network();
    INDArray w = original.layerParams().get(0).params().get("W");
    assertThat(loaded.layerParams().get(0).params().get("W").dup('c').data().asFloat())
        .containsExactly(Int8Tensor.quantize(w.dup('c').data().asFloat(), w.shape())
            .dequantize());

    // predict and the Spark ML model take the folder as any model.
    Path input = TestData.write(dir, "rows.csv", "0,0,5,13,9,1,0,0,0,0,13,15,10,15,5,0,0,3,"
        + "15,2,0,11,8,0,0,4,12,0,0,8,8,0,0,5,8,0,0,9,8,0,0,4,11,0,1,12,7,0,0,2,14,5,10,12,0,"
        + "0,0,0,6,13,10,0,0,0\n");
    assertThat(PredictJob.run(out, input.toString(), dir.resolve("rows-out.csv").toString(),
        null, false, false, CONF)).isEqualTo(1);
    assertThat(Files.readAllLines(dir.resolve("rows-out.csv")).get(1)).startsWith("0,");
    SparktrainClassificationModel ml = SparktrainClassificationModel.fromModel(out);
    double[] pixels = Arrays.stream(Files.readString(input).trim().split(","))
        .mapToDouble(Double::parseDouble).toArray();
    assertThat(ml.predict(Vectors.dense(pixels))).isEqualTo(0.0);
  }

  @Test
  @SuppressWarnings("unchecked")
  void pruningZeroesExactlyTheShareOfWeightsAndNothingElse() throws IOException {
    String out = dir.resolve("pruned").toUri().toString();
    Map<String, Object> summary = CompressJob.run(model, out,
        new CompressJob.Options(CompressJob.Method.PRUNE, 0.5, true), onDigits(), CONF);

    Network original = ModelBundle.load(model, CONF).network();
    Network pruned = ModelBundle.load(out, CONF).network();
    for (int l = 0; l < original.layerParams().size(); l++) {
      Network.LayerParams before = original.layerParams().get(l);
      Network.LayerParams after = pruned.layerParams().get(l);
      float[] w = after.params().get("W").dup('c').data().asFloat();
      long zeros = 0;
      for (float v : w) {
        zeros += v == 0f ? 1 : 0;
      }
      // Per layer: half of every layer's weights, rounded down.
      assertThat(zeros).as("layer %s", before.layer()).isEqualTo(w.length / 2);
      assertThat(after.params().get("b").dup('c').data().asFloat())
          .containsExactly(before.params().get("b").dup('c').data().asFloat());
      // The survivors are the larger half, unchanged.
      float[] original_ = before.params().get("W").dup('c').data().asFloat();
      float smallestKept = Float.MAX_VALUE;
      float largestPruned = 0;
      for (int i = 0; i < w.length; i++) {
        if (w[i] == 0f) {
          largestPruned = Math.max(largestPruned, Math.abs(original_[i]));
        } else {
          assertThat(w[i]).isEqualTo(original_[i]);
          smallestKept = Math.min(smallestKept, Math.abs(w[i]));
        }
      }
      assertThat(largestPruned).isLessThanOrEqualTo(smallestKept);
    }
    Map<String, Object> pruning = (Map<String, Object>) summary.get("pruning");
    assertThat(pruning).containsEntry("scope", "perLayer");
    assertThat((double) pruning.get("sparsity")).isCloseTo(0.5, within(0.001));
    assertThat(((Map<String, Double>) summary.get("change")).get("accuracy"))
        .isGreaterThan(-0.05);
  }

  @Test
  @SuppressWarnings("unchecked")
  void fineTuningAPrunedModelKeepsItsZerosAndWinsBackAccuracy() throws IOException {
    String pruned = dir.resolve("pruned80").toUri().toString();
    Map<String, Object> summary = CompressJob.run(model, pruned,
        new CompressJob.Options(CompressJob.Method.PRUNE, 0.8, false), onDigits(), CONF);
    double prunedAccuracy = (double) ((Map<String, Object>) summary.get("after"))
        .get("accuracy");

    TrainJob.Result tuned = TrainJob.run(SC, digitsSpec("tuned", 2,
        ", init: {model: '" + pruned + "', keepZeros: true}"), false);

    Network before = ModelBundle.load(pruned, CONF).network();
    Network after = tuned.model().network();
    long zeros = 0;
    long moved = 0;
    for (int l = 0; l < before.layerParams().size(); l++) {
      Network.LayerParams p = before.layerParams().get(l);
      for (String key : p.params().keySet()) {
        float[] was = p.params().get(key).dup('c').data().asFloat();
        float[] now = after.layerParams().get(l).params().get(key).dup('c').data().asFloat();
        for (int i = 0; i < was.length; i++) {
          if (p.isWeight(key) && was[i] == 0f) {
            assertThat(now[i]).as("pruned weight %s/%s[%d]", p.layer(), key, i).isZero();
            zeros++;
          } else if (now[i] != was[i]) {
            moved++;
          }
        }
      }
    }
    assertThat(zeros).isEqualTo(((Map<String, Object>) summary.get("pruning")).get("zeroed"));
    assertThat(moved).isPositive();
    double tunedAccuracy = (double) onDigits().metrics(dir.resolve("tuned/model").toUri()
        .toString()).get("accuracy");
    assertThat(tunedAccuracy).isGreaterThan(prunedAccuracy + 0.05);
    // Without keepZeros the same run fills the zeros in.
    TrainJob.Result free = TrainJob.run(SC, digitsSpec("free", 1,
        ", init: {model: '" + pruned + "'}"), false);
    float[] firstLayer = free.model().network().layerParams().get(0).params().get("W")
        .dup('c').data().asFloat();
    long stillZero = 0;
    for (float v : firstLayer) {
      stillZero += v == 0f ? 1 : 0;
    }
    long prunedInFirstLayer = 0;
    for (float v : before.layerParams().get(0).params().get("W").dup('c').data().asFloat()) {
      prunedInFirstLayer += v == 0f ? 1 : 0;
    }
    // Only the weights of pixels that are always blank (no gradient ever) stay zero.
    assertThat(stillZero).isLessThan(prunedInFirstLayer / 10);
  }

  @Test
  void misuseIsRefusedNamingWhatIsWrong() throws IOException {
    Files.createDirectories(dir.resolve("taken"));
    Files.writeString(dir.resolve("taken/keep.txt"), "mine");
    assertThatThrownBy(() -> CompressJob.run(model, dir.resolve("taken").toUri().toString(),
        new CompressJob.Options(CompressJob.Method.INT8, 0, false), null, CONF))
        .hasMessageContaining("taken").hasMessageContaining("exists and is not empty");
    assertThatThrownBy(() -> CompressJob.run(model, dir.resolve("p100").toUri().toString(),
        new CompressJob.Options(CompressJob.Method.PRUNE, 1.0, false), null, CONF))
        .hasMessageContaining("--sparsity must be at least 0 and below 1, got 1.0");
    assertThatThrownBy(() -> CompressJob.Method.parse("fp4"))
        .hasMessageContaining("'fp4' is not allowed (must be int8 or prune)");
    assertThat(Files.readString(dir.resolve("taken/keep.txt"))).isEqualTo("mine");
    // train.init: the spec's model must be the saved model's architecture.
    JobSpec narrower = JobSpecParser.parse("data: {uri: '" + TestData.digits()
        + "', numClasses: 10}\nmodel: {name: mlp, hidden: [32]}\n"
        + "train: {epochs: 1, workers: 2, init: {model: '" + model + "'}}\n"
        + "output: {dir: '" + dir.resolve("other") + "'}\n", null);
    assertThatThrownBy(() -> TrainJob.run(SC, narrower, false))
        .hasMessageContaining("train.init.model: " + model + " is another architecture");
    assertThat(List.of(Files.list(dir.resolve("taken")).toArray())).hasSize(1);
  }
}
