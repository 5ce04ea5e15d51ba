package org.sparktrain.driver.cluster;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.spec.JobSpec.SyncMode;
import org.sparktrain.driver.spec.SpecException;

/**
 * What the scaling benchmark hit mid-run (10.2M parameters with Adam, 16 workers, the driver
 * strategy: "Total size of serialized results ... is bigger than spark.driver.maxResultSize"),
 * refused before the first round instead.
 */
class ResultSizePreCheckTest {
  private static final long TEN_MILLION_WITH_ADAM = 10_160_000L * 3 * 4;

  private static SparkConf conf() {
    return SparkSetup.conf("local[2]", "pre-check", new SparkConf(false));
  }

  @Test
  void theDriverStrategyCollectingMoreThanMaxResultSizeIsRefusedNamingTheSettings() {
    assertThatThrownBy(() -> ResultSizePreCheck.check(conf(), SyncMode.DRIVER, 16,
        TEN_MILLION_WITH_ADAM))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("with train.sync: driver every round collects 16 workers'")
        .hasMessageContaining("above spark.driver.maxResultSize (1024 MiB)")
        .hasMessageContaining("--conf spark.driver.maxResultSize=")
        .hasMessageContaining("or use train.sync: collective");
  }

  @Test
  void collectiveOrNoLimitOrFewerWorkersPass() {
    assertThatCode(() -> ResultSizePreCheck.check(conf(), SyncMode.COLLECTIVE, 16,
        TEN_MILLION_WITH_ADAM)).doesNotThrowAnyException();
    assertThatCode(() -> ResultSizePreCheck.check(conf().set("spark.driver.maxResultSize", "0"),
        SyncMode.DRIVER, 16, TEN_MILLION_WITH_ADAM)).doesNotThrowAnyException();
    assertThatCode(() -> ResultSizePreCheck.check(conf(), SyncMode.DRIVER, 8,
        TEN_MILLION_WITH_ADAM)).doesNotThrowAnyException();
  }

  @Test
  void aResultLargerThanTheKryoBufferIsRefused() {
    assertThatThrownBy(() -> ResultSizePreCheck.check(
        conf().set("spark.kryoserializer.buffer.max", "64m"), SyncMode.COLLECTIVE, 2,
        TEN_MILLION_WITH_ADAM))
        .hasMessageContaining("above spark.kryoserializer.buffer.max (64 MiB)")
        .hasMessageContaining("--conf spark.kryoserializer.buffer.max=117m");
  }
}
