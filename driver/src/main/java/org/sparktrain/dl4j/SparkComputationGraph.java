package org.sparktrain.dl4j;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.worker.model.Network;

/**
 * For Deeplearning4j Spark users with graphs: the shape of their {@code SparkComputationGraph}
 * ({@code fit(JavaRDD<DataSet>)}, {@code getNetwork()}, {@code evaluate}) over sparktrain's
 * engine, as {@link SparkDl4jMultiLayer} is for layer stacks. Graphs with one input and one
 * output (a {@code DataSet}, not a {@code MultiDataSet}); the configuration trains as it is.
 * Features are not normalized: DL4J programs normalize their DataSets themselves.
 */
public final class SparkComputationGraph {
  private final JavaSparkContext sc;
  private final ComputationGraphConfiguration conf;
  private final SparkDl4jMultiLayer.Options options;
  private ComputationGraph network;

  public SparkComputationGraph(JavaSparkContext sc, ComputationGraphConfiguration conf) {
    this(sc, conf, SparkDl4jMultiLayer.Options.defaults());
  }

  /** @param options what DL4J's TrainingMaster held, plus epochs (shared with the stack's) */
  public SparkComputationGraph(JavaSparkContext sc, ComputationGraphConfiguration conf,
      SparkDl4jMultiLayer.Options options) {
    if (conf.getNetworkInputs().size() != 1 || conf.getNetworkOutputs().size() != 1) {
      throw new IllegalArgumentException("SparkComputationGraph trains graphs with one input "
          + "and one output; this one has inputs " + conf.getNetworkInputs() + " and outputs "
          + conf.getNetworkOutputs());
    }
    this.sc = sc;
    this.conf = conf;
    this.options = options;
  }

  /**
   * Trains on every example of {@code data} ({@code options.epochs()} passes) and returns the
   * trained graph. Examples keep their order, so the same RDD trains to the same parameters.
   */
  public ComputationGraph fit(JavaRDD<DataSet> data) {
    GraphVertex out = conf.getVertices().get(conf.getNetworkOutputs().get(0));
    if (!(out instanceof LayerVertex lv
        && lv.getLayerConf().getLayer() instanceof FeedForwardLayer layer)) {
      throw new IllegalArgumentException("the graph's output '" + conf.getNetworkOutputs()
          .get(0) + "' must be an output layer");
    }
    network = Dl4jSparkJobs.fit(sc, data, conf.toJson(), (int) layer.getNOut(), options,
        "SparkComputationGraph.fit").network().graph();
    return network;
  }

  /** The trained graph (after {@link #fit}). */
  public ComputationGraph getNetwork() {
    if (network == null) {
      throw new IllegalStateException("fit first: there is no trained network yet");
    }
    return network;
  }

  /**
   * Classification metrics of the trained graph on {@code data}, computed on the executors
   * (each partition's DataSets where they are) and merged.
   */
  public Evaluation evaluate(JavaRDD<DataSet> data) {
    return Dl4jSparkJobs.evaluate(data, Network.wrap(getNetwork()));
  }
}
