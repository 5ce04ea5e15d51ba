package org.sparktrain.driver.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparktrain.driver.checkpoint.CheckpointInfo;
import org.sparktrain.driver.checkpoint.CheckpointStore;
import org.sparktrain.driver.data.DataPreparation;
import org.sparktrain.driver.data.PreparedData;
import org.sparktrain.driver.output.Json;
import org.sparktrain.driver.run.CrossValidation;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.spec.SpecException;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.driver.testing.TestData;
import org.sparktrain.driver.train.sync.SyncChoice;
import org.sparktrain.driver.train.TrainingLoop;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.privacy.RdpAccountant;

/**
 * DP-SGD through a whole run on real Spark: the preconditions of the guarantee (disjoint
 * shards, one q and one noise for every worker), both synchronizations giving the same bits,
 * an exact resume that continues the accounting, a budget that ends the run, what the run
 * reports, and a secret that reaches no file but the checkpoints' private state.
 */
class PrivateTrainingTest {
  private final JavaSparkContext sc = SharedSpark.context();
  @TempDir
  Path dir;

  private JobSpec spec(String sync, String privacy, String out, String checkpoint) {
    return JobSpecParser.parse("""
        data: {uri: '%s', numClasses: 10, split: {train: 0.7, validation: 0.1, test: 0.2}}
        preprocess: {normalize: none, scaleBy: 16}
        model: {name: mlp, hidden: [24]}
        train: {epochs: 2, batchSize: 32, workers: 2, averagingFrequency: 4, sync: %s,
                optimizer: {name: adam, learningRate: 0.01}, threadsPerWorker: 1,
                privacy: %s}
        checkpoint: %s
        output: {dir: '%s'}
        """.formatted(TestData.digits(), sync, privacy, checkpoint, dir.resolve(out)), null);
  }

  private JobSpec spec(String sync, String privacy, String out) {
    return spec(sync, privacy, out, "{everyEpoch: true}");
  }

  @Test
  void everyExampleIsInOneShardAndEveryWorkerRunsTheSameMechanism() throws IOException {
    JobSpec spec = spec("driver", "{noiseMultiplier: 1.0, clipNorm: 1.0}", "pre");
    PreparedData data = DataPreparation.prepare(sc, spec, DataPreparation.Selection.SPEC_SPLIT);
    try {
      // Disjoint shards: every training example in exactly one shard.
      List<ExampleBlock> shards = data.train().collect();
      List<String> rows = new ArrayList<>();
      int total = 0;
      for (ExampleBlock b : shards) {
        for (int r = 0; r < b.rows(); r++) {
          rows.add(HexFormat.of().formatHex(rowBytes(b, r)));
        }
        total += b.rows();
      }
      assertThat((long) total).isEqualTo(data.counts().train());
      // The digits have no two equal rows, so a row seen twice would be one example in two
      // shards.
      assertThat(rows).doesNotHaveDuplicates();
      // One mechanism: one q (from the smallest shard) and one noise, shipped to every worker.
      TrainingLoop loop = new TrainingLoop(sc, spec, data);
      var privacy = loop.settings().privacy();
      assertThat(privacy.samplingRate()).isEqualTo(32.0 / data.smallestShard());
      assertThat(privacy.noiseMultiplier()).isEqualTo(1.0);
      assertThat(privacy.microbatchSize()).isEqualTo(1);
      assertThat(loop.privateRun().samplingRate()).isEqualTo(privacy.samplingRate());
      loop.release();
    } finally {
      data.release();
    }
  }

  private static byte[] rowBytes(ExampleBlock b, int r) {
    ByteBuffer buf = ByteBuffer.allocate(b.width() * Float.BYTES + 4);
    for (int c = 0; c < b.width(); c++) {
      buf.putFloat(b.features()[r * b.width() + c]);
    }
    buf.putFloat(b.labels()[r]);
    return buf.array();
  }

  @Test
  void bothSynchronizationsGiveTheSameBitsWithTheSameSecret() throws IOException {
    JobSpec driverSpec = spec("driver", "{noiseMultiplier: 1.1}", "d-eq");
    JobSpec collectiveSpec = spec("collective", "{noiseMultiplier: 1.1}", "c-eq");
    PreparedData data = DataPreparation.prepare(sc, driverSpec,
        DataPreparation.Selection.SPEC_SPLIT);
    byte[] secret = PrivateRun.newSecret();
    try {
      TrainingLoop viaDriver = new TrainingLoop(sc, driverSpec, data, SyncChoice.resolve(sc,
          JobSpec.SyncMode.DRIVER, 2), secret);
      TrainingLoop collective = new TrainingLoop(sc, collectiveSpec, data,
          SyncChoice.resolve(sc, JobSpec.SyncMode.COLLECTIVE, 2), secret);
      float[] a = viaDriver.run((m, s) -> { }).params();
      float[] b = collective.run((m, s) -> { }).params();
      assertThat(b).containsExactly(a);
      // Another secret, other draws and noise: other parameters.
      TrainingLoop other = new TrainingLoop(sc, driverSpec, data, SyncChoice.resolve(sc,
          JobSpec.SyncMode.DRIVER, 2), PrivateRun.newSecret());
      assertThat(other.run((m, s) -> { }).params()).isNotEqualTo(a);
      viaDriver.release();
      collective.release();
      other.release();
    } finally {
      data.release();
    }
  }

