package org.sparktrain.worker.model.transformer;

import java.util.Random;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/** Small networks and inputs for the transformer tests. */
final class TinyNetworks {
  private TinyNetworks() {}

  /** One layer alone, its output the network's output. */
  static MultiLayerNetwork alone(Layer layer, DataType dataType) {
    MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
        .seed(12).dataType(dataType).updater(new NoOp()).list().layer(layer).build());
    net.init();
    return net;
  }

  /** One layer followed by a softmax over {@code classes} per position, for gradient checks. */
  static MultiLayerNetwork withSoftmaxHead(Layer layer, int width, int classes) {
    MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
        .seed(12).dataType(DataType.DOUBLE).updater(new NoOp()).weightInit(WeightInit.XAVIER)
        .list()
        .layer(layer)
        .layer(new RnnOutputLayer.Builder(new LossMCXENT()).nIn(width).nOut(classes)
            .activation(Activation.SOFTMAX).dataFormat(RNNFormat.NCW).build())
        .build());
    net.init();
    return net;
  }

  /** Every parameter from N(0, std): LayerNorm gains and biases then matter in a comparison. */
  static void randomizeParams(MultiLayerNetwork net, long seed, double std) {
    Nd4j.getRandom().setSeed(seed);
    net.params().assign(Nd4j.randn(net.params().dataType(), net.params().shape()).muli(std));
  }

  /**
   * The values of {@code a} in C order, for exact comparisons: ND4J's {@code equals} allows a
   * difference of 1e-5.
   */
  static float[] exactly(INDArray a) {
    return a.dup('c').data().asFloat();
  }

  /** Token ids [batch, 1, T] drawn uniformly. */
  static INDArray tokens(int batch, int positions, int vocab, long seed, DataType dataType) {
    Random random = new Random(seed);
    INDArray ids = Nd4j.create(dataType, batch, 1, positions);
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < positions; t++) {
        ids.putScalar(new long[] {b, 0, t}, random.nextInt(vocab));
      }
    }
    return ids;
  }

  /** One-hot [batch, classes, T] of random classes. */
  static INDArray oneHotSequence(int batch, int classes, int positions, long seed) {
    Random random = new Random(seed);
    INDArray labels = Nd4j.zeros(DataType.DOUBLE, batch, classes, positions);
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < positions; t++) {
        labels.putScalar(new long[] {b, random.nextInt(classes), t}, 1.0);
      }
    }
    return labels;
  }
}
