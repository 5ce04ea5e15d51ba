package org.sparktrain.driver.train.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpec.SyncMode;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.spec.SpecException;
import org.sparktrain.driver.spec.SpecYaml;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.testing.SharedSpark;

class SyncChoiceTest {
  private static final String MINIMAL = "data: {uri: x.csv, numClasses: 10}\nmodel: {name: mlp}\n";
  @TempDir
  Path dir;

  private static SparkConf conf(String master) {
    return new SparkConf(false).set("spark.master", master);
  }

  @Test
  void autoTakesCollectiveWhereABarrierJobFits() {
    assertThat(SyncChoice.resolve(conf("local[4]"), 0, SyncMode.AUTO, 4).mode())
        .isEqualTo(SyncMode.COLLECTIVE);
    assertThat(SyncChoice.resolve(conf("local-cluster[2,2,1024]"), 0, SyncMode.AUTO, 4).mode())
        .isEqualTo(SyncMode.COLLECTIVE);
    assertThat(SyncChoice.resolve(conf("spark://m:7077"), 16, SyncMode.COLLECTIVE, 8).mode())
        .isEqualTo(SyncMode.COLLECTIVE);
    assertThat(SyncChoice.resolve(conf("local[4]"), 0, SyncMode.DRIVER, 2).mode())
        .isEqualTo(SyncMode.DRIVER);
  }

  @Test
  void autoFallsBackToDriverAndSaysWhy() {
    SyncChoice dynamic = SyncChoice.resolve(conf("yarn")
        .set("spark.dynamicAllocation.enabled", "true"), 64, SyncMode.AUTO, 2);
    assertThat(dynamic.mode()).isEqualTo(SyncMode.DRIVER);
    assertThat(dynamic.reason()).contains("spark.dynamicAllocation.enabled=true");
    SyncChoice fewSlots = SyncChoice.resolve(conf("local[4]").set("spark.task.cpus", "2"), 0,
        SyncMode.AUTO, 3);
    assertThat(fewSlots.mode()).isEqualTo(SyncMode.DRIVER);
    assertThat(fewSlots.reason()).contains("needs 3 task slots at once (train.workers) and the "
        + "cluster has 2 (local[4], spark.task.cpus=2)");
  }

  @Test
  void explicitCollectiveThatCannotRunFailsBeforeReadingData() {
    // No data file exists: the run must fail on the sync setting, not on reading.
    assertThatThrownBy(() -> TrainJob.run(SharedSpark.context(), JobSpecParser.parse("""
        data: {uri: '%s', numClasses: 3}
        model: {name: mlp}
        train: {workers: 3, sync: collective}
        output: {dir: '%s'}
        """.formatted(dir.resolve("missing.csv"), dir.resolve("run")), null), false))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("train.sync: collective cannot run here: it needs 3 task slots")
        .hasMessageContaining("set train.sync: driver");
  }

  @Test
  void theSpecKeyIsParsedAndEchoed() {
    assertThatThrownBy(() -> JobSpecParser.parse(MINIMAL + "train: {sync: gossip}", null))
        .hasMessageContaining("train.sync: 'gossip' is not allowed (must be one of auto, "
            + "collective, driver)");
    JobSpec spec = JobSpecParser.parse(MINIMAL + "train: {sync: driver}", null);
    assertThat(spec.train().sync()).isEqualTo(SyncMode.DRIVER);
    assertThat(SpecYaml.write(spec)).contains("sync: driver");
    assertThat(JobSpecParser.parse(MINIMAL, null).train().sync())
        .isEqualTo(SyncMode.AUTO);
  }
}
