package org.sparktrain.driver.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparktrain.driver.data.DataPreparation;
import org.sparktrain.driver.data.PreparedData;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.spec.SpecException;
import org.sparktrain.driver.spec.SpecYaml;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.driver.testing.TestData;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.train.NativeArrays;

/**
 * Distillation on Spark with the digits: the teacher's soft targets sit beside the right rows
 * (whatever normalization the student's spec asks for), alpha 0 trains exactly the labels-only
 * student, and a teacher that cannot teach this data is refused with the key that names it.
 */
class DistillationTest {
  private static final JavaSparkContext SC = SharedSpark.context();
  private static final Configuration CONF = new Configuration();
  @TempDir
  static Path dir;
  private static String teacher;

  @BeforeAll
  static void trainTheTeacher() throws IOException {
    TrainJob.run(SC, spec("teacher", "mlp, hidden: [128, 64]", "", ""), false);
    teacher = dir.resolve("teacher/model").toString();
  }

  private static JobSpec spec(String run, String model, String train, String preprocess) {
    return JobSpecParser.parse("data: {uri: '" + TestData.digits()
        + "', numClasses: 10, split: {train: 0.8, validation: 0.05, test: 0.15}}\n"
        + (preprocess.isEmpty() ? "" : "preprocess: {" + preprocess + "}\n")
        + "model: {name: " + model + "}\n"
        + "train: {epochs: 5, batchSize: 16, workers: 2, threadsPerWorker: 1, "
        + "optimizer: {name: adam, learningRate: 0.003}" + train + "}\n"
        + "output: {dir: '" + dir.resolve(run) + "'}\n", null);
  }

  private static String student() {
    return "mlp, hidden: [24], teacher: '" + teacher + "'";
  }

  private static String distillation(double temperature, double alpha) {
    return ", distillation: {temperature: " + temperature + ", alpha: " + alpha + "}";
  }

  @Test
  void softTargetsAreTheTeachersProbabilitiesOfTheSameRows() throws IOException {
    JobSpec spec = spec("targets", student(), distillation(1, 1), "");
    PreparedData data = DataPreparation.prepare(SC, spec, DataPreparation.Selection.SPEC_SPLIT);
    try {
      List<ExampleBlock> shards = TeacherTargets.attach(SC, data, spec.train().distillation(), 1)
          .collect();
      ModelBundle bundle = ModelBundle.load(teacher, CONF);
      assertThat(bundle.normalizer().shift()).containsExactly(data.normalizer().shift());
      for (ExampleBlock shard : shards) {
        assertThat(shard.softTargets()).hasSize(shard.rows() * 10);
        // At temperature 1 the soft targets are the teacher's own probabilities.
        INDArray p = bundle.network().output(NativeArrays.fromFloats(shard.features(),
            shard.rows(), shard.width()));
        float[] expected = NativeArrays.toFloats(p);
        for (int i = 0; i < expected.length; i++) {
          assertThat(shard.softTargets()[i]).isCloseTo(expected[i], within(1e-5f));
        }
      }
    } finally {
      data.release();
    }
  }

  @Test
  void aStudentNormalizingOtherwiseStillGetsTheTeachersAnswersAtItsTemperature()
      throws IOException {
    JobSpec spec = spec("minmax", student(), distillation(5, 0.5), "normalize: minmax");
    PreparedData data = DataPreparation.prepare(SC, spec, DataPreparation.Selection.SPEC_SPLIT);
    try {
      List<ExampleBlock> hot = TeacherTargets.attach(SC, data,
          new JobSpec.Distillation(spec.train().distillation().teacher(), 1, 0.5), 1).collect();
      List<ExampleBlock> soft = TeacherTargets.attach(SC, data, spec.train().distillation(), 1)
          .collect();
      long rows = 0;
      long agree = 0;
      double hotMax = 0;
      double softMax = 0;
      for (int s = 0; s < soft.size(); s++) {
        ExampleBlock shard = soft.get(s);
        for (int r = 0; r < shard.rows(); r++) {
          int best = argmax(shard.softTargets(), r);
          double sum = 0;
          for (int c = 0; c < 10; c++) {
            sum += shard.softTargets()[r * 10 + c];
          }
          assertThat(sum).isCloseTo(1.0, within(1e-5));
          // Softening keeps the teacher's ranking and lowers its confidence.
          assertThat(best).isEqualTo(argmax(hot.get(s).softTargets(), r));
          softMax += shard.softTargets()[r * 10 + best];
          hotMax += hot.get(s).softTargets()[r * 10 + best];
          agree += best == (int) shard.labels()[r] ? 1 : 0;
          rows++;
        }
      }
      // The teacher learned its training rows; misaligned rows or inputs would agree ~10%.
      assertThat((double) agree / rows).isGreaterThan(0.9);
      assertThat(softMax / rows).isLessThan(hotMax / rows - 0.05);
    } finally {
      data.release();
    }
  }

