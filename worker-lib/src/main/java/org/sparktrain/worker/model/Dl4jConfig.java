package org.sparktrain.worker.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossNegativeLogLikelihood;
import org.sparktrain.worker.optim.OptimizerConfig;

/**
 * A network a Deeplearning4j user already has: the JSON of a {@code MultiLayerConfiguration}
 * or a {@code ComputationGraphConfiguration} ({@code conf.toJson()}), trained as it is, with its
 * own layers, initialization and updater (the spec's {@code train.optimizer} does not apply).
 * Its first layer's nIn must match the data's features, and its single output layer's nOut the
 * classes (a softmax with cross-entropy or negative log-likelihood is a classifier; any other
 * loss a regressor).
 */
public final class Dl4jConfig implements ModelConfig {
  public static final String NAME = "dl4j";

  private final String json;
  private final String source;
  private final transient NetworkConfig parsed;
  private final int inputs;
  private final int outputs;
  private final boolean classifier;
  /** Per-example shapes of DataSets trained as they are (the DL4J Spark classes), else null. */
  private final long[][] givenShapes;

  /**
   * @param json the configuration's JSON
   * @param source where it came from, for messages
   */
  public Dl4jConfig(String json, String source) {
    this(json, source, null);
  }

  private Dl4jConfig(String json, String source, long[][] givenShapes) {
    this.givenShapes = givenShapes;
    this.json = json;
    this.source = source;
    try {
      this.parsed = NetworkConfig.fromJson(json);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(source + " is not a DL4J MultiLayerConfiguration or "
          + "ComputationGraphConfiguration JSON (conf.toJson()): " + firstLine(e), e);
    }
    List<Layer> layers = layers(parsed);
    if (layers.isEmpty() || !(layers.get(0) instanceof FeedForwardLayer first)
        || !(layers.get(layers.size() - 1) instanceof BaseOutputLayer out)) {
      throw new IllegalArgumentException(source + ": the network must start with a layer "
          + "that has nIn (dense, convolution, ...) and end with one output layer");
    }
    // A first layer reading rows directly (dense, output) must take every feature; a
    // convolution's nIn is its channels, behind a preprocessor that reshapes the rows.
    boolean readsRows = (first instanceof DenseLayer
        || first instanceof BaseOutputLayer) && !hasInputPreprocessor(parsed);
    this.inputs = readsRows ? (int) first.getNIn() : -1;
    DataType type = parsed.isGraph() ? parsed.graph().getDataType()
        : parsed.layers().getDataType();
    if (type != DataType.FLOAT) {
      throw new IllegalArgumentException(source + ": the network's data type is " + type
          + "; sparktrain trains float networks (NeuralNetConfiguration.Builder().dataType("
          + "DataType.FLOAT), DL4J's default)");
    }
    this.outputs = (int) out.getNOut();
    ILossFunction loss = out.getLossFn();
    this.classifier = loss instanceof LossMCXENT || loss instanceof LossNegativeLogLikelihood;
  }

  private static boolean hasInputPreprocessor(NetworkConfig c) {
    return c.isGraph() ? false : c.layers().getInputPreProcess(0) != null;
  }

  private static String firstLine(RuntimeException e) {
    String m = String.valueOf(e.getMessage());
    return m.lines().findFirst().orElse(m);
  }

  private static List<Layer> layers(NetworkConfig c) {
    if (!c.isGraph()) {
      return c.layers().getConfs().stream().map(NeuralNetConfiguration::getLayer).toList();
    }
    ComputationGraphConfiguration g = c.graph();
    List<String> order = g.getNetworkInputs();
    List<Layer> out = new ArrayList<>();
    // Inputs first, then the output layers: enough to find the entry and exit widths.
    for (Map.Entry<String, GraphVertex> v : g.getVertices().entrySet()) {
      if (v.getValue() instanceof LayerVertex lv && g.getVertexInputs().get(v.getKey())
          .stream().anyMatch(order::contains)) {
        out.add(0, lv.getLayerConf().getLayer());
      }
    }
    for (String name : g.getNetworkOutputs()) {
      if (g.getVertices().get(name) instanceof LayerVertex lv) {
        out.add(lv.getLayerConf().getLayer());
      }
    }
    return out;
  }

  /**
   * This configuration trained on examples as a DL4J program's DataSets hold them: features
   * and labels of the given per-example shapes, labels untouched (no class index, no
   * numClasses), so any output layer and loss trains (regression, sigmoid + XENT, multi-label,
   * soft labels).
   */
  public Dl4jConfig withExamplesAsGiven(long[] featureShape, long[] labelShape) {
    return new Dl4jConfig(json, source, new long[][] {featureShape.clone(),
        labelShape.clone()});
  }

  /** The per-example feature shape of {@link #withExamplesAsGiven}, or null. */
  public long[] givenFeatureShape() {
    return givenShapes == null ? null : givenShapes[0].clone();
  }

  /** The per-example label shape of {@link #withExamplesAsGiven}, or null. */
  public long[] givenLabelShape() {
    return givenShapes == null ? null : givenShapes[1].clone();
  }

  public String json() {
    return json;
  }

  public String source() {
    return source;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Kind kind() {
    return classifier && givenShapes == null ? Kind.CLASSES : Kind.VALUES;
  }

  @Override
  public int outputWidth(int numClasses) {
    return outputs;
  }

  @Override
  public boolean oneHotLabels() {
    return classifier && givenShapes == null;
  }

  @Override
  public NetworkConfig build(int numInputs, int numClasses, OptimizerConfig optimizer,
      long seed) {
    if (inputs > 0 && numInputs != inputs) {
      throw new IllegalArgumentException("model.configuration " + source + " takes " + inputs
          + " inputs (its first layer's nIn), but the data rows have " + numInputs
          + " features");
    }
    if (classifier && givenShapes == null && numClasses != outputs) {
      throw new IllegalArgumentException("model.configuration " + source + " has " + outputs
          + " outputs (its output layer's nOut), but data.numClasses is " + numClasses);
    }
    return NetworkConfig.fromJson(json);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Dl4jConfig d && d.json.equals(json);
  }

  @Override
  public int hashCode() {
    return json.hashCode();
  }

  @Override
  public String toString() {
    return "Dl4jConfig[" + source + "]";
  }
}
