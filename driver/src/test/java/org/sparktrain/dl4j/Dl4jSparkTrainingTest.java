package org.sparktrain.dl4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.sparktrain.driver.testing.SharedSpark;
import org.sparktrain.worker.train.EpochSchedule;
import org.sparktrain.worker.train.NativeArrays;

/**
 * How the DL4J-shaped classes train: each {@code fit} is one epoch that continues from the
 * network's state (bit for bit as one longer run), with DL4J's epoch and iteration counts, and
 * any output layer trains with its labels as given, to DL4J's own {@code fit} with one worker.
 */
class Dl4jSparkTrainingTest {
  private final JavaSparkContext sc = SharedSpark.context();

  @ParameterizedTest
  @ValueSource(strings = {"driver", "collective"})
  void twoFitCallsEqualOneTwoEpochRunBitForBit(String sync) {
    JavaRDD<DataSet> data = Dl4jSparkFixtures.rdd(sc,
        Dl4jSparkFixtures.dataSets(4, 30, "classes", 1));
    MultiLayerConfiguration conf = Dl4jSparkFixtures.classifier(3);

    SparkDl4jMultiLayer twice = new SparkDl4jMultiLayer(sc, conf,
        Dl4jSparkFixtures.master(2, 8, 3, sync));
    MultiLayerNetwork initialized = twice.getNetwork();
    MultiLayerNetwork fresh = new MultiLayerNetwork(conf);
    fresh.init();
    assertThat(NativeArrays.toFloats(initialized.params()))
        .isEqualTo(NativeArrays.toFloats(fresh.params()));

    float[] afterOne = NativeArrays.toFloats(twice.fit(data).params());
    assertThat(twice.getNetwork().getEpochCount()).isEqualTo(1);
    assertThat(twice.fit(data)).isSameAs(initialized);
    assertThat(twice.getNetwork().getEpochCount()).isEqualTo(2);
    // 120 examples, 60 per worker, batches of 8: 8 steps per epoch.
    assertThat(twice.getNetwork().getIterationCount()).isEqualTo(16);
    float[] afterTwo = NativeArrays.toFloats(twice.getNetwork().params());
    assertThat(afterTwo).isNotEqualTo(afterOne);

    SparkDl4jMultiLayer once = new SparkDl4jMultiLayer(sc, conf,
        Dl4jSparkFixtures.master(2, 8, 3, sync));
    float[] twoEpochs = NativeArrays.toFloats(once.fitEpochs(data, 2).params());
    assertThat(afterTwo).isEqualTo(twoEpochs);
    assertThat(NativeArrays.toFloats(twice.getNetwork().getUpdater().getStateViewArray()))
        .isEqualTo(NativeArrays.toFloats(once.getNetwork().getUpdater().getStateViewArray()));
  }

  @Test
  void regressionBinaryAndSoftLabelNetworksTrainAsDl4jsOwnFitWithOneWorker() {
    assertMatchesLocalFit(Dl4jSparkFixtures.network(2, Activation.IDENTITY,
        LossFunctions.LossFunction.MSE), "regression");
    assertMatchesLocalFit(Dl4jSparkFixtures.network(2, Activation.IDENTITY,
        LossFunctions.LossFunction.L1), "regression");
    assertMatchesLocalFit(Dl4jSparkFixtures.network(1, Activation.SIGMOID,
        LossFunctions.LossFunction.XENT), "binary");
    assertMatchesLocalFit(Dl4jSparkFixtures.classifier(3), "soft");
  }

  /** Image DataSets ([n, 1, 6, 6]) reach a CNN in their shape, as in DL4J's own fit. */
  @Test
  void aCnnTrainsOnFourDimensionalDataSetsAsDl4jsOwnFit() {
    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(4)
        .updater(new Adam(0.01)).weightInit(WeightInit.XAVIER).list()
        .layer(new ConvolutionLayer.Builder(3, 3).nOut(2).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .activation(Activation.SOFTMAX).nOut(3).build())
        .setInputType(InputType.convolutional(6, 6, 1)).build();
    Nd4j.getRandom().setSeed(9);
    List<DataSet> sets = new ArrayList<>();
    for (int s = 0; s < 3; s++) {
      INDArray labels = Nd4j.zeros(20, 3);
      for (int i = 0; i < 20; i++) {
        labels.putScalar(i, (s + i) % 3, 1.0);
      }
      sets.add(new DataSet(Nd4j.rand(DataType.FLOAT, 20, 1, 6, 6), labels));
    }
    assertMatchesLocalFit(conf, sets);
  }

  /**
   * Two epochs through the shim with one worker against DL4J's own {@code fit} on the same
   * minibatches in the same order (the engine's epoch permutation of the rows).
   */
  private void assertMatchesLocalFit(MultiLayerConfiguration conf, String labels) {
    assertMatchesLocalFit(conf, Dl4jSparkFixtures.dataSets(3, 20, labels, 2));
  }

