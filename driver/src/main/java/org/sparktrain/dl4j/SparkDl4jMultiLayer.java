package org.sparktrain.dl4j;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.worker.model.Network;

/**
 * For Deeplearning4j Spark users: the shape of their {@code SparkDl4jMultiLayer}
 * ({@code fit(JavaRDD<DataSet>)}, {@code getNetwork()}, {@code evaluate}) over sparktrain's
 * engine, so their program changes an import and a constructor. The configuration trains as it
 * is (its layers, initialization and updater); {@link Options} holds what their
 * TrainingMaster held (batch size per worker, averaging frequency, workers) plus epochs.
 * Features are not normalized: DL4J programs normalize their DataSets themselves.
 */
public final class SparkDl4jMultiLayer {
  /**
   * @param runDir the run directory (checkpoints, metrics, report); null = a temporary one,
   *     removed after {@code fit}
   */
  public record Options(int epochs, int batchSizePerWorker, int averagingFrequency, int workers,
      long seed, String runDir) {
    public static Options defaults() {
      return new Options(1, 32, 5, 2, 42, null);
    }
  }

  private final JavaSparkContext sc;
  private final MultiLayerConfiguration conf;
  private final Options options;
  private MultiLayerNetwork network;

  public SparkDl4jMultiLayer(JavaSparkContext sc, MultiLayerConfiguration conf) {
    this(sc, conf, Options.defaults());
  }

  public SparkDl4jMultiLayer(JavaSparkContext sc, MultiLayerConfiguration conf,
      Options options) {
    this.sc = sc;
    this.conf = conf;
    this.options = options;
  }

  /**
   * Trains on every example of {@code data} ({@code options.epochs()} passes) and returns the
   * trained network. Examples keep their order (DataSets in partition order, rows in order), so
   * the same RDD trains to the same parameters.
   */
  public MultiLayerNetwork fit(JavaRDD<DataSet> data) {
    int outputs = (int) ((org.deeplearning4j.nn.conf.layers.FeedForwardLayer) conf.getConf(
        conf.getConfs().size() - 1).getLayer()).getNOut();
    network = Dl4jSparkJobs.fit(sc, data, conf.toJson(), outputs, options,
        "SparkDl4jMultiLayer.fit").network().layers();
    return network;
  }

  /** The trained network (after {@link #fit}). */
  public MultiLayerNetwork getNetwork() {
    if (network == null) {
      throw new IllegalStateException("fit first: there is no trained network yet");
    }
    return network;
  }

  /**
   * Classification metrics of the trained network on {@code data}, computed on the executors
   * (each partition's DataSets where they are) and merged.
   */
  public Evaluation evaluate(JavaRDD<DataSet> data) {
    return Dl4jSparkJobs.evaluate(data, Network.wrap(getNetwork()));
  }
}