  private static int argmax(float[] targets, int row) {
    int best = 0;
    for (int c = 1; c < 10; c++) {
      best = targets[row * 10 + c] > targets[row * 10 + best] ? c : best;
    }
    return best;
  }

  @Test
  void alphaZeroTrainsExactlyTheLabelsOnlyStudentAndADistilledOneLearns() throws IOException {
    TrainJob.Result plain = TrainJob.run(SC, spec("plain", "mlp, hidden: [24]", "", ""), false);
    TrainJob.Result zero = TrainJob.run(SC, spec("alpha0", student(), distillation(3, 0),
        ""), false);
    assertThat(zero.model().params()).containsExactly(plain.model().params());

    TrainJob.Result distilled = TrainJob.run(SC, spec("distilled", student(),
        distillation(3, 0.7), ""), false);
    assertThat(distilled.model().params()).isNotEqualTo(plain.model().params());
    assertThat(distilled.test().scalars().get("accuracy")).isGreaterThan(0.85);
    // The saved student scores plain labels (predict, evaluate) like any classifier.
    assertThat(ModelBundle.load(dir.resolve("distilled/model").toString(), CONF).numClasses())
        .isEqualTo(10);
  }

  @Test
  void theSpecSaysWhatDistillationNeeds() {
    JobSpec spec = spec("yaml", student(), distillation(2, 0.5), "");
    assertThat(JobSpecParser.parse(SpecYaml.write(spec), null).toMap()).isEqualTo(spec.toMap());
    assertThat(spec.train().distillation().teacher()).endsWith("teacher/model/");

    JobSpec defaults = spec("defaults", student(), "", "");
    assertThat(defaults.train().distillation().temperature()).isEqualTo(4);
    assertThat(defaults.train().distillation().alpha()).isEqualTo(0.7);

    assertThatThrownBy(() -> spec("x", "mlp", distillation(2, 0.5), ""))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("train.distillation needs model.teacher");
    assertThatThrownBy(() -> spec("x", student(), distillation(0, 0.5), ""))
        .hasMessageContaining("train.distillation.temperature: 0.0 is not allowed");
    assertThatThrownBy(() -> spec("x", student(), distillation(2, 1.5), ""))
        .hasMessageContaining("train.distillation.alpha: 1.5 is not allowed");
    assertThatThrownBy(() -> spec("x", "mlp, task: regression, teacher: '" + teacher + "'", "",
        "")).hasMessageContaining("model.teacher: distillation is for classifiers");
  }

  @Test
  void aTeacherThatCannotTeachThisDataIsRefusedBeforeTheFirstRound() throws IOException {
    assertThatThrownBy(() -> TrainJob.run(SC, spec("missing",
        "mlp, hidden: [24], teacher: '" + dir.resolve("nowhere") + "'", "", ""), false))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("model.teacher: ")
        .hasMessageContaining("nowhere");
    // A teacher of 3 features cannot read the digits' 64.
    Path blobs = TestData.write(dir, "blobs.csv", TestData.blobsCsv(200, 3, 10, 3));
    TrainJob.run(SC, JobSpecParser.parse("data: {uri: '" + blobs + "', numClasses: 10}\n"
        + "model: {name: mlp, hidden: [8]}\n"
        + "train: {epochs: 1, workers: 2, threadsPerWorker: 1}\n"
        + "output: {dir: '" + dir.resolve("blobs") + "'}\n", null), false);
    assertThatThrownBy(() -> TrainJob.run(SC, spec("wrong", "mlp, hidden: [24], teacher: '"
        + dir.resolve("blobs/model") + "'", "", ""), false))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("reads 3 features, this run's data has 64");
  }
}
