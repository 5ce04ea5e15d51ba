package org.sparktrain.worker.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.sparktrain.worker.optim.OptimizerConfig;

/**
 * The textbook logistic unit: one sigmoid output trained with mean squared error, for binary
 * labels 0 and 1. No hyperparameters of its own.
 */
public record LogisticConfig() implements ModelConfig {
  public static final String NAME = "logistic";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Kind kind() {
    return Kind.CLASSES;
  }

  @Override
  public int outputWidth(int numClasses) {
    return 1;
  }

  @Override
  public boolean oneHotLabels() {
    return false;
  }

  @Override
  public NetworkConfig build(int numInputs, int numClasses, OptimizerConfig optimizer,
      long seed) {
    if (numClasses != 2) {
      throw new IllegalArgumentException("model 'logistic' is binary: data.numClasses must be 2, "
          + "got " + numClasses + " (use model 'mlp' for more classes)");
    }
    return NetworkConfig.of(new NeuralNetConfiguration.Builder()
        .seed(seed)
        .dataType(DataType.FLOAT)
        .updater(optimizer.toUpdater())
        .weightInit(WeightInit.XAVIER)
        .list()
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
            .nIn(numInputs).nOut(1).activation(Activation.SIGMOID).build())
        .build());
  }
}