  @Test
  void theRunReportsItsGuarantee() throws IOException {
    String privacy = "{noiseMultiplier: 1.1, clipNorm: 1.0, delta: 1.0e-5}";
    TrainJob.Result viaDriver = TrainJob.run(sc, spec("driver", privacy, "d"), false);
    @SuppressWarnings("unchecked")
    Map<String, Object> report = (Map<String, Object>) viaDriver.summary().get("privacy");
    long steps = ((Number) report.get("steps")).longValue();
    double q = (Double) report.get("samplingRate");
    assertThat(steps).isEqualTo(((Number) report.get("plannedSteps")).longValue()).isPositive();
    assertThat((Double) report.get("epsilon")).isEqualTo(
        RdpAccountant.epsilon(q, 1.1, steps, 1e-5).epsilon());
    assertThat(report).containsEntry("clipping", "per example").containsEntry("sampling",
        "poisson").containsEntry("stoppedAtBudget", false);
    // The model folder carries the same, for whoever receives the model (and audit).
    assertThat(Json.MAPPER.readTree(dir.resolve("d/model/privacy.json").toFile())
        .get("epsilon").asDouble()).isEqualTo((Double) report.get("epsilon"));
    // The fixed divisor, not statistics of the data, went with the model.
    assertThat(Json.MAPPER.readTree(dir.resolve("d/model/preprocessing.json").toFile())
        .toString()).contains("0.0625");
    // Private, the model still learns something on the digits.
    assertThat(viaDriver.test().scalars().get("accuracy")).isGreaterThan(0.3);
  }

  @ParameterizedTest
  @ValueSource(strings = {"driver", "collective"})
  void aResumedRunEndsWithTheSameParametersAndTheSameEpsilon(String sync) throws IOException {
    String privacy = "{noiseMultiplier: 0.8, clipNorm: 0.5}";
    String every = "{everyRounds: 3, keepLast: 1000}";
    TrainJob.Result full = TrainJob.run(sc, spec(sync, privacy, "full", every), false);
    CheckpointStore store = new CheckpointStore(dir.resolve("full").toUri().toString(),
        new Configuration());
    CheckpointInfo middle = store.list().get(1);
    String name = String.format("round-%06d", middle.round());
    TestData.copyFolder(dir.resolve("full/checkpoints").resolve(name),
        dir.resolve("resumed/checkpoints").resolve(name));
    TrainJob.Result resumed = TrainJob.run(sc, spec(sync, privacy, "resumed", every), false,
        true);
    assertThat(resumed.summary().get("resumedFromRound")).isEqualTo(middle.round());
    assertThat(resumed.model().params()).containsExactly(full.model().params());
    assertThat(Json.line(resumed.summary().get("privacy")))
        .isEqualTo(Json.line(full.summary().get("privacy")));
    // The checkpoint continued the accounting: its spent epsilon is its steps'.
    var state = store.load(middle.round()).privacy();
    assertThat(state.epsilon()).isEqualTo(RdpAccountant.epsilon(
        (Double) ((Map<?, ?>) full.summary().get("privacy")).get("samplingRate"), 0.8,
        state.steps(), 1e-5).epsilon());
  }

  @Test
  void aRunAskedToExceedItsTargetStopsAtIt() throws IOException {
    // q = 32 / 637 here (the smallest shard), 20 steps per epoch: the target allows 22 of the
    // 40 planned steps, so the run stops in its second epoch.
    double target = RdpAccountant.epsilon(32.0 / 637, 1.5, 22, 1e-5).epsilon();
    TrainJob.Result r = TrainJob.run(sc, spec("driver",
        "{noiseMultiplier: 1.5, targetEpsilon: " + target + "}", "budget"), false);
    @SuppressWarnings("unchecked")
    Map<String, Object> report = (Map<String, Object>) r.summary().get("privacy");
    assertThat(report).containsEntry("stoppedAtBudget", true);
    assertThat((Double) report.get("epsilon")).isLessThanOrEqualTo(target);
    assertThat(((Number) report.get("steps")).longValue()).isBetween(19L, 22L);
    assertThat(((Number) report.get("steps")).longValue())
        .isLessThan(((Number) report.get("plannedSteps")).longValue());
    assertThat(r.model().history()).isNotEmpty();
  }

