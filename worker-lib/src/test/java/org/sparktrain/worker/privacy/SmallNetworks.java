package org.sparktrain.worker.privacy;

import java.util.Random;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.train.NativeArrays;

/** The DP-SGD tests' networks and data: an MLP 4-8-3 and a logistic regression. */
final class SmallNetworks {
  static final int INPUTS = 4;
  static final int CLASSES = 3;

  private SmallNetworks() {}

  /** 4 -> 8 (tanh) -> 3 (softmax, cross-entropy), as a layer stack. */
  static Network mlp(IUpdater updater) {
    return Network.of(new NeuralNetConfiguration.Builder().seed(7).updater(updater)
        .weightInit(WeightInit.XAVIER).list()
        .layer(new DenseLayer.Builder().nIn(INPUTS).nOut(8).activation(Activation.TANH).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(CLASSES)
            .activation(Activation.SOFTMAX).build())
        .build());
  }

  /** The same MLP as a computation graph. */
  static Network mlpGraph(IUpdater updater) {
    ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7)
        .updater(updater).weightInit(WeightInit.XAVIER).graphBuilder()
        .addInputs("in")
        .addLayer("hidden", new DenseLayer.Builder().nIn(INPUTS).nOut(8)
            .activation(Activation.TANH).build(), "in")
        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8)
            .nOut(CLASSES).activation(Activation.SOFTMAX).build(), "hidden")
        .setOutputs("out").build();
    return Network.of(conf);
  }

  /** 4 -> 1 (sigmoid, binary cross-entropy). */
  static Network logistic(IUpdater updater) {
    return Network.of(new NeuralNetConfiguration.Builder().seed(7).updater(updater)
        .weightInit(WeightInit.XAVIER).list()
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(INPUTS).nOut(1)
            .activation(Activation.SIGMOID).build())
        .build());
  }

  /** {@code rows} Gaussian inputs with one-hot labels over {@code classes} (1: a 0/1 label). */
  static DataSet data(int rows, int classes, long seed) {
    Random random = new Random(seed);
    float[] x = new float[rows * INPUTS];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (2 * random.nextGaussian());
    }
    int width = Math.max(classes, 1);
    float[] y = new float[rows * width];
    for (int r = 0; r < rows; r++) {
      if (classes == 1) {
        y[r] = random.nextBoolean() ? 1f : 0f;
      } else {
        y[r * width + random.nextInt(classes)] = 1f;
      }
    }
    return new DataSet(NativeArrays.fromFloats(x, rows, INPUTS),
        NativeArrays.fromFloats(y, rows, width));
  }

  /** A copy of the network, parameters and optimizer state included. */
  static Network copy(Network net) {
    return net.isGraph() ? Network.wrap(net.graph().clone()) : Network.wrap(net.layers().clone());
  }
}
