package org.sparktrain.dl4j;

import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.earlystopping.scorecalc.ScoreCalculator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * DL4J's {@code SparkLossCalculatorComputationGraph}: a graph's loss on an RDD of
 * MultiDataSets, computed on the executors; lower is better.
 */
public final class SparkLossCalculatorComputationGraph
    implements ScoreCalculator<ComputationGraph> {
  private final transient JavaRDD<MultiDataSet> data;
  private final boolean average;
  private final transient SparkContext sc;

  public SparkLossCalculatorComputationGraph(JavaRDD<MultiDataSet> data, boolean average,
      SparkContext sc) {
    this.data = data;
    this.average = average;
    this.sc = sc;
  }

  @Override
  public double calculateScore(ComputationGraph network) {
    return new SparkComputationGraph(JavaSparkContext.fromSparkContext(sc), network, null)
        .calculateScoreMultiDataSet(data, average);
  }

  @Override
  public boolean minimizeScore() {
    return true;
  }
}
