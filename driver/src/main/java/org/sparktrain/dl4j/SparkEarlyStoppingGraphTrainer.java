package org.sparktrain.dl4j;

import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.earlystopping.EarlyStoppingConfiguration;
import org.deeplearning4j.earlystopping.EarlyStoppingResult;
import org.deeplearning4j.earlystopping.listener.EarlyStoppingListener;
import org.deeplearning4j.earlystopping.trainer.IEarlyStoppingTrainer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * DL4J's {@code SparkEarlyStoppingGraphTrainer}: {@link SparkEarlyStoppingTrainer} for graphs,
 * each epoch a {@link SparkComputationGraph#fitMultiDataSet} on sparktrain's engine.
 */
public final class SparkEarlyStoppingGraphTrainer
    implements IEarlyStoppingTrainer<ComputationGraph> {
  private final SparkEarlyStopping<ComputationGraph> loop;

  public SparkEarlyStoppingGraphTrainer(SparkContext sc, TrainingMaster<?, ?> trainingMaster,
      EarlyStoppingConfiguration<ComputationGraph> esConfig, ComputationGraph net,
      JavaRDD<MultiDataSet> train) {
    this(JavaSparkContext.fromSparkContext(sc), trainingMaster, esConfig, net, train, null);
  }

  public SparkEarlyStoppingGraphTrainer(JavaSparkContext sc,
      TrainingMaster<?, ?> trainingMaster, EarlyStoppingConfiguration<ComputationGraph> esConfig,
      ComputationGraph net, JavaRDD<MultiDataSet> train,
      EarlyStoppingListener<ComputationGraph> listener) {
    SparkComputationGraph spark = new SparkComputationGraph(sc, net, trainingMaster);
    this.loop = new SparkEarlyStopping<>(esConfig, spark.getNetwork(),
        () -> spark.fitMultiDataSet(train), spark::getScore);
    loop.setListener(listener);
  }

  @Override
  public EarlyStoppingResult<ComputationGraph> fit() {
    return loop.fit();
  }

  /** Refused: layer-wise pretraining does not run on the engine. */
  @Override
  public EarlyStoppingResult<ComputationGraph> pretrain() {
    throw Refusal.of("SparkEarlyStoppingGraphTrainer.pretrain()", "pretrain locally "
        + "(ComputationGraph.pretrain), then train with fit()");
  }

  @Override
  public void setListener(EarlyStoppingListener<ComputationGraph> listener) {
    loop.setListener(listener);
  }
}
