package org.sparktrain.driver.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.driver.data.DataPreparation;
import org.sparktrain.driver.data.PreparedData;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.driver.testing.TestData;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.train.EpochSchedule;
import org.sparktrain.worker.train.MinibatchAssembler;

/** The engine against plain single-JVM DL4J training on the same minibatches. */
class EquivalenceTest {
  private final JavaSparkContext sc = SharedSpark.context();
  @TempDir
  Path dir;

  private JobSpec spec(int workers, int h, String optimizer) throws IOException {
    Path file = TestData.write(dir, "blobs.csv", TestData.blobsCsv(250, 5, 3, 11));
    return JobSpecParser.parse("data: {uri: '" + file + "', numClasses: 3, "
        + "split: {train: 1.0, validation: 0, test: 0}}\n"
        + "model: {name: mlp, hidden: [16]}\n"
        + "train: {epochs: 3, batchSize: 16, workers: " + workers + ", averagingFrequency: " + h
        + ", optimizer: " + optimizer + ", seed: 3}\n", null);
  }

  private static MultiLayerNetwork referenceNet(JobSpec spec, PreparedData data) {
    return spec.model().build(data.numFeatures(), spec.data().numClasses(),
        spec.train().optimizer(), spec.train().seed()).newNetwork().layers();
  }

  private static double maxAbsDiff(INDArray a, INDArray b) {
    return a.sub(b).amaxNumber().doubleValue();
  }

  @Test
  void oneWorkerEqualsPlainDl4jTraining() throws IOException {
    JobSpec spec = spec(1, 3, "{name: adam, learningRate: 0.01}");
    PreparedData data = DataPreparation.prepare(sc, spec, DataPreparation.Selection.SPEC_SPLIT);
    TrainingLoop loop = new TrainingLoop(sc, spec, data);
    TrainedModel trained = loop.run((m, s) -> { });

    MultiLayerNetwork reference = referenceNet(spec, data);
    ExampleBlock shard = data.train().collect().get(0);
    EpochSchedule schedule = loop.settings().schedule();
    MinibatchAssembler assembler = new MinibatchAssembler(true, 3);
    for (int epoch = 0; epoch < spec.train().epochs(); epoch++) {
      int[] order = schedule.permutation(epoch, 0, shard.rows());
      for (int step = 0; step < schedule.stepsPerEpoch(); step++) {
        reference.fit(assembler.assemble(shard, order, schedule.batchStart(step),
            schedule.batchEnd(step, shard.rows())));
      }
    }
    assertThat(maxAbsDiff(trained.network().params(), reference.params()))
        .isLessThanOrEqualTo(1e-6);
    assertThat(maxAbsDiff(trained.network().updaterState(),
        reference.getUpdater().getStateViewArray())).isLessThanOrEqualTo(1e-6);
    assertThat(trained.network().iterationCount()).isEqualTo(reference.getIterationCount());
    data.release();
  }

  @Test
  void workersWithH1AndSgdEqualTrainingOnTheMergedBatch() throws IOException {
    JobSpec spec = spec(3, 1, "{name: sgd, learningRate: 0.1}");
    PreparedData data = DataPreparation.prepare(sc, spec, DataPreparation.Selection.SPEC_SPLIT);
    TrainingLoop loop = new TrainingLoop(sc, spec, data);
    TrainedModel trained = loop.run((m, s) -> { });

    MultiLayerNetwork reference = referenceNet(spec, data);
    List<ExampleBlock> shards = data.train().collect();
    EpochSchedule schedule = loop.settings().schedule();
    MinibatchAssembler assembler = new MinibatchAssembler(true, 3);
    for (int epoch = 0; epoch < spec.train().epochs(); epoch++) {
      int[][] orders = new int[shards.size()][];
      for (ExampleBlock s : shards) {
        orders[s.partition()] = schedule.permutation(epoch, s.partition(), s.rows());
      }
      for (int step = 0; step < schedule.stepsPerEpoch(); step++) {
        List<DataSet> parts = new ArrayList<>();
        for (ExampleBlock s : shards) {
          parts.add(assembler.assemble(s, orders[s.partition()], schedule.batchStart(step),
              schedule.batchEnd(step, s.rows())));
        }
        reference.fit(DataSet.merge(parts));
      }
    }
    // Float32 sums in a different order: equal up to rounding, accumulated over 3 epochs.
    assertThat(maxAbsDiff(trained.network().params(), reference.params()))
        .isLessThanOrEqualTo(1e-5);
    data.release();
  }

  @Test
  void sameSpecGivesBitwiseIdenticalParameters() throws IOException {
    JobSpec spec = spec(2, 2, "{name: adam, learningRate: 0.01}");
    PreparedData data = DataPreparation.prepare(sc, spec, DataPreparation.Selection.SPEC_SPLIT);
    float[] first = new TrainingLoop(sc, spec, data).run((m, s) -> { }).network().params()
        .toFloatVector();
    float[] second = new TrainingLoop(sc, spec, data).run((m, s) -> { }).network().params()
        .toFloatVector();
    assertThat(second).containsExactly(first);
    data.release();
  }
}
