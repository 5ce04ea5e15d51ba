package org.sparktrain.dl4j;

import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.earlystopping.EarlyStoppingConfiguration;
import org.deeplearning4j.earlystopping.EarlyStoppingResult;
import org.deeplearning4j.earlystopping.listener.EarlyStoppingListener;
import org.deeplearning4j.earlystopping.trainer.IEarlyStoppingTrainer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

/**
 * DL4J's {@code SparkEarlyStoppingTrainer}: early stopping with DL4J's
 * {@link EarlyStoppingConfiguration}, each epoch a {@link SparkDl4jMultiLayer#fit} on
 * sparktrain's engine. Score with {@link SparkDataSetLossCalculator} to keep scoring on the
 * executors.
 */
public final class SparkEarlyStoppingTrainer implements IEarlyStoppingTrainer<MultiLayerNetwork> {
  private final SparkEarlyStopping<MultiLayerNetwork> loop;

  public SparkEarlyStoppingTrainer(SparkContext sc, TrainingMaster<?, ?> trainingMaster,
      EarlyStoppingConfiguration<MultiLayerNetwork> esConfig,
      MultiLayerConfiguration configuration, JavaRDD<DataSet> train) {
    this(new SparkDl4jMultiLayer(sc, configuration, trainingMaster), esConfig, train, null);
  }

  public SparkEarlyStoppingTrainer(JavaSparkContext sc, TrainingMaster<?, ?> trainingMaster,
      EarlyStoppingConfiguration<MultiLayerNetwork> esConfig,
      MultiLayerConfiguration configuration, JavaRDD<DataSet> train) {
    this(new SparkDl4jMultiLayer(sc, configuration, trainingMaster), esConfig, train, null);
  }

  public SparkEarlyStoppingTrainer(SparkContext sc, TrainingMaster<?, ?> trainingMaster,
      EarlyStoppingConfiguration<MultiLayerNetwork> esConfig, MultiLayerNetwork net,
      JavaRDD<DataSet> train) {
    this(new SparkDl4jMultiLayer(sc, net, trainingMaster), esConfig, train, null);
  }

  public SparkEarlyStoppingTrainer(JavaSparkContext sc, TrainingMaster<?, ?> trainingMaster,
      EarlyStoppingConfiguration<MultiLayerNetwork> esConfig, MultiLayerNetwork net,
      JavaRDD<DataSet> train, EarlyStoppingListener<MultiLayerNetwork> listener) {
    this(new SparkDl4jMultiLayer(sc, net, trainingMaster), esConfig, train, listener);
  }

  private SparkEarlyStoppingTrainer(SparkDl4jMultiLayer spark,
      EarlyStoppingConfiguration<MultiLayerNetwork> esConfig, JavaRDD<DataSet> train,
      EarlyStoppingListener<MultiLayerNetwork> listener) {
    this.loop = new SparkEarlyStopping<>(esConfig, spark.getNetwork(), () -> spark.fit(train),
        spark::getScore);
    loop.setListener(listener);
  }

  @Override
  public EarlyStoppingResult<MultiLayerNetwork> fit() {
    return loop.fit();
  }

  /** Refused: layer-wise pretraining does not run on the engine. */
  @Override
  public EarlyStoppingResult<MultiLayerNetwork> pretrain() {
    throw Refusal.of("SparkEarlyStoppingTrainer.pretrain()", "pretrain layer-wise locally "
        + "(MultiLayerNetwork.pretrain), then train with fit()");
  }

  @Override
  public void setListener(EarlyStoppingListener<MultiLayerNetwork> listener) {
    loop.setListener(listener);
  }
}
