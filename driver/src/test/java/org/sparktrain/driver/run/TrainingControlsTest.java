package org.sparktrain.driver.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.checkpoint.CheckpointContent;
import org.sparktrain.driver.checkpoint.CheckpointInfo;
import org.sparktrain.driver.checkpoint.CheckpointStore;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.driver.testing.TestData;
import org.sparktrain.driver.output.RoundMetrics;

/**
 * The training controls of issue 10 across the whole job: early stopping ends the run and makes
 * the best validated parameters the model; the outer optimizer's momentum, the learning-rate
 * schedule and the early-stopping state all continue exactly after a resume.
 */
class TrainingControlsTest {
  private final JavaSparkContext sc = SharedSpark.context();
  @TempDir
  Path dir;

  private JobSpec spec(String run, String train) throws IOException {
    Path data = dir.resolve("blobs.csv");
    if (!Files.exists(data)) {
      TestData.write(dir, "blobs.csv", TestData.blobsCsv(300, 6, 3, 21));
    }
    return JobSpecParser.parse("data: {uri: '" + data + "', numClasses: 3, "
        + "split: {train: 0.7, validation: 0.15, test: 0.15}}\n"
        + "model: {name: mlp, hidden: [16]}\n"
        + "train: {epochs: 4, batchSize: 8, workers: 2, averagingFrequency: 3, seed: 9, "
        + "threadsPerWorker: 1, " + train + "}\n"
        + "eval: {validateEveryRounds: 2}\n"
        + "checkpoint: {everyRounds: 1, keepLast: 1000}\n"
        + "output: {dir: '" + dir.resolve(run) + "'}\n", null);
  }

  @Test
  @SuppressWarnings("unchecked")
  void earlyStoppingEndsTheRunAndTheBestValidationBecomesTheModel() throws IOException {
    // minDelta 0.5 in accuracy: only the first validation (after round 1) is an improvement; the
    // two after it are not, so the run stops after round 5.
    JobSpec spec = spec("stop", "optimizer: {name: adam, learningRate: 0.01}, "
        + "earlyStopping: {metric: accuracy, patience: 2, minDelta: 0.5}");
    TrainJob.Result r = TrainJob.run(sc, spec, false);
    List<RoundMetrics> history = r.model().history();
    assertThat(history).hasSize(6);
    Map<String, Object> stopping = (Map<String, Object>) r.summary().get("earlyStopping");
    assertThat(stopping).containsEntry("bestRound", 1L).containsEntry("stoppedAfterRound", 5L)
        .containsEntry("best", history.get(1).validation().get("accuracy"));
    // The model and the test metrics are round 1's parameters, not the last round's. (Round 1's
    // own checkpoint may have been superseded by a newer one while round 0's was written; every
    // checkpoint after it carries the best parameters.)
    CheckpointStore store = new CheckpointStore(dir.resolve("stop").toUri().toString(),
        new Configuration());
    float[] round1 = store.load(5).best().params();
    assertThat(store.load(5).best().round()).isEqualTo(1L);
    assertThat(r.model().params()).containsExactly(round1);
    assertThat(r.model().network().params().toFloatVector()).containsExactly(round1);
    assertThat(r.model().finalProgress().snapshot().params()).isNotEqualTo(round1);

    // Running the spec again resumes at the end: it stops at once with the same model.
    TrainJob.Result again = TrainJob.run(sc, spec, false);
    assertThat(again.summary().get("resumedFromRound")).isEqualTo(5L);
    assertThat(again.model().history()).hasSize(6);
    assertThat(again.model().params()).containsExactly(round1);
    assertThat(((Map<String, Object>) again.summary().get("test")).get("accuracy"))
        .isEqualTo(((Map<String, Object>) r.summary().get("test")).get("accuracy"));
  }

  @Test
  void outerMomentumScheduleAndBestParametersResumeExactly() throws IOException {
    // Patience too long to stop: the best parameters are tracked and checkpointed all along.
    String train = "optimizer: {name: adam, learningRate: 0.01, warmupSteps: 4, "
        + "decay: cosine, minLearningRate: 0.001}, "
        + "outer: {name: nesterov, learningRate: 0.8, momentum: 0.9}, "
        + "earlyStopping: {metric: macroF1, patience: 100}";
    TrainJob.Result full = TrainJob.run(sc, spec("full", train), false);
    List<CheckpointInfo> written = new CheckpointStore(dir.resolve("full").toUri().toString(),
        new Configuration()).list();
    long rounds = full.model().history().size();
    CheckpointInfo middle = written.get(written.size() / 2);
    assertThat(middle.round()).isBetween(1L, rounds - 2);
    CheckpointContent saved = new CheckpointStore(dir.resolve("full").toUri().toString(),
        new Configuration()).load(middle.round());
    assertThat(saved.snapshot().outerMomentum()).hasSameSizeAs(saved.snapshot().params());
    assertThat(saved.best()).isNotNull();

    String name = String.format("round-%06d", middle.round());
    TestData.copyFolder(dir.resolve("full/checkpoints").resolve(name),
        dir.resolve("partial/checkpoints").resolve(name));
    TrainJob.Result resumed = TrainJob.run(sc, spec("partial", train), false, true);
    assertThat(resumed.summary().get("resumedFromRound")).isEqualTo(middle.round());
    assertThat(resumed.model().params()).containsExactly(full.model().params());
    assertThat(resumed.model().finalProgress().snapshot().outerMomentum())
        .containsExactly(full.model().finalProgress().snapshot().outerMomentum());
    assertThat(resumed.summary().get("earlyStopping"))
        .isEqualTo(full.summary().get("earlyStopping"));
    assertThat(resumed.summary().get("finalTrainLoss"))
        .isEqualTo(full.summary().get("finalTrainLoss"));
  }
}
