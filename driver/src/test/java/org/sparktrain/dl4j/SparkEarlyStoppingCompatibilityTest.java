package org.sparktrain.dl4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.earlystopping.EarlyStoppingConfiguration;
import org.deeplearning4j.earlystopping.EarlyStoppingResult;
import org.deeplearning4j.earlystopping.listener.EarlyStoppingListener;
import org.deeplearning4j.earlystopping.saver.InMemoryModelSaver;
import org.deeplearning4j.earlystopping.termination.MaxEpochsTerminationCondition;
import org.deeplearning4j.earlystopping.termination.MaxScoreIterationTerminationCondition;
import org.deeplearning4j.earlystopping.termination.MaxTimeIterationTerminationCondition;
import org.deeplearning4j.earlystopping.termination.ScoreImprovementEpochTerminationCondition;
import org.deeplearning4j.earlystopping.trainer.IEarlyStoppingTrainer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.sparktrain.driver.testing.SharedSpark;

/**
 * Scenarios of dl4j-spark's {@code TestEarlyStoppingSpark} and
 * {@code TestEarlyStoppingSparkCompGraph} on the shim, with DL4J's own early-stopping
 * configuration, conditions, savers and listeners.
 */
class SparkEarlyStoppingCompatibilityTest {
  private final JavaSparkContext sc = SharedSpark.context();
  private final List<DataSet> sets = Dl4jSparkFixtures.dataSets(3, 30, "classes", 11);
  private final JavaRDD<DataSet> data = sc.parallelize(sets);

  private static MultiLayerConfiguration outputOnly(double learningRate,
      LossFunctions.LossFunction loss, Activation activation) {
    return new NeuralNetConfiguration.Builder().seed(12345).updater(new Sgd(learningRate))
        .weightInit(WeightInit.XAVIER).list()
        .layer(0, new OutputLayer.Builder().nIn(4).nOut(3).activation(activation)
            .lossFunction(loss).build())
        .build();
  }

  /** testEarlyStoppingIris and testListeners: five epochs, scored by the Spark calculator. */
  @Test
  void stopsAfterMaxEpochsWithTheBestModelAndCallsTheListener() {
    MultiLayerNetwork net = new MultiLayerNetwork(outputOnly(0.1,
        LossFunctions.LossFunction.MCXENT, Activation.SOFTMAX));
    EarlyStoppingConfiguration<MultiLayerNetwork> esConf =
        new EarlyStoppingConfiguration.Builder<MultiLayerNetwork>()
            .epochTerminationConditions(new MaxEpochsTerminationCondition(5))
            .iterationTerminationConditions(
                new MaxTimeIterationTerminationCondition(2, TimeUnit.MINUTES))
            .scoreCalculator(new SparkDataSetLossCalculator(data, true, sc.sc()))
            .modelSaver(new InMemoryModelSaver<>()).build();
    IEarlyStoppingTrainer<MultiLayerNetwork> trainer = new SparkEarlyStoppingTrainer(sc.sc(),
        new ParameterAveragingTrainingMaster.Builder(10).saveUpdater(true)
            .batchSizePerWorker(15).averagingFrequency(2).build(),
        esConf, net, data);
    CountingListener<MultiLayerNetwork> listener = new CountingListener<>();
    trainer.setListener(listener);
    EarlyStoppingResult<MultiLayerNetwork> result = trainer.fit();

    assertThat(result.getTotalEpochs()).isEqualTo(5);
    assertThat(result.getTerminationReason())
        .isEqualTo(EarlyStoppingResult.TerminationReason.EpochTerminationCondition);
    assertThat(result.getScoreVsEpoch()).hasSize(5);
    assertThat(result.getTerminationDetails())
        .isEqualTo(esConf.getEpochTerminationConditions().get(0).toString());
    double score = result.getBestModel().score(DataSet.merge(sets));
    assertThat(result.getBestModelScore()).isCloseTo(score, within(1e-3));
    assertThat(listener.starts).isEqualTo(1);
    assertThat(listener.epochs).isEqualTo(5);
    assertThat(listener.completions).isEqualTo(1);
  }

