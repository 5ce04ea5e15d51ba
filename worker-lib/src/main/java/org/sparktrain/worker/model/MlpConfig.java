package org.sparktrain.worker.model;

import java.util.Arrays;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.sparktrain.worker.optim.OptimizerConfig;

/**
 * A multilayer perceptron: dense hidden layers with one activation, dropout after each hidden
 * layer, and a softmax (classification, cross-entropy) or identity (regression, MSE) output.
 *
 * @param dropout probability of DROPPING a hidden unit (PyTorch's convention; DL4J's own
 *     {@code dropOut} takes the retain probability, converted below)
 */
public record MlpConfig(int[] hidden, Activation activation, double dropout, boolean regression)
    implements ModelConfig {
  public static final String NAME = "mlp";

  public MlpConfig {
    if (hidden.length == 0) {
      throw new IllegalArgumentException("an MLP needs at least one hidden layer");
    }
    for (int h : hidden) {
      if (h < 1) {
        throw new IllegalArgumentException("hidden layer sizes must be >= 1: "
            + Arrays.toString(hidden));
      }
    }
    if (dropout < 0 || dropout >= 1) {
      throw new IllegalArgumentException("dropout must be in [0, 1): " + dropout);
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Kind kind() {
    return regression ? Kind.VALUES : Kind.CLASSES;
  }

  @Override
  public int outputWidth(int numClasses) {
    return regression ? 1 : numClasses;
  }

  @Override
  public boolean oneHotLabels() {
    return !regression;
  }

  @Override
  public NetworkConfig build(int numInputs, int numClasses, OptimizerConfig optimizer,
      long seed) {
    // He initialisation keeps ReLU activations from shrinking layer by layer; Xavier otherwise.
    WeightInit init = activation == Activation.RELU || activation == Activation.LEAKYRELU
        ? WeightInit.RELU : WeightInit.XAVIER;
    NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
        .seed(seed)
        .dataType(DataType.FLOAT)
        .updater(optimizer.toUpdater())
        .weightInit(init)
        .list();
    int in = numInputs;
    for (int i = 0; i < hidden.length; i++) {
      DenseLayer.Builder layer = new DenseLayer.Builder().nIn(in).nOut(hidden[i])
          .activation(activation);
      // DL4J applies a layer's dropout to its input: dropping after hidden layer i means
      // configuring it on layer i + 1.
      if (i > 0 && dropout > 0) {
        layer.dropOut(1.0 - dropout);
      }
      list.layer(layer.build());
      in = hidden[i];
    }
    OutputLayer.Builder out = regression
        ? new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
            .nOut(1)
        : new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .activation(Activation.SOFTMAX).nOut(numClasses);
    out.nIn(in);
    if (dropout > 0) {
      out.dropOut(1.0 - dropout);
    }
    return NetworkConfig.of(list.layer(out.build()).build());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MlpConfig m && Arrays.equals(hidden, m.hidden)
        && activation == m.activation && dropout == m.dropout && regression == m.regression;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(hidden) * 31 + activation.hashCode();
  }

  @Override
  public String toString() {
    return "MlpConfig[hidden=" + Arrays.toString(hidden) + ", activation=" + activation
        + ", dropout=" + dropout + ", regression=" + regression + "]";
  }
}
