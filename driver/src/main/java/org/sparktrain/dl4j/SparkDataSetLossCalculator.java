package org.sparktrain.dl4j;

import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.earlystopping.scorecalc.ScoreCalculator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

/**
 * DL4J's {@code SparkDataSetLossCalculator}: the network's loss on an RDD of DataSets, computed
 * on the executors ({@link SparkDl4jMultiLayer#calculateScore}); lower is better.
 */
public final class SparkDataSetLossCalculator implements ScoreCalculator<MultiLayerNetwork> {
  private final transient JavaRDD<DataSet> data;
  private final boolean average;
  private final transient SparkContext sc;

  public SparkDataSetLossCalculator(JavaRDD<DataSet> data, boolean average, SparkContext sc) {
    this.data = data;
    this.average = average;
    this.sc = sc;
  }

  @Override
  public double calculateScore(MultiLayerNetwork network) {
    return new SparkDl4jMultiLayer(JavaSparkContext.fromSparkContext(sc), network, null)
        .calculateScore(data, average);
  }

  @Override
  public boolean minimizeScore() {
    return true;
  }
}