  /** testBadTuning: a huge learning rate ends on the iteration condition (or as an error). */
  @Test
  void aHugeLearningRateStopsOnTheScoreCondition() {
    MultiLayerNetwork net = new MultiLayerNetwork(outputOnly(10.0,
        LossFunctions.LossFunction.MSE, Activation.IDENTITY));
    EarlyStoppingConfiguration<MultiLayerNetwork> esConf =
        new EarlyStoppingConfiguration.Builder<MultiLayerNetwork>()
            .epochTerminationConditions(new MaxEpochsTerminationCondition(5000))
            .iterationTerminationConditions(new MaxScoreIterationTerminationCondition(7.5))
            .scoreCalculator(new SparkDataSetLossCalculator(data, true, sc.sc()))
            .modelSaver(new InMemoryModelSaver<>()).build();
    EarlyStoppingResult<MultiLayerNetwork> result = new SparkEarlyStoppingTrainer(sc.sc(),
        new ParameterAveragingTrainingMaster(true, 2, 1, 10, 1, 0), esConf, net, data).fit();
    assertThat(result.getTotalEpochs()).isLessThan(5);
    if (result.getTerminationReason() == EarlyStoppingResult.TerminationReason.Error) {
      assertThat(result.getTerminationDetails()).contains("diverged");
    } else {
      assertThat(result.getTerminationReason())
          .isEqualTo(EarlyStoppingResult.TerminationReason.IterationTerminationCondition);
      assertThat(result.getTerminationDetails())
          .isEqualTo(new MaxScoreIterationTerminationCondition(7.5).toString());
    }
  }

  /** testNoImprovementNEpochsTermination: a learning rate of 0 never improves. */
  @Test
  void noImprovementStopsAfterThePatience() {
    MultiLayerNetwork net = new MultiLayerNetwork(outputOnly(0.0,
        LossFunctions.LossFunction.MCXENT, Activation.SOFTMAX));
    EarlyStoppingConfiguration<MultiLayerNetwork> esConf =
        new EarlyStoppingConfiguration.Builder<MultiLayerNetwork>()
            .epochTerminationConditions(new MaxEpochsTerminationCondition(100),
                new ScoreImprovementEpochTerminationCondition(2))
            .scoreCalculator(new SparkDataSetLossCalculator(data, true, sc.sc()))
            .modelSaver(new InMemoryModelSaver<>()).build();
    EarlyStoppingResult<MultiLayerNetwork> result = new SparkEarlyStoppingTrainer(sc.sc(),
        new ParameterAveragingTrainingMaster(true, 2, 1, 45, 1, 0), esConf, net, data).fit();
    assertThat(result.getTotalEpochs()).isEqualTo(3);
    assertThat(result.getBestModelEpoch()).isEqualTo(0);
    assertThat(result.getTerminationDetails())
        .isEqualTo(new ScoreImprovementEpochTerminationCondition(2).toString());
  }

  /** TestEarlyStoppingSparkCompGraph's testEarlyStoppingIris, on MultiDataSets. */
  @Test
  void aGraphStopsAfterMaxEpochsScoredOnMultiDataSets() {
    ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(12345)
        .updater(new Sgd(0.1)).weightInit(WeightInit.XAVIER).graphBuilder().addInputs("in")
        .addLayer("0", new OutputLayer.Builder().nIn(4).nOut(3)
            .lossFunction(LossFunctions.LossFunction.MCXENT).build(), "in")
        .setOutputs("0").build();
    ComputationGraph net = new ComputationGraph(conf);
    List<MultiDataSet> mds = new ArrayList<>();
    sets.forEach(ds -> mds.add(ds.toMultiDataSet()));
    JavaRDD<MultiDataSet> mdsData = sc.parallelize(mds);
    EarlyStoppingConfiguration<ComputationGraph> esConf =
        new EarlyStoppingConfiguration.Builder<ComputationGraph>()
            .epochTerminationConditions(new MaxEpochsTerminationCondition(3))
            .scoreCalculator(new SparkLossCalculatorComputationGraph(mdsData, true, sc.sc()))
            .modelSaver(new InMemoryModelSaver<>()).build();
    EarlyStoppingResult<ComputationGraph> result = new SparkEarlyStoppingGraphTrainer(sc.sc(),
        new ParameterAveragingTrainingMaster.Builder(10).batchSizePerWorker(15)
            .averagingFrequency(2).build(), esConf, net, mdsData).fit();
    assertThat(result.getTotalEpochs()).isEqualTo(3);
    assertThat(result.getScoreVsEpoch()).hasSize(3);
    assertThat(result.getBestModelScore()).isCloseTo(
        result.getBestModel().score(DataSet.merge(sets)), within(1e-3));
  }

  private static final class CountingListener<T extends Model>
      implements EarlyStoppingListener<T> {
    int starts;
    int epochs;
    int completions;

    @Override
    public void onStart(EarlyStoppingConfiguration<T> conf, T net) {
      starts++;
    }

    @Override
    public void onEpoch(int epochNum, double score, EarlyStoppingConfiguration<T> conf,
        T net) {
      epochs++;
    }

    @Override
    public void onCompletion(EarlyStoppingResult<T> result) {
      completions++;
    }
  }
}
