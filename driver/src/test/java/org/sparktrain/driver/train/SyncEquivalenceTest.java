package org.sparktrain.driver.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.data.DataPreparation;
import org.sparktrain.driver.data.PreparedData;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.driver.testing.TestData;
import org.sparktrain.worker.train.ModelSnapshot;

/**
 * {@code train.sync: collective} (workers average among themselves, one barrier job per
 * stretch) against {@code driver} (one job per round, the driver averages): the same spec must
 * give bitwise the same parameters, optimizer state, losses and validation metrics.
 */
class SyncEquivalenceTest {
  private final JavaSparkContext sc = SharedSpark.context();
  @TempDir
  Path dir;

  /**
   * Trains {@code yaml} (with SYNC for train.sync) both ways on the same prepared data.
   *
   * @return how many rounds of the collective run the listener heard of while its barrier job
   *     was still running (from the driver's round feed)
   */
  private int assertCollectiveEqualsDriver(String yaml) throws IOException {
    JobSpec driverSpec = JobSpecParser.parse(yaml.replace("SYNC", "driver"), null);
    JobSpec collectiveSpec = JobSpecParser.parse(yaml.replace("SYNC", "collective"), null);
    PreparedData data = DataPreparation.prepare(sc, driverSpec,
        DataPreparation.Selection.SPEC_SPLIT);
    try {
      TrainingLoop driverLoop = new TrainingLoop(sc, driverSpec, data);
      TrainingLoop collectiveLoop = new TrainingLoop(sc, collectiveSpec, data);
      assertThat(driverLoop.syncStrategy()).isEqualTo("driver");
      assertThat(collectiveLoop.syncStrategy()).isEqualTo("collective");
      TrainedModel viaDriver = driverLoop.run((m, s) -> { });
      AtomicInteger live = new AtomicInteger();
      TrainedModel collective = collectiveLoop.run((m, s) -> {
        if (Thread.currentThread().getName().equals("sparktrain-round-feed")) {
          live.incrementAndGet();
        }
      });

      ModelSnapshot a = viaDriver.finalProgress().snapshot();
      ModelSnapshot b = collective.finalProgress().snapshot();
      assertThat(b.params()).containsExactly(a.params());
      assertThat(b.optimizerStates()).isDeepEqualTo(a.optimizerStates());
      assertThat(b.iteration()).isEqualTo(a.iteration());
      assertThat(b.epoch()).isEqualTo(a.epoch());
      assertThat(b.outerMomentum()).containsExactly(a.outerMomentum());
      assertThat(collective.params()).containsExactly(viaDriver.params());
      assertThat(collective.earlyStopping()).isEqualTo(viaDriver.earlyStopping());
      List<RoundMetrics> ha = viaDriver.history();
      List<RoundMetrics> hb = collective.history();
      assertThat(hb).hasSameSizeAs(ha);
      for (int i = 0; i < ha.size(); i++) {
        assertThat(hb.get(i).round()).isEqualTo(ha.get(i).round());
        assertThat(hb.get(i).loss()).as("loss of round %d", i).isEqualTo(ha.get(i).loss());
        assertThat(hb.get(i).examples()).isEqualTo(ha.get(i).examples());
        assertThat(hb.get(i).validation()).as("validation after round %d", i)
            .isEqualTo(ha.get(i).validation());
        // A lone worker has no one to send to.
        assertThat(hb.get(i).bytesMoved() > 0).isEqualTo(collectiveSpec.train().workers() > 1);
      }
      return live.get();
    } finally {
      data.release();
    }
  }

  private String blobs() throws IOException {
    return TestData.write(dir, "blobs.csv", TestData.blobsCsv(300, 5, 3, 11)).toString();
  }

  @Test
  void mlpWithAveragedAdamStateAndValidation() throws IOException {
    // Stretches of two rounds (validation every 2): the first of each is shown live.
    int live = assertCollectiveEqualsDriver("""
        data: {uri: '%s', numClasses: 3, split: {train: 0.8, validation: 0.2, test: 0}}
        model: {name: mlp, hidden: [16]}
        train: {epochs: 3, batchSize: 16, workers: 2, averagingFrequency: 3, sync: SYNC,
                optimizer: {name: adam, learningRate: 0.01}, seed: 3, threadsPerWorker: 1}
        eval: {validateEveryRounds: 2}
        """.formatted(blobs()));
    assertThat(live).isPositive();
  }

  @Test
  void outerNesterovWarmupCosineAndEarlyStopping() throws IOException {
    // minDelta 0.5 in accuracy: only the first validation counts as an improvement, so the run
    // stops after the third and the model is the first validation's parameters.
    int live = assertCollectiveEqualsDriver("""
        data: {uri: '%s', numClasses: 3, split: {train: 0.8, validation: 0.2, test: 0}}
        model: {name: mlp, hidden: [16]}
        train: {epochs: 4, batchSize: 8, workers: 2, averagingFrequency: 3, sync: SYNC,
                optimizer: {name: adam, learningRate: 0.01, warmupSteps: 5, decay: cosine},
                outer: {name: nesterov, learningRate: 0.7, momentum: 0.9},
                earlyStopping: {metric: accuracy, patience: 2, minDelta: 0.5},
                seed: 3, threadsPerWorker: 1}
        eval: {validateEveryRounds: 2}
        """.formatted(blobs()));
    assertThat(live).isPositive();
  }