  @Test
  void aTargetAloneChoosesTheNoiseThatSpendsIt() throws IOException {
    TrainJob.Result r = TrainJob.run(sc, spec("driver", "{targetEpsilon: 2.0}", "target"),
        false);
    @SuppressWarnings("unchecked")
    Map<String, Object> report = (Map<String, Object>) r.summary().get("privacy");
    assertThat((Double) report.get("epsilon")).isBetween(1.99, 2.0);
    assertThat(report).containsEntry("stoppedAtBudget", false);
  }

  @Test
  @SuppressWarnings("unchecked")
  void crossValidationReportsEachFoldsEpsilonAndWhatAllFoldsSpendTogether() throws IOException {
    Map<String, Object> cv = CrossValidation.run(sc,
        spec("driver", "{noiseMultiplier: 1.0}", "cv"), 3);
    Map<String, Object> privacy = (Map<String, Object>) cv.get("privacy");
    List<Double> perFold = (List<Double>) privacy.get("perFoldEpsilon");
    assertThat(perFold).hasSize(3).allSatisfy(e -> assertThat(e).isPositive());
    double all = (Double) privacy.get("allFoldsEpsilon");
    // Every example trains in two of the three folds: more than one fold's, less than three.
    double most = perFold.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    assertThat(all).isGreaterThan(most)
        .isLessThan(perFold.stream().mapToDouble(Double::doubleValue).sum());
  }

  @Test
  void theSecretReachesNoFileButTheCheckpointsPrivateState() throws IOException {
    TrainJob.run(sc, spec("collective", "{noiseMultiplier: 1.0}", "secret"), false);
    Path run = dir.resolve("secret");
    CheckpointStore store = new CheckpointStore(run.toUri().toString(), new Configuration());
    byte[] secret = store.load(store.list().get(0).round()).privacy().secret();
    List<byte[]> forms = List.of(secret,
        Base64.getEncoder().encode(secret),
        HexFormat.of().formatHex(secret).getBytes(StandardCharsets.US_ASCII),
        Arrays.copyOf(secret, 12));
    List<Path> holding = new ArrayList<>();
    try (Stream<Path> files = Files.walk(run)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        byte[] bytes = Files.readAllBytes(f);
        for (byte[] form : forms) {
          if (indexOf(bytes, form) >= 0) {
            holding.add(f);
          }
        }
      }
    }
    assertThat(holding).isNotEmpty().allSatisfy(f ->
        assertThat(f.getFileName().toString()).isEqualTo("training-state.json"));
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void modelsAndSettingsItCannotProtectAreRefusedSayingWhy() {
    assertThatThrownBy(() -> JobSpecParser.parse("""
        data: {uri: '%s', numClasses: 10}
        model: {name: mlp, hidden: [8]}
        train: {privacy: {clipNorm: 1.0, sampling: shuffle}}
        """.formatted(TestData.digits()), null))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("train.privacy.noiseMultiplier or train.privacy.targetEpsilon is "
            + "required")
        .hasMessageContaining("train.privacy.sampling: 'shuffle' is not allowed (must be "
            + "poisson");
    assertThatThrownBy(() -> JobSpecParser.parse("""
        data: {uri: '%s', numClasses: 10}
        preprocess: {normalize: none}
        model: {name: mlp, hidden: [8]}
        train: {privacy: {noiseMultiplier: 1.0}, onDivergence: {rollbacks: 2}}
        """.formatted(TestData.digits()), null))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("train.privacy cannot be combined with train.onDivergence "
            + "rollbacks");
    assertThatThrownBy(() -> TrainJob.run(sc, JobSpecParser.parse("""
        data: {uri: '%s', numClasses: 10}
        model: {name: mlp, hidden: [8]}
        train: {epochs: 1, workers: 2, privacy: {noiseMultiplier: 1.0}}
        output: {dir: '%s'}
        """.formatted(TestData.digits(), dir.resolve("standardized")), null), false))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("train.privacy needs preprocess.normalize: none (got standardize)");
    assertThatThrownBy(() -> TrainJob.run(sc, JobSpecParser.parse("""
        data: {uri: '%s', format: csv, labelColumn: -1, numClasses: 10}
        preprocess: {normalize: none}
        model: {name: resnet, stemWidth: 4, widths: [4], blocksPerStage: 1}
        train: {epochs: 1, workers: 2, privacy: {noiseMultiplier: 1.0}}
        output: {dir: '%s'}
        """.formatted(TestData.digits(), dir.resolve("resnet")), null), false))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("train.privacy: model resnet:")
        .hasMessageContaining("BatchNormalization mixes the examples of a batch");
    assertThatThrownBy(() -> TrainJob.run(sc, spec("driver",
        "{noiseMultiplier: 0.3, targetEpsilon: 0.01}", "tiny"), false))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("train.privacy.targetEpsilon: 0.01 is spent before the first round "
            + "ends");
  }
}
