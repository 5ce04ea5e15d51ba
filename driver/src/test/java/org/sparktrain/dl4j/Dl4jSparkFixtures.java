package org.sparktrain.dl4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small networks and data sets, built as a DL4J program builds them, for the shim's tests. */
final class Dl4jSparkFixtures {
  static final int INPUTS = 4;

  private Dl4jSparkFixtures() {}

  /** A network of one hidden layer over {@value #INPUTS} inputs with the given output layer. */
  static MultiLayerConfiguration network(int outputs, Activation activation,
      LossFunctions.LossFunction loss) {
    return new NeuralNetConfiguration.Builder().seed(12345).updater(new Adam(0.02))
        .weightInit(WeightInit.XAVIER).list()
        .layer(new DenseLayer.Builder().nIn(INPUTS).nOut(10).activation(Activation.TANH)
            .build())
        .layer(new OutputLayer.Builder(loss).activation(activation).nIn(10).nOut(outputs)
            .build())
        .build();
  }

  static MultiLayerConfiguration classifier(int classes) {
    return network(classes, Activation.SOFTMAX, LossFunctions.LossFunction.MCXENT);
  }

  /**
   * {@code sets} DataSets of {@code perSet} examples: features uniform in [-1, 1], labels by
   * {@code kind}: "classes" (one-hot of 3 classes by the sign pattern), "binary" (one 0/1
   * column), "regression" (two continuous targets) or "soft" (3 class probabilities).
   */
  static List<DataSet> dataSets(int sets, int perSet, String kind, long seed) {
    Random random = new Random(seed);
    List<DataSet> out = new ArrayList<>();
    for (int s = 0; s < sets; s++) {
      int width = switch (kind) {
        case "binary" -> 1;
        case "regression" -> 2;
        default -> 3;
      };
      float[] x = new float[perSet * INPUTS];
      float[] y = new float[perSet * width];
      for (int i = 0; i < perSet; i++) {
        for (int j = 0; j < INPUTS; j++) {
          x[i * INPUTS + j] = random.nextFloat() * 2 - 1;
        }
        float a = x[i * INPUTS];
        float b = x[i * INPUTS + 1];
        switch (kind) {
          case "binary" -> y[i] = a + b > 0 ? 1 : 0;
          case "regression" -> {
            y[i * 2] = 0.5f * a - b;
            y[i * 2 + 1] = a * b;
          }
          case "soft" -> {
            double[] e = {Math.exp(2 * a), Math.exp(2 * b), 1};
            double sum = e[0] + e[1] + e[2];
            for (int c = 0; c < 3; c++) {
              y[i * 3 + c] = (float) (e[c] / sum);
            }
          }
          default -> y[i * 3 + (a > 0 ? (b > 0 ? 0 : 1) : 2)] = 1;
        }
      }
      out.add(new DataSet(Nd4j.create(x, new long[] {perSet, INPUTS}, 'c'),
          Nd4j.create(y, new long[] {perSet, width}, 'c')));
    }
    return out;
  }

  static JavaRDD<DataSet> rdd(JavaSparkContext sc, List<DataSet> sets) {
    return sc.parallelize(sets, 2);
  }

  static ParameterAveragingTrainingMaster master(int workers, int batch, int averaging,
      String sync) {
    return new ParameterAveragingTrainingMaster.Builder(workers, 1).batchSizePerWorker(batch)
        .averagingFrequency(averaging).rngSeed(3).syncStrategy(sync).build();
  }

  /** A MultiDataSet of several inputs and outputs, without masks. */
  static MultiDataSet multiDataSet(INDArray[] features, INDArray[] labels) {
    return new MultiDataSet(features, labels);
  }
}
