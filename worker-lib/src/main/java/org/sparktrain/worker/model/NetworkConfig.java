package org.sparktrain.worker.model;

import java.io.Serializable;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.NetworkMemoryReport;
import org.sparktrain.worker.json.BoundedJson;
import org.sparktrain.worker.model.Network;

/**
 * A DL4J network configuration of either kind: a layer stack (MultiLayerConfiguration, for the
 * MLP and the transformers) or a graph (ComputationGraphConfiguration, for the residual CNN,
 * whose shortcuts a stack cannot express). Exactly one of the two is set.
 */
public final class NetworkConfig implements Serializable {
  /**
   * Bounds on a configuration's JSON, checked before DL4J parses it: DL4J's parser recurses per
   * level. sparktrain's deepest configuration (a transformer) nests 12 levels.
   */
  public static final BoundedJson.Limits LIMITS = new BoundedJson.Limits(64, 1 << 20, 100);
  /** Top-level key only a ComputationGraphConfiguration's JSON has. */
  private static final String GRAPH_KEY = "\"vertices\"";

  private final MultiLayerConfiguration layers;
  private final ComputationGraphConfiguration graph;

  private NetworkConfig(MultiLayerConfiguration layers, ComputationGraphConfiguration graph) {
    this.layers = layers;
    this.graph = graph;
  }

  public static NetworkConfig of(MultiLayerConfiguration layers) {
    return new NetworkConfig(layers, null);
  }

  public static NetworkConfig of(ComputationGraphConfiguration graph) {
    return new NetworkConfig(null, graph);
  }

  /**
   * Reads either kind back from {@link #toJson()}.
   *
   * @throws IllegalArgumentException for JSON beyond {@link #LIMITS}
   */
  public static NetworkConfig fromJson(String json) {
    BoundedJson.check(json, LIMITS);
    return json.contains(GRAPH_KEY)
        ? of(ComputationGraphConfiguration.fromJson(json))
        : of(MultiLayerConfiguration.fromJson(json));
  }

  public String toJson() {
    return layers != null ? layers.toJson() : graph.toJson();
  }

  public boolean isGraph() {
    return graph != null;
  }

  /** The layer-stack configuration; fails for a graph. */
  public MultiLayerConfiguration layers() {
    if (layers == null) {
      throw new IllegalStateException("this network is a computation graph, not a layer stack");
    }
    return layers;
  }

  /** The graph configuration; fails for a layer stack. */
  public ComputationGraphConfiguration graph() {
    if (graph == null) {
      throw new IllegalStateException("this network is a layer stack, not a computation graph");
    }
    return graph;
  }

  /** A new, initialised network of this configuration (its own copy of the configuration). */
  public Network newNetwork() {
    return layers != null ? Network.of(layers.clone()) : Network.of(graph.clone());
  }

  /**
   * DL4J's memory estimate for rows of {@code numFeatures} values. A graph that reads them as
   * images carries the reshaping preprocessor in its configuration, so flat rows are its input.
   */
  public NetworkMemoryReport memoryReport(int numFeatures) {
    InputType rows = InputType.feedForward(numFeatures);
    return layers != null ? layers.getMemoryReport(rows) : graph.getMemoryReport(rows);
  }
}
