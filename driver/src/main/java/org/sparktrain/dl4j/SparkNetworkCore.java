package org.sparktrain.dl4j;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.linalg.Matrices;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.mllib.regression.LabeledPoint;
import org.nd4j.evaluation.IEvaluation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.worker.model.Network;

/**
 * What {@link SparkDl4jMultiLayer} and {@link SparkComputationGraph} share, written once over
 * sparktrain's {@link Network} (a layer stack or a graph): the network and its configuration,
 * the training master, training on the engine, and inference on the executors or the driver.
 */
final class SparkNetworkCore {
  /** Examples per LabeledPoint DataSet: the engine regroups rows anyway. */
  private static final int LABELED_POINTS_PER_DATASET = 256;

  private final JavaSparkContext sc;
  private final TrainingMaster<?, ?> master;
  private final String kind;
  private Network network;
  private String configurationJson;
  private double score = Double.NaN;
  /**
   * The epochs the network has trained: its own count when handed over, then one per epoch
   * here. Kept here rather than read back from the network, whose count lives in its
   * configuration and moves when another network built from the same configuration trains.
   */
  private int epochsDone;

  /**
   * @param kind the class's simple name, for messages
   * @param configurationJson the configuration as the program gave it (a clone, as DL4J keeps)
   */
  SparkNetworkCore(JavaSparkContext sc, Network network, String configurationJson,
      TrainingMaster<?, ?> master, String kind) {
    this.sc = sc;
    this.network = network;
    this.configurationJson = configurationJson;
    this.epochsDone = network.epochCount();
    this.master = master;
    this.kind = kind;
  }

  JavaSparkContext sc() {
    return sc;
  }

  TrainingMaster<?, ?> master() {
    return master;
  }

  Network network() {
    return network;
  }

  void setNetwork(Network network, String configurationJson) {
    this.network = network;
    this.configurationJson = configurationJson;
    this.epochsDone = network.epochCount();
  }

  double score() {
    return score;
  }

  void setScore(double score) {
    this.score = score;
  }

  /** {@code epochs} epochs on the engine, continuing from the network's current state. */
  void fit(JavaRDD<DataSet> data, int epochs, String method) {
    if (epochs < 1) {
      throw new IllegalArgumentException(kind + "." + method + ": epochs must be >= 1, got "
          + epochs);
    }
    score = EngineFit.fit(sc, network, configurationJson, master, data, epochsDone, epochs,
        kind + "." + method);
    epochsDone += epochs;
  }

  /** Accepted and ignored (logged once): listeners do not run inside the engine's workers. */
  void setListeners() {
    ParameterAveragingTrainingMaster.ignored(kind + ".setListeners", "listeners do not run "
        + "inside sparktrain's workers; getScore() gives the last round's training loss");
  }

  ExecutorInference onExecutors() {
    return new ExecutorInference(sc, configurationJson, network);
  }

  @SafeVarargs
  final <T extends IEvaluation> T[] evaluate(JavaRDD<DataSet> data, int batchSize,
      T... empty) {
    return onExecutors().evaluate(data, batchSize, empty);
  }

  /** DL4J's {@code calculateScore}: the mean (or sum) of the per-example scores. */
  double calculateScore(JavaRDD<DataSet> data, boolean average, int batchSize) {
    double[] countAndSum = onExecutors().scoreSum(data, batchSize);
    return average ? countAndSum[1] / countAndSum[0] : countAndSum[1];
  }

  /** The network's output for one example, on the driver. */
  Vector predict(Vector point) {
    INDArray row = Nd4j.create(point.toArray(), new long[] {1, point.size()}, 'c')
        .castTo(DataType.FLOAT);
    return Vectors.dense(network.output(row).castTo(DataType.DOUBLE).toDoubleVector());
  }

  /** The network's output for each row of {@code features}, on the driver. */
  Matrix predict(Matrix features) {
    // MLlib matrices are column-major.
    INDArray in = Nd4j.create(features.toArray(), new long[] {features.numRows(),
        features.numCols()}, 'f').castTo(DataType.FLOAT);
    INDArray out = network.output(in).castTo(DataType.DOUBLE).dup('f');
    return Matrices.dense((int) out.rows(), (int) out.columns(), out.data().asDouble());
  }

  /**
   * MLlib's labeled points as DataSets: the label one-hot over the output layer's width
   * (classes), or, {@code continuous}, as one target value.
   */
  JavaRDD<DataSet> fromLabeledPoints(JavaRDD<LabeledPoint> points, boolean continuous) {
    int classes = (int) network.outputWidth();
    String method = kind + (continuous ? ".fitContinuousLabeledPoint" : ".fitLabeledPoint");
    return points.mapPartitions(it -> {
      List<DataSet> out = new ArrayList<>();
      List<LabeledPoint> chunk = new ArrayList<>();
      while (it.hasNext()) {
        chunk.add(it.next());
        if (chunk.size() == LABELED_POINTS_PER_DATASET || !it.hasNext()) {
          out.add(toDataSet(chunk, classes, continuous, method));
          chunk.clear();
        }
      }
      return out.iterator();
    });
  }

  private static DataSet toDataSet(List<LabeledPoint> points, int classes, boolean continuous,
      String method) {
    int n = points.size();
    int width = points.get(0).features().size();
    float[] x = new float[n * width];
    float[] y = new float[n * (continuous ? 1 : classes)];
    for (int i = 0; i < n; i++) {
      double[] f = points.get(i).features().toArray();
      for (int j = 0; j < width; j++) {
        x[i * width + j] = (float) f[j];
      }
      double label = points.get(i).label();
      if (continuous) {
        y[i] = (float) label;
      } else if (label != Math.rint(label) || label < 0 || label >= classes) {
        throw new IllegalArgumentException(method + ": label " + label + " is not a class of "
            + "the output layer's " + classes + " (an integer 0.." + (classes - 1) + "); for "
            + "a regression target use fitContinuousLabeledPoint");
      } else {
        y[i * classes + (int) label] = 1f;
      }
    }
    return new DataSet(Nd4j.create(x, new long[] {n, width}, 'c'),
        Nd4j.create(y, new long[] {n, continuous ? 1 : classes}, 'c'));
  }
}
