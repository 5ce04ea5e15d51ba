package org.sparktrain.driver.train.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.function.IntSupplier;
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

  /** Time that passes only when the wait sleeps. */
  private static final class TestClock implements SlotWait.Clock {
    long now = 1_000_000;

    @Override
    public long nowMs() {
      return now;
    }

    @Override
    public void sleepMs(long ms) {
      now += ms;
    }
  }

  @Test
  void aClusterWhoseExecutorsRegisterLateIsWaitedFor() {
    // A standalone master starts the application with the first executor: found on a cluster
    // of 3 workers, where the slot check saw 2 cores and the third registered a second later.
    TestClock clock = new TestClock();
    long start = clock.now;
    IntSupplier cores = () -> clock.now - start < 1_200 ? 2 : 3;
    SyncChoice choice = SyncChoice.resolve(conf("spark://m:7077"), cores, SyncMode.COLLECTIVE,
        3, clock);
    assertThat(choice.mode()).isEqualTo(SyncMode.COLLECTIVE);
    assertThat(clock.now - start).isBetween(1_200L, 2_000L);
  }

  @Test
  void theWaitEndsAtSparksOwnPatienceAndSaysSo() {
    TestClock clock = new TestClock();
    long start = clock.now;
    // auto: the time Spark waits for executors at start (30 s), then the driver.
    SyncChoice auto = SyncChoice.resolve(conf("k8s://https://api:6443"), () -> 2, SyncMode.AUTO,
        3, clock);
    assertThat(auto.mode()).isEqualTo(SyncMode.DRIVER);
    assertThat(auto.reason()).contains("the cluster has 2 after waiting 30 s for executors to "
        + "register (k8s://https://api:6443, spark.task.cpus=1)");
    assertThat(clock.now - start).isEqualTo(30_000L);
    // collective: Spark's barrier patience, interval x maxFailures (10 minutes by default).
    assertThat(SlotWait.patienceMs(conf("yarn"), SyncMode.COLLECTIVE)).isEqualTo(600_000L);
    SparkConf impatient = conf("yarn")
        .set("spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "2s")
        .set("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures", "3");
    assertThatThrownBy(() -> SyncChoice.resolve(impatient, () -> 1, SyncMode.COLLECTIVE, 2,
        new TestClock()))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("needs 2 task slots at once (train.workers) and the cluster has 1 "
            + "after waiting 6 s for executors to register (yarn, spark.task.cpus=1)");
  }

  @Test
  void nothingIsWaitedForWhereNoMoreCoresCanCome() {
    TestClock clock = new TestClock();
    long start = clock.now;
    // The application asked for 2 cores in all: a third never registers.
    assertThatThrownBy(() -> SyncChoice.resolve(conf("spark://m:7077")
        .set("spark.cores.max", "2"), () -> 2, SyncMode.COLLECTIVE, 3, clock))
        .hasMessageContaining("the cluster has 2 (spark://m:7077");
    assertThat(SyncChoice.resolve(conf("yarn").set("spark.executor.instances", "2")
        .set("spark.executor.cores", "1"), () -> 1, SyncMode.AUTO, 3, clock).mode())
        .isEqualTo(SyncMode.DRIVER);
    // Local masters have all their slots from the start.
    assertThat(SyncChoice.resolve(conf("local[2]"), () -> 2, SyncMode.AUTO, 3, clock).mode())
        .isEqualTo(SyncMode.DRIVER);
    // A driver run never looks.
    assertThat(SyncChoice.resolve(conf("yarn"), () -> 0, SyncMode.DRIVER, 3, clock).mode())
        .isEqualTo(SyncMode.DRIVER);
    assertThat(clock.now).isEqualTo(start);
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
