package org.sparktrain.driver.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.driver.testing.TestData;

/** Exact resume on file://; HDFS and S3 in integration-tests. */
class ResumeTest {
  private final JavaSparkContext sc = SharedSpark.context();
  @TempDir
  Path dir;

  private JobSpec spec(String run, String checkpoint, String optimizer) throws IOException {
    Path data = dir.resolve("blobs.csv");
    if (!Files.exists(data)) {
      TestData.write(dir, "blobs.csv", TestData.blobsCsv(300, 6, 3, 21));
    }
    return JobSpecParser.parse("data: {uri: '" + data + "', numClasses: 3}\n"
        + "model: {name: mlp, hidden: [16], dropout: 0.1}\n"
        + "train: {epochs: 4, batchSize: 8, workers: 2, averagingFrequency: 3, optimizer: "
        + optimizer + ", averageOptimizerState: false}\n"
        + "checkpoint: " + checkpoint + "\n"
        + "output: {dir: '" + dir.resolve(run) + "'}\n", null);
  }

  private static float[] params(TrainJob.Result r) {
    return r.model().network().params().toFloatVector();
  }

  @Test
  void resumedRunEndsWithExactlyTheParametersOfAnUninterruptedOne() throws IOException {
    String everyRound = "{everyRounds: 1, keepLast: 1000}";
    JobSpec full = spec("full", everyRound, "{name: adam}");
    TrainJob.Result uninterrupted = TrainJob.run(sc, full, false);
    long rounds = uninterrupted.model().history().size();

    // "Stop" after a middle round: a run directory holding only that round's checkpoint.
    // (Checkpoints falling due while one is written are superseded, so pick one that exists.)
    List<CheckpointInfo> written = new CheckpointStore(dir.resolve("full").toUri().toString(),
        new Configuration()).list();
    CheckpointInfo middle = written.get(written.size() / 2);
    assertThat(middle.round()).isLessThan(rounds - 1);
    String name = String.format("round-%06d", middle.round());
    Path partial = dir.resolve("partial/checkpoints");
    Files.createDirectories(partial);
    TestData.copyFolder(dir.resolve("full/checkpoints").resolve(name), partial.resolve(name));
    TrainJob.Result resumed = TrainJob.run(sc, spec("partial", everyRound, "{name: adam}"),
        false, true);

    assertThat(resumed.summary().get("resumedFromRound")).isEqualTo(middle.round());
    assertThat(params(resumed)).containsExactly(params(uninterrupted));
    assertThat(resumed.model().history()).hasSize((int) rounds);
    assertThat(Files.readAllLines(dir.resolve("partial/metrics.jsonl"))).hasSize((int) rounds);
    assertThat(resumed.summary().get("finalTrainLoss"))
        .isEqualTo(uninterrupted.summary().get("finalTrainLoss"));
  }

  @Test
  void rerunningAFinishedRunResumesAtTheEndAndChangesNothing() throws IOException {
    JobSpec spec = spec("done", "{everyEpoch: true}", "{name: nesterov}");
    float[] first = params(TrainJob.run(sc, spec, false));
    TrainJob.Result again = TrainJob.run(sc, spec, false);
    assertThat(params(again)).containsExactly(first);
    assertThat(again.summary().get("resumedFromRound")).isNotNull();
  }

  @Test
  void aSpecThatChangesTheResultIsRefusedListingTheKeys() throws IOException {
    TrainJob.run(sc, spec("refuse", "{everyEpoch: true}", "{name: adam}"), false);
    JobSpec changed = spec("refuse", "{everyEpoch: true, keepLast: 5}",
        "{name: adam, learningRate: 0.01}");
    assertThatThrownBy(() -> TrainJob.run(sc, changed, false))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("train.optimizer.learningRate (checkpoint: 0.001, now: 0.01)")
        .hasMessageContaining("write to a new output.dir");
  }

  @Test
  void resumeFlagWithoutCheckpointsFails() throws IOException {
    assertThatThrownBy(() -> TrainJob.run(sc, spec("none", "{}", "{name: adam}"), false, true))
        .hasMessageContaining("--resume: no valid checkpoint in");
  }

  @Test
  @SuppressWarnings("unchecked")
  void keepsTheLastKPlusTheBest() throws IOException {
    TrainJob.Result r = TrainJob.run(sc, spec("keep",
        "{everyRounds: 2, keepLast: 2, keepBestBy: accuracy}", "{name: adam}"), false);
    List<CheckpointInfo> left = new CheckpointStore(dir.resolve("keep").toUri().toString(),
        new Configuration()).list();
    assertThat(left).allMatch(CheckpointInfo::valid);
    assertThat(left.size()).isBetween(2, 3);
    long last = r.model().history().size() - 1;
    assertThat(left.get(0).round()).isEqualTo(last);
    Map<String, Object> summary = (Map<String, Object>) r.summary().get("checkpoints");
    assertThat((Integer) summary.get("written")).isGreaterThanOrEqualTo(2);
    assertThat(summary.get("failed")).isEqualTo(0);
  }

  @Test
  void checkpointsByElapsedTime() throws IOException {
    // 0.0005 minutes = 30 ms: several rounds of this run are further apart than that.
    TrainJob.run(sc, spec("timed", "{everyEpoch: false, everyMinutes: 0.0005, keepLast: 1000}",
        "{name: adam}"), false);
    List<CheckpointInfo> written = new CheckpointStore(dir.resolve("timed").toUri().toString(),
        new Configuration()).list();
    assertThat(written.size()).isGreaterThanOrEqualTo(2);
    assertThat(written).allMatch(CheckpointInfo::valid);
  }

  @Test
  void aCheckpointThatCannotBeWrittenStopsTrainingWhenTheSpecSaysSo() throws IOException {
    Files.createDirectories(dir.resolve("blocked"));
    Files.writeString(dir.resolve("blocked/checkpoints"), "a file where the folder should be");
    assertThatThrownBy(() -> TrainJob.run(sc, spec("blocked",
        "{everyRounds: 1, retries: 1, retryBackoffMs: 5, onWriteFailure: stop}",
        "{name: adam}"), false))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("could not be written after 2 attempts")
        .hasMessageContaining("training stopped (checkpoint.onWriteFailure: stop)");
  }

  @Test
  @SuppressWarnings("unchecked")
  void aCheckpointThatCannotBeWrittenIsReportedAndTrainingGoesOn() throws IOException {
    Files.createDirectories(dir.resolve("goes-on"));
    Files.writeString(dir.resolve("goes-on/checkpoints"), "a file where the folder should be");
    TrainJob.Result r = TrainJob.run(sc, spec("goes-on",
        "{everyEpoch: true, retries: 1, retryBackoffMs: 5, onWriteFailure: continue}",
        "{name: adam}"), false);
    Map<String, Object> summary = (Map<String, Object>) r.summary().get("checkpoints");
    assertThat((Integer) summary.get("failed")).isGreaterThan(0);
    assertThat(summary.get("written")).isEqualTo(0);
  }
}
