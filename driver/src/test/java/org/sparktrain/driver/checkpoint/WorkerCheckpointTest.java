package org.sparktrain.driver.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.driver.testing.TestData;

/**
 * Checkpoints of a collective run are written by the workers (their slices of parameters and
 * optimizer state) and committed by the driver's manifest: they hold exactly what the driver
 * strategy's checkpoints hold, and a run resumed from one ends as an uninterrupted run.
 */
class WorkerCheckpointTest {
  private final JavaSparkContext sc = SharedSpark.context();
  @TempDir
  Path dir;

  private JobSpec spec(String run, String sync, boolean averageState) throws IOException {
    Path data = dir.resolve("blobs.csv");
    if (!Files.exists(data)) {
      TestData.write(dir, "blobs.csv", TestData.blobsCsv(300, 6, 3, 23));
    }
    return JobSpecParser.parse("data: {uri: '" + data + "', numClasses: 3}\n"
        + "model: {name: mlp, hidden: [16], dropout: 0.1}\n"
        + "train: {epochs: 3, batchSize: 8, workers: 2, averagingFrequency: 3, seed: 2, "
        + "sync: " + sync + ", averageOptimizerState: " + averageState + ", "
        + "threadsPerWorker: 1, optimizer: {name: adam}}\n"
        + "checkpoint: {everyRounds: 4, keepLast: 1000}\n"
        + "output: {dir: '" + dir.resolve(run) + "'}\n", null);
  }

  private CheckpointStore store(String run) throws IOException {
    return new CheckpointStore(dir.resolve(run).toUri().toString(), new Configuration());
  }

  private static List<String> files(Path folder) throws IOException {
    try (Stream<Path> s = Files.list(folder)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).sorted()
          .toList();
    }
  }

  @Test
  void workersWriteTheSlicesAndTheCheckpointEqualsTheDriversOwn() throws IOException {
    for (boolean averageState : new boolean[] {true, false}) {
      String suffix = averageState ? "-shared" : "-own";
      TrainJob.run(sc, spec("driver" + suffix, "driver", averageState), false);
      TrainJob.run(sc, spec("collective" + suffix, "collective", averageState), false);
      List<CheckpointInfo> driverWritten = store("driver" + suffix).list();
      List<CheckpointInfo> workerWritten = store("collective" + suffix).list();
      assertThat(workerWritten).isNotEmpty().allMatch(CheckpointInfo::valid);
      // A checkpoint that falls due while one is written may be superseded, differently in the
      // two runs: compare the rounds both kept.
      List<Long> driverRounds = driverWritten.stream().map(CheckpointInfo::round).toList();
      List<CheckpointInfo> common = workerWritten.stream()
          .filter(i -> driverRounds.contains(i.round())).toList();
      assertThat(common).isNotEmpty();
      for (CheckpointInfo info : common) {
        List<String> names = files(Path.of(URI.create(info.path())));
        assertThat(names).contains("params.part-00000.bin", "params.part-00001.bin",
            averageState ? "optimizer-state.part-00001.bin" : "optimizer-state.worker-00001.bin")
            .doesNotContain("params.bin", "optimizer-state.bin");
        CheckpointContent byWorkers = store("collective" + suffix).load(info.round());
        CheckpointContent byDriver = store("driver" + suffix).load(info.round());
        assertThat(byWorkers.snapshot().params()).containsExactly(byDriver.snapshot().params());
        assertThat(byWorkers.snapshot().optimizerStates())
            .isDeepEqualTo(byDriver.snapshot().optimizerStates());
        assertThat(byWorkers.snapshot().iteration()).isEqualTo(byDriver.snapshot().iteration());
      }
    }
  }

  @Test
  void aRunResumedFromAWorkerWrittenCheckpointEndsAsAnUninterruptedOne() throws IOException {
    TrainJob.Result full = TrainJob.run(sc, spec("full", "collective", true), false);
    List<CheckpointInfo> written = store("full").list();
    CheckpointInfo middle = written.get(written.size() / 2);
    assertThat(middle.round()).isLessThan(full.model().history().size() - 1);
    String name = String.format("round-%06d", middle.round());
    TestData.copyFolder(dir.resolve("full/checkpoints").resolve(name),
        dir.resolve("partial/checkpoints").resolve(name));
    TrainJob.Result resumed = TrainJob.run(sc, spec("partial", "collective", true), false,
        true);
    assertThat(resumed.summary().get("resumedFromRound")).isEqualTo(middle.round());
    assertThat(resumed.model().params()).containsExactly(full.model().params());
    assertThat(resumed.model().finalProgress().snapshot().optimizerStates())
        .isDeepEqualTo(full.model().finalProgress().snapshot().optimizerStates());
  }

  @Test
  void workersWriteOnlyWhereTheyReachTheStore() {
    assertThat(TrainJob.workersReach("hdfs://nn:8020/runs/a/checkpoints", "yarn")).isTrue();
    assertThat(TrainJob.workersReach("s3a://bucket/runs/checkpoints", "k8s://x")).isTrue();
    assertThat(TrainJob.workersReach("file:/runs/a/checkpoints", "local[2]")).isTrue();
    assertThat(TrainJob.workersReach("file:/runs/a/checkpoints",
        "local-cluster[2,1,1024]")).isTrue();
    assertThat(TrainJob.workersReach("file:/runs/a/checkpoints", "spark://m:7077")).isFalse();
  }
}