  @Test
  void bfloat16ChangesWithAveragedAndPerWorkerState() throws IOException {
    String blobs = blobs();
    assertCollectiveEqualsDriver("""
        data: {uri: '%s', numClasses: 3, split: {train: 0.8, validation: 0.2, test: 0}}
        model: {name: mlp, hidden: [16]}
        train: {epochs: 2, batchSize: 8, workers: 2, averagingFrequency: 3, sync: SYNC,
                syncPrecision: bfloat16, optimizer: {name: adam, learningRate: 0.01},
                seed: 4, threadsPerWorker: 1}
        eval: {validateEveryRounds: 3}
        """.formatted(blobs));
    assertCollectiveEqualsDriver("""
        data: {uri: '%s', numClasses: 3, split: {train: 1.0, validation: 0, test: 0}}
        model: {name: mlp, hidden: [8]}
        train: {epochs: 2, batchSize: 8, workers: 2, averagingFrequency: 2, sync: SYNC,
                syncPrecision: bfloat16, averageOptimizerState: false, seed: 6,
                optimizer: {name: nesterov, learningRate: 0.05}, threadsPerWorker: 1}
        """.formatted(blobs));
  }

  @Test
  void perWorkerNesterovStateAndPlainSgd() throws IOException {
    String blobs = blobs();
    assertCollectiveEqualsDriver("""
        data: {uri: '%s', numClasses: 3, split: {train: 1.0, validation: 0, test: 0}}
        model: {name: mlp, hidden: [8, 8]}
        train: {epochs: 2, batchSize: 8, workers: 2, averagingFrequency: 4, sync: SYNC,
                averageOptimizerState: false, seed: 5, threadsPerWorker: 1,
                optimizer: {name: nesterov, learningRate: 0.05, momentum: 0.9}}
        """.formatted(blobs));
    assertCollectiveEqualsDriver("""
        data: {uri: '%s', numClasses: 3, split: {train: 1.0, validation: 0, test: 0}}
        model: {name: mlp, hidden: [4]}
        train: {epochs: 2, batchSize: 8, workers: 1, averagingFrequency: 1, sync: SYNC,
                seed: 5, threadsPerWorker: 1, optimizer: {name: sgd, learningRate: 0.1}}
        """.formatted(blobs));
  }

  @Test
  void transformerLanguageModel() throws IOException {
    StringBuilder text = new StringBuilder();
    String[] sentences = {"the whale swam in the deep sea. ", "call me ishmael, said he. ",
        "the ship sailed on and on. "};
    for (int p = 0; p < 60; p++) {
      for (int s = 0; s < 3; s++) {
        text.append(sentences[(p + s) % 3]);
      }
      text.append("\n\n");
    }
    Path corpus = Files.writeString(dir.resolve("corpus.txt"), text.toString());
    assertCollectiveEqualsDriver("""
        data: {uri: '%s', format: text, tokenizer: char, documents: paragraph,
               split: {train: 0.9, validation: 0.1}}
        model: {name: gpt, blockSize: 16, layers: 1, width: 16, heads: 2}
        train: {epochs: 1, batchSize: 8, workers: 2, averagingFrequency: 3, sync: SYNC,
                optimizer: {name: adam, learningRate: 0.01}, threadsPerWorker: 1}
        eval: {validateEveryRounds: 3}
        """.formatted(corpus));
  }

  @Test
  void residualNetworkGraph() throws IOException {
    assertCollectiveEqualsDriver("""
        data: {uri: '%s', format: csv, labelColumn: -1, numClasses: 10,
               split: {train: 0.5, validation: 0.1, test: 0.4}}
        preprocess: {normalize: scale, augmentation: {shiftPixels: 1, pShift: 0.5}}
        model: {name: resnet, stemWidth: 4, widths: [4, 8], blocksPerStage: 1}
        train: {epochs: 1, batchSize: 32, workers: 2, averagingFrequency: 4, sync: SYNC,
                optimizer: {name: adam, learningRate: 0.01}, threadsPerWorker: 1}
        """.formatted(TestData.digits()));
  }

  @Test
  void stretchesEndWhereTheDriverNeedsTheSnapshot() throws IOException {
    JobSpec spec = JobSpecParser.parse("""
        data: {uri: '%s', numClasses: 3, split: {train: 0.8, validation: 0.2, test: 0}}
        model: {name: mlp, hidden: [4]}
        train: {epochs: 2, batchSize: 4, workers: 2, averagingFrequency: 2}
        eval: {validateEveryRounds: 7}
        checkpoint: {everyRounds: 5}
        """.formatted(blobs()), null);
    PreparedData data = DataPreparation.prepare(sc, spec, DataPreparation.Selection.SPEC_SPLIT);
    try {
      TrainingLoop loop = new TrainingLoop(sc, spec, data);
      int perEpoch = loop.settings().schedule().roundsPerEpoch();
      assertThat(perEpoch).isGreaterThan(7);
      assertThat(loop.nextBoundary(0)).isEqualTo(5);
      assertThat(loop.nextBoundary(5)).isEqualTo(7);
      assertThat(loop.nextBoundary(7)).isEqualTo(Math.min(10, perEpoch));
      assertThat(loop.nextBoundary(2L * perEpoch - 1)).isEqualTo(2L * perEpoch);
    } finally {
      data.release();
    }
  }
}
