package org.sparktrain.driver.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.checkpoint.CheckpointInfo;
import org.sparktrain.driver.checkpoint.CheckpointStore;
import org.sparktrain.driver.spec.JobSpec;
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

  /**
   * {@code train.onDivergence}: the run goes back to its last checkpoint (here: its start, as it
   * diverges before the first) with the learning rate lowered, and ends as a run given that
   * lower rate from the start would, bit for bit; metrics.jsonl keeps only the rounds kept.
   */
  @ParameterizedTest
  @ValueSource(strings = {"driver", "collective"})
  void aRollbackGoesBackWithALowerRateAndEndsAsARunStartedWithIt(String sync)
      throws IOException {
    TrainJob.Result rolled = TrainJob.run(sc, rollbackSpec(sync, "10", "rolled",
        "onDivergence: {rollbacks: 3, learningRateFactor: 0.1}"), false);
    @SuppressWarnings("unchecked")
    Map<String, Object> divergence =
        (Map<String, Object>) rolled.summary().get("divergence");
    assertThat(divergence).as("summary.json's divergence").isNotNull();
    int count = (Integer) divergence.get("rollbacks");
    double scale = (Double) divergence.get("learningRateScale");
    assertThat(count).isBetween(1, 3);

    List<String> lines = Files.readAllLines(dir.resolve("rolled/metrics.jsonl"));
    long rounds = rolled.model().history().size();
    assertThat(lines).hasSize((int) rounds);
    for (int r = 0; r < lines.size(); r++) {
      assertThat(lines.get(r)).startsWith("{\"round\":" + r + ",");
      assertThat(lines.get(r)).doesNotContain("NaN").doesNotContain("Infinity");
    }
    TrainJob.Result lower = TrainJob.run(sc, rollbackSpec(sync, Double.toString(10 * scale),
        "lower", ""), false);
    assertThat(rolled.model().params()).containsExactly(lower.model().params());
  }

  /**
   * With checkpoints before the divergence, the run goes back to the newest one. The rollback
   * is part of the run's state: resumed from a checkpoint written before it (which diverges
   * again, the same way) or after it (which carries the lowered rate), the run ends bit for bit
   * as it did uninterrupted.
   */
  @ParameterizedTest
  @ValueSource(strings = {"driver", "collective"})
  void aRollbackGoesBackToTheLastCheckpointAndResumesExactly(String sync) throws IOException {
    String policy = "onDivergence: {rollbacks: 8, learningRateFactor: 0.5}";
    TrainJob.Result full = TrainJob.run(sc, rollbackSpec(sync, "10", "full", policy,
        "{everyRounds: 4, keepLast: 1000}"), false);
    CheckpointStore store = new CheckpointStore(dir.resolve("full").toUri().toString(),
        new Configuration());
    List<CheckpointInfo> written = store.list();
    CheckpointInfo before = null;
    CheckpointInfo after = null;
    for (CheckpointInfo info : written) {
      var rollbacks = store.load(info.round()).rollbacks();
      if (rollbacks.count() == 0) {
        before = info;
      } else if (after == null && info.round() < full.model().history().size() - 2) {
        after = info;
        assertThat(rollbacks.learningRateScale()).isLessThan(1);
      }
    }
    assertThat(before).as("a checkpoint before the divergence").isNotNull();
    assertThat(before.round()).isPositive();
    assertThat(after).as("a checkpoint after the rollback, before the end").isNotNull();
    // Went back to the checkpoint, not to the start: the first rounds were kept.
    assertThat(full.model().history().get(0).loss())
        .isEqualTo(store.load(before.round()).history().get(0).loss());

    for (CheckpointInfo from : List.of(before, after)) {
      String name = String.format("round-%06d", from.round());
      String out = "resumed-" + from.round();
      TestData.copyFolder(dir.resolve("full/checkpoints").resolve(name),
          dir.resolve(out).resolve("checkpoints").resolve(name));
      TrainJob.Result resumed = TrainJob.run(sc, rollbackSpec(sync, "10", out, policy,
          "{everyRounds: 4, keepLast: 1000}"), false, true);
      assertThat(resumed.summary().get("resumedFromRound")).isEqualTo(from.round());
      assertThat(resumed.model().params()).as("resumed from round %d", from.round())
          .containsExactly(full.model().params());
      assertThat(resumed.summary().get("divergence")).isEqualTo(full.summary().get("divergence"));
      assertThat(Files.readAllLines(dir.resolve(out).resolve("metrics.jsonl")))
          .hasSameSizeAs(full.model().history());
    }
  }

  private JobSpec rollbackSpec(String sync, String learningRate,
      String out, String onDivergence) {
    return rollbackSpec(sync, learningRate, out, onDivergence,
        "{everyEpoch: true, keepLast: 1000}");
  }

  private JobSpec rollbackSpec(String sync, String learningRate,
      String out, String onDivergence, String checkpoint) {
    return JobSpecParser.parse("""
        data: {uri: '%s', numClasses: 10}
        model: {name: mlp, hidden: [32]}
        train: {epochs: 3, batchSize: 16, workers: 2, averagingFrequency: 2, sync: %s,
                optimizer: {name: sgd, learningRate: %s}%s}
        checkpoint: %s
        output: {dir: '%s'}
        """.formatted(TestData.digits(), sync, learningRate,
            onDivergence.isEmpty() ? "" : ", " + onDivergence, checkpoint, dir.resolve(out)),
        null);
  }
}
