package org.sparktrain.driver.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.checkpoint.CheckpointException;
import org.sparktrain.driver.output.RunDirectory;
import org.sparktrain.driver.output.RunDirectoryException;
import org.sparktrain.driver.output.RunLease;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.spec.SpecYaml;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.driver.testing.TestData;

/** A run never writes over another run's directory unless told to. */
class RunDirectorySafetyTest {
  private final JavaSparkContext sc = SharedSpark.context();
  @TempDir
  Path dir;

  private JobSpec spec(String run, double learningRate) throws IOException {
    Path data = dir.resolve("blobs.csv");
    if (!Files.exists(data)) {
      TestData.write(dir, "blobs.csv", TestData.blobsCsv(120, 4, 3, 5));
    }
    return JobSpecParser.parse("data: {uri: '" + data + "', numClasses: 3}\n"
        + "model: {name: mlp, hidden: [8]}\n"
        + "train: {epochs: 1, batchSize: 16, workers: 2, threadsPerWorker: 1, optimizer: "
        + "{name: sgd, learningRate: " + learningRate + "}}\n"
        + "output: {dir: '" + dir.resolve(run) + "'}\n", null);
  }

  private static TrainJob.Options overwrite() {
    return new TrainJob.Options(false, false, true);
  }

  private static void deleteCheckpoints(Path run) throws IOException {
    FileSystem.getLocal(new Configuration()).delete(
        new org.apache.hadoop.fs.Path(run.resolve("checkpoints").toUri()), true);
  }

  @Test
  void aRunIntoADirectoryAnotherRunHolds_isRefusedNamingThatRun() throws IOException {
    Path run = Files.createDirectories(dir.resolve("busy"));
    FileSystem fs = FileSystem.getLocal(new Configuration());
    try (RunLease other = RunLease.acquire(fs, new org.apache.hadoop.fs.Path(run.toUri()),
        w -> { })) {
      assertThatThrownBy(() -> TrainJob.run(sc, spec("busy", 0.1), false))
          .isInstanceOf(RunDirectoryException.class)
          .hasMessageContaining("is in use by another run: run " + other.runId())
          .hasMessageContaining("last heartbeat");
      assertThat(run.resolve(RunDirectory.SPEC)).doesNotExist();
    }
    // Once that run has ended, the directory is free, and this run gives the lease back too.
    TrainJob.run(sc, spec("busy", 0.1), false);
    assertThat(run.resolve(RunLease.FILE)).doesNotExist();
  }

  @Test
  void aLeaseNoLongerRenewed_orLeftByADeadProcessHere_isTakenOver() throws IOException,
      InterruptedException {
    Path stale = Files.createDirectories(dir.resolve("stale"));
    Files.writeString(stale.resolve(RunLease.FILE), "{\"runId\": \"crashed\", \"host\": "
        + "\"elsewhere\", \"pid\": 1, \"heartbeatMillis\": "
        + (System.currentTimeMillis() - 10 * 60_000) + "}");
    TrainJob.run(sc, spec("stale", 0.1), false);
    assertThat(stale.resolve(RunDirectory.SUMMARY)).exists();

    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Path dead = Files.createDirectories(dir.resolve("dead"));
    Files.writeString(dead.resolve(RunLease.FILE), "{\"runId\": \"killed\", \"host\": \""
        + InetAddress.getLocalHost().getHostName() + "\", \"pid\": " + gone.pid()
        + ", \"heartbeatMillis\": " + System.currentTimeMillis() + "}");
    TrainJob.run(sc, spec("dead", 0.1), false);
    assertThat(dead.resolve(RunDirectory.SUMMARY)).exists();
  }

  @Test
  void anotherSpecIntoADirectoryItCannotResumeFrom_isRefusedUnlessOverwriting()
      throws IOException {
    Path run = dir.resolve("taken");
    TrainJob.run(sc, spec("taken", 0.1), false);
    String specBefore = Files.readString(run.resolve(RunDirectory.SPEC));
    byte[] modelBefore = Files.readAllBytes(run.resolve("model/model.zip"));

    // With its checkpoint: refused by the spec check, which now names the way out.
    assertThatThrownBy(() -> TrainJob.run(sc, spec("taken", 0.5), false))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("optimizer")
        .hasMessageContaining("--overwrite");
    // Without one, nothing used to stop it from replacing spec, metrics, summary and model.
    deleteCheckpoints(run);
    assertThatThrownBy(() -> TrainJob.run(sc, spec("taken", 0.5), false))
        .isInstanceOf(RunDirectoryException.class)
        .hasMessageContaining("holds the outputs of a run of another spec (spec.yaml, "
            + "metrics.jsonl, summary.json, report.html, model)")
        .hasMessageContaining("--overwrite");
    assertThat(Files.readString(run.resolve(RunDirectory.SPEC))).isEqualTo(specBefore);
    assertThat(Files.readAllBytes(run.resolve("model/model.zip"))).isEqualTo(modelBefore);

    TrainJob.Result replaced = TrainJob.run(sc, spec("taken", 0.5), overwrite());
    assertThat(replaced.summary().get("resumedFromRound")).isNull();
    assertThat(Files.readString(run.resolve(RunDirectory.SPEC))).contains("0.5")
        .isNotEqualTo(specBefore);
  }

  @Test
  void theSameSpecRerunResumes_orStartsOverOnlyWhereNothingFinishedIsLost() throws IOException {
    Path run = dir.resolve("same");
    TrainJob.run(sc, spec("same", 0.1), false);
    // Its final checkpoint: a rerun resumes from it (what a Kubernetes restart relies on).
    assertThat(TrainJob.run(sc, spec("same", 0.1), false).summary().get("resumedFromRound"))
        .isNotNull();

    // A finished run without checkpoints would lose its model: refused.
    deleteCheckpoints(run);
    assertThatThrownBy(() -> TrainJob.run(sc, spec("same", 0.1), false))
        .hasMessageContaining("holds the outputs of a finished run of this spec");

    // An attempt that died before its first checkpoint left only its spec and metrics: the same
    // spec starts over.
    Path died = Files.createDirectories(dir.resolve("died"));
    Files.writeString(died.resolve(RunDirectory.SPEC), SpecYaml.write(spec("died", 0.1)));
    Files.writeString(died.resolve(RunDirectory.METRICS), "{\"round\": 0}\n");
    TrainJob.run(sc, spec("died", 0.1), false);
    assertThat(died.resolve(RunDirectory.SUMMARY)).exists();
  }

  @Test
  void resumeAndOverwriteTogetherAreRefused() {
    assertThatThrownBy(() -> TrainJob.run(sc, spec("both", 0.1),
        new TrainJob.Options(false, true, true)))
        .hasMessageContaining("--resume and --overwrite contradict each other");
  }
}