  private void assertMatchesLocalFit(MultiLayerConfiguration conf, List<DataSet> sets) {
    SparkDl4jMultiLayer spark = new SparkDl4jMultiLayer(sc, conf,
        Dl4jSparkFixtures.master(1, 8, 4, "driver"));
    spark.fit(Dl4jSparkFixtures.rdd(sc, sets));
    spark.fit(Dl4jSparkFixtures.rdd(sc, sets));
    float[] trained = NativeArrays.toFloats(spark.getNetwork().params());

    MultiLayerNetwork local = new MultiLayerNetwork(conf);
    local.init();
    DataSet all = DataSet.merge(sets);
    EpochSchedule schedule = new EpochSchedule(60, 8, 4, 3);
    for (int epoch = 0; epoch < 2; epoch++) {
      int[] order = schedule.permutation(epoch, 0, 60);
      for (int step = 0; step < schedule.stepsPerEpoch(); step++) {
        int from = schedule.batchStart(step);
        int to = schedule.batchEnd(step, 60);
        local.fit(all.get(Arrays.copyOfRange(order, from, to)));
      }
    }
    float[] expected = NativeArrays.toFloats(local.params());
    double maxDiff = 0;
    for (int i = 0; i < expected.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(trained[i] - expected[i]));
    }
    assertThat(maxDiff).as(conf.getConf(1).getLayer().toString()).isLessThanOrEqualTo(1e-6);
    assertThat(trained).isNotEqualTo(NativeArrays.toFloats(initialParams(conf)));
  }

  private static INDArray initialParams(
      MultiLayerConfiguration conf) {
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net.params();
  }

  @Test
  void aPretrainedNetworkContinuesAndSetNetworkSwitches() {
    JavaRDD<DataSet> data = Dl4jSparkFixtures.rdd(sc,
        Dl4jSparkFixtures.dataSets(2, 30, "classes", 4));
    MultiLayerConfiguration conf = Dl4jSparkFixtures.classifier(3);
    SparkDl4jMultiLayer first = new SparkDl4jMultiLayer(sc, conf,
        Dl4jSparkFixtures.master(2, 10, 2, "driver"));
    first.fitEpochs(data, 3);

    // Two epochs, then one more on a second instance built with the trained network.
    SparkDl4jMultiLayer a = new SparkDl4jMultiLayer(sc, conf,
        Dl4jSparkFixtures.master(2, 10, 2, "driver"));
    a.fitEpochs(data, 2);
    SparkDl4jMultiLayer b = new SparkDl4jMultiLayer(sc.sc(), a.getNetwork(),
        Dl4jSparkFixtures.master(2, 10, 2, "driver"));
    b.fit(data);
    assertThat(b.getNetwork().getEpochCount()).isEqualTo(3);
    assertThat(NativeArrays.toFloats(b.getNetwork().params()))
        .isEqualTo(NativeArrays.toFloats(first.getNetwork().params()));

    MultiLayerNetwork other = new MultiLayerNetwork(conf);
    other.init();
    a.setNetwork(other);
    assertThat(a.getNetwork()).isSameAs(other);
    a.fit(data);
    assertThat(other.getEpochCount()).isEqualTo(1);
  }

  @Test
  void theBuilderChecksItsArgumentsAndRefusesWhatItCannotDo() {
    assertThatThrownBy(() -> new ParameterAveragingTrainingMaster.Builder(-1, 1))
        .hasMessageContaining("Invalid number of workers: -1");
    assertThatThrownBy(() -> new ParameterAveragingTrainingMaster.Builder(0))
        .hasMessageContaining("Invalid rdd data set size: 0");
    assertThatThrownBy(() -> new ParameterAveragingTrainingMaster.Builder(2, 1)
        .averagingFrequency(0)).hasMessageContaining("Invalid averaging frequency: 0");
    assertThatThrownBy(() -> new ParameterAveragingTrainingMaster.Builder(2, 1)
        .syncStrategy("ring")).hasMessageContaining("allowed: auto, collective, driver");
    ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(32)
        .batchSizePerWorker(7).averagingFrequency(3).workerPrefetchNumBatches(2)
        .saveUpdater(true).rddTrainingApproach(RDDTrainingApproach.Direct)
        .repartionData(Repartition.Always).repartitionStrategy(RepartitionStrategy.Balanced)
        .storageLevel(StorageLevel.MEMORY_ONLY())
        .exportDirectory("/tmp/x").collectTrainingStats(false).build();
    assertThat(master.engineSettings())
        .isEqualTo(new EngineSettings(0, 7, 3, 42, "auto"));
    SparkDl4jMultiLayer spark = new SparkDl4jMultiLayer(sc, Dl4jSparkFixtures.classifier(3),
        master);
    assertThatThrownBy(spark::getSparkTrainingStats)
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("TrainingMaster.getTrainingStats()")
        .hasMessageContaining("metrics.jsonl");
    SparkDl4jMultiLayer evaluateOnly = new SparkDl4jMultiLayer(sc, spark.getNetwork(), null);
    assertThatThrownBy(() -> evaluateOnly.fit(Dl4jSparkFixtures.rdd(sc,
        Dl4jSparkFixtures.dataSets(1, 4, "classes", 1))))
        .hasMessageContaining("without a TrainingMaster");
  }
}
