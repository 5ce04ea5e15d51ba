package org.sparktrain.driver.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.checkpoint.CheckpointInfo;
import org.sparktrain.driver.checkpoint.CheckpointStore;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.driver.testing.TestData;
import org.sparktrain.driver.train.DivergenceException;

/**
 * Issue 13's new user: the digits example with plain SGD at learning rate 10. The loss turns
 * NaN; the run must stop there with an error naming the round and the setting to change, and
 * must not checkpoint or save anything that is not finite.
 */
class DivergenceTest {
  private final JavaSparkContext sc = SharedSpark.context();
  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"driver", "collective"})
  void aDivergingRunStopsNamingTheRoundAndSavesNothingNonFinite(String sync)
      throws IOException {
    var spec = JobSpecParser.parse("""
        data: {uri: '%s', numClasses: 10}
        model: {name: mlp, hidden: [32]}
        train: {epochs: 3, batchSize: 16, workers: 2, averagingFrequency: 2, sync: %s,
                optimizer: {name: sgd, learningRate: 10}}
        checkpoint: {everyRounds: 1, keepLast: 1000}
        output: {dir: '%s'}
        """.formatted(TestData.digits(), sync, dir.resolve("run")), null);
    assertThatThrownBy(() -> TrainJob.run(sc, spec, false))
        .isInstanceOf(DivergenceException.class)
        .hasMessageContaining("training diverged at round ")
        .hasMessageContaining("lower train.optimizer.learningRate (now 10.0), e.g. to 1.0");
    assertThat(Files.exists(dir.resolve("run/model"))).isFalse();
    CheckpointStore store = new CheckpointStore(dir.resolve("run").toUri().toString(),
        new Configuration());
    for (CheckpointInfo info : store.list()) {
      if (info.valid()) {
        for (float p : store.load(info.round()).snapshot().params()) {
          assertThat(Float.isFinite(p)).as("checkpoint %d", info.round()).isTrue();
        }
      }
    }
  }
}
