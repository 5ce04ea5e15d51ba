package org.sparktrain.worker.model;

import java.util.Arrays;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.sparktrain.worker.optim.OptimizerConfig;

/**
 * A residual CNN in the CIFAR layout of He et al. (2016, section 4.2): a 3x3 stem, then stages
 * of basic blocks (3x3 conv, batch norm, ReLU, 3x3 conv, batch norm, plus the shortcut, ReLU).
 * Every stage after the first halves the resolution with a stride-2 first block, whose shortcut
 * is a 1x1 stride-2 projection with batch norm (a 1x1 projection also where only the width
 * changes); all other shortcuts are identities. Global average pooling and a softmax classify.
 *
 * <p>Rows arrive flat in CHW order (channel, then row, then column: an IDX image row as it is)
 * and the graph reshapes them. Batch-norm running means and variances are part of DL4J's flat
 * parameter view, so parameter averaging averages them across workers with the weights.
 *
 * @param imageShape height, width and channels of the input; null to read a row of n values as
 *     a square single-channel image (28x28 for 784)
 * @param stemWidth channels of the stem convolution
 * @param stemStride 1, or 2 to halve the resolution in the stem: the blocks then cost a
 *     quarter (on a CPU, 3x3 convolutions over few channels at full resolution dominate)
 * @param stageWidths channels of each stage; its length is the number of stages
 * @param blocksPerStage residual blocks per stage (depth = 2 x stages x blocks + 2 layers)
 */
public record ResNetConfig(int[] imageShape, int stemWidth, int stemStride, int[] stageWidths,
    int blocksPerStage) implements ModelConfig {
  public static final String NAME = "resnet";
  private static final String INPUT = "input";

  public ResNetConfig {
    if (imageShape != null && (imageShape.length != 3 || Arrays.stream(imageShape)
        .anyMatch(v -> v < 1))) {
      throw new IllegalArgumentException("image shape must be [height, width, channels], all "
          + ">= 1: " + Arrays.toString(imageShape));
    }
    if (stemStride < 1 || stemStride > 2) {
      throw new IllegalArgumentException("stemStride must be 1 or 2, got " + stemStride);
    }
    if (stemWidth < 1 || stageWidths.length == 0 || blocksPerStage < 1
        || Arrays.stream(stageWidths).anyMatch(v -> v < 1)) {
      throw new IllegalArgumentException("a resnet needs stemWidth >= 1, at least one stage "
          + "width, all >= 1, and blocksPerStage >= 1");
    }
  }

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
    return numClasses;
  }

  @Override
  public boolean oneHotLabels() {
    return true;
  }

  /** [height, width, channels] for rows of {@code numInputs} values. */
  @Override
  public int[] imageShape(int numInputs) {
    if (imageShape != null) {
      if ((long) imageShape[0] * imageShape[1] * imageShape[2] != numInputs) {
        throw new IllegalArgumentException("model.inputShape " + Arrays.toString(imageShape)
            + " holds " + (long) imageShape[0] * imageShape[1] * imageShape[2]
            + " values, but the data rows have " + numInputs);
      }
      return imageShape.clone();
    }
    return ModelConfig.squareSingleChannel(numInputs,
        "set model.inputShape to [height, width, channels]");
  }

  @Override
  public NetworkConfig build(int numInputs, int numClasses, OptimizerConfig optimizer,
      long seed) {
    return NetworkConfig.of(graph(numInputs, numClasses, optimizer.toUpdater(), seed,
        DataType.FLOAT));
  }

  /** The graph in any precision (gradient checks need double). */
  public ComputationGraphConfiguration graph(int numInputs, int numClasses, IUpdater updater,
      long seed, DataType dataType) {
    int[] shape = imageShape(numInputs);
    ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
        .seed(seed)
        .dataType(dataType)
        .updater(updater)
        .weightInit(WeightInit.RELU)
        .convolutionMode(ConvolutionMode.Same)
        .graphBuilder()
        .addInputs(INPUT)
        .setInputTypes(InputType.convolutionalFlat(shape[0], shape[1], shape[2]));
    String last = convBn(g, "stem", INPUT, 3, stemStride, stemWidth);
    g.addLayer("stem_relu", relu(), last);
    last = "stem_relu";
    int width = stemWidth;
    for (int s = 0; s < stageWidths.length; s++) {
      for (int b = 0; b < blocksPerStage; b++) {
        int stride = s > 0 && b == 0 ? 2 : 1;
        last = basicBlock(g, "s" + (s + 1) + "b" + (b + 1), last, width, stageWidths[s],
            stride);
        width = stageWidths[s];
      }
    }
    g.addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), last)
        .addLayer("output", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER)
            .nOut(numClasses).build(), "pool")
        .setOutputs("output");
    return g.build();
  }

  /** conv, BN, ReLU, conv, BN, add the shortcut, ReLU; returns the block's output vertex. */
  private static String basicBlock(ComputationGraphConfiguration.GraphBuilder g, String name,
      String in, int inWidth, int outWidth, int stride) {
    String a = convBn(g, name + "_a", in, 3, stride, outWidth);
    g.addLayer(name + "_a_relu", relu(), a);
    String b = convBn(g, name + "_b", name + "_a_relu", 3, 1, outWidth);
    String shortcut = stride == 1 && inWidth == outWidth ? in
        : convBn(g, name + "_proj", in, 1, stride, outWidth);
    g.addVertex(name + "_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), b, shortcut);
    g.addLayer(name + "_out", relu(), name + "_add");
    return name + "_out";
  }

  /** A bias-free convolution (batch norm's shift replaces the bias) followed by batch norm. */
  private static String convBn(ComputationGraphConfiguration.GraphBuilder g, String name,
      String in, int kernel, int stride, int outWidth) {
    g.addLayer(name + "_conv", new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride)
        .nOut(outWidth).hasBias(false).activation(Activation.IDENTITY).build(), in);
    g.addLayer(name + "_bn", new BatchNormalization.Builder().build(), name + "_conv");
    return name + "_bn";
  }

  private static ActivationLayer relu() {
    return new ActivationLayer.Builder().activation(Activation.RELU).build();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ResNetConfig r && Arrays.equals(imageShape, r.imageShape)
        && stemWidth == r.stemWidth && stemStride == r.stemStride
        && Arrays.equals(stageWidths, r.stageWidths) && blocksPerStage == r.blocksPerStage;
  }

  @Override
  public int hashCode() {
    return (Arrays.hashCode(imageShape) * 31 + Arrays.hashCode(stageWidths)) * 31 + stemWidth
        + 7 * stemStride + blocksPerStage;
  }

  @Override
  public String toString() {
    return "ResNetConfig[imageShape=" + Arrays.toString(imageShape) + ", stemWidth=" + stemWidth
        + ", stemStride=" + stemStride + ", stageWidths=" + Arrays.toString(stageWidths)
        + ", blocksPerStage=" + blocksPerStage + "]";
  }
}
