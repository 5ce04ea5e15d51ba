package org.sparktrain.worker.model;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * A trainable DL4J network of either kind, a layer stack or a graph, behind the few operations
 * the engine uses: the flat parameter and optimizer-state views that parameter averaging moves,
 * one minibatch step, inference, and the model file. Both kinds keep all parameters (batch-norm
 * running statistics included) in one flat view, so averaging treats them alike.
 */
public final class Network {
  private final MultiLayerNetwork layers;
  private final ComputationGraph graph;

  private Network(MultiLayerNetwork layers, ComputationGraph graph) {
    this.layers = layers;
    this.graph = graph;
  }

  /** Builds and initialises a layer stack. */
  public static Network of(MultiLayerConfiguration conf) {
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return new Network(net, null);
  }

  /** Builds and initialises a graph. */
  public static Network of(ComputationGraphConfiguration conf) {
    ComputationGraph net = new ComputationGraph(conf);
    net.init();
    return new Network(null, net);
  }

  /** Wraps an initialised layer stack. */
  public static Network wrap(MultiLayerNetwork net) {
    return new Network(net, null);
  }

  /** Wraps an initialised graph. */
  public static Network wrap(ComputationGraph net) {
    return new Network(null, net);
  }

  /**
   * Reads a ModelSerializer file of either kind (with its optimizer state), after checking it
   * holds nothing but what sparktrain writes ({@link ModelZip}): no Java deserialization, no
   * zip bomb, no foreign classes, no allocation beyond what its configuration defines.
   *
   * @param source the file's name, for messages
   */
  public static Network restore(InputStream in, String source) throws IOException {
    ModelZip.Checked checked = ModelZip.check(in.readAllBytes(), source);
    try {
      if (NetworkConfig.fromJson(checked.configuration()).isGraph()) {
        return new Network(null, ModelSerializer.restoreComputationGraph(
            new ByteArrayInputStream(checked.zip()), true));
      }
      return new Network(ModelSerializer.restoreMultiLayerNetwork(
          new ByteArrayInputStream(checked.zip()), true), null);
    } catch (RuntimeException e) {
      // What passed the checks but DL4J still cannot build (a configuration it rejects).
      throw new IOException(source + ": DL4J cannot build a network from it: " + e, e);
    }
  }

  /**
   * A new network of a configuration read from a file (a checkpoint's): the configuration gets
   * {@link ModelZip}'s checks and the memory it defines {@link ModelMemory}'s before anything
   * is built.
   *
   * @param source the file's name, for messages
   */
  public static Network build(String configuration, String source) throws IOException {
    ModelZip.checkConfiguration(configuration, source);
    ModelMemory.checkLoad(configuration, source);
    try {
      return NetworkConfig.fromJson(configuration).newNetwork();
    } catch (RuntimeException e) {
      throw new IOException(source + ": DL4J cannot build a network from it: " + e, e);
    }
  }

  public NetworkConfig config() {
    return layers != null ? NetworkConfig.of(layers.getLayerWiseConfigurations())
        : NetworkConfig.of(graph.getConfiguration());
  }

  public boolean isGraph() {
    return graph != null;
  }

  /** The layer stack, for code that handles only stacks (transformers); fails for a graph. */
  public MultiLayerNetwork layers() {
    if (layers == null) {
      throw new IllegalStateException("this network is a computation graph, not a layer stack");
    }
    return layers;
  }

  /** The graph; fails for a layer stack. */
  public ComputationGraph graph() {
    if (graph == null) {
      throw new IllegalStateException("this network is a layer stack, not a computation graph");
    }
    return graph;
  }

  /** All parameters as one flat view (writes go into the network). */
  public INDArray params() {
    return layers != null ? layers.params() : graph.params();
  }

  public long numParams() {
    return layers != null ? layers.numParams() : graph.numParams();
  }

  /** The optimizer state as one flat view, or null for a stateless optimizer (SGD). */
  public INDArray updaterState() {
    return layers != null ? layers.getUpdater().getStateViewArray()
        : graph.getUpdater().getStateViewArray();
  }

  /** One optimizer step on one minibatch. */
  public void fit(DataSet batch) {
    if (layers != null) {
      layers.fit(batch);
    } else {
      graph.fit(batch);
    }
  }

  /** The loss of the last {@link #fit} call. */
  public double score() {
    return layers != null ? layers.score() : graph.score();
  }

  /** Inference-mode output (dropout off, batch norm on its running statistics). */
  public INDArray output(INDArray features) {
    return layers != null ? layers.output(features, false) : graph.outputSingle(false, features);
  }

  /** Inference-mode output of a layer stack for masked sequence input (padding = 0). */
  public INDArray output(INDArray features, INDArray featuresMask) {
    return layers().output(features, false, featuresMask, null);
  }

  /** Width of the output layer. */
  public long outputWidth() {
    if (layers != null) {
      return layers.layerSize(layers.getnLayers() - 1);
    }
    String out = graph.getConfiguration().getNetworkOutputs().get(0);
    return graph.layerSize(out);
  }

  public int iterationCount() {
    return layers != null ? layers.getIterationCount()
        : graph.getConfiguration().getIterationCount();
  }

  /** Epochs the network has trained (DL4J's {@code getEpochCount()}). */
  public int epochCount() {
    return layers != null ? layers.getEpochCount()
        : graph.getConfiguration().getEpochCount();
  }

  /** Sets the counters learning-rate schedules and Adam's bias correction read. */
  public void setCounts(int iteration, int epoch) {
    if (layers != null) {
      layers.setIterationCount(iteration);
      layers.setEpochCount(epoch);
    } else {
      graph.getConfiguration().setIterationCount(iteration);
      graph.getConfiguration().setEpochCount(epoch);
    }
  }

  /**
   * One layer's parameters, named as the network names the layer (its index in a stack, its
   * name in a graph), each a view into {@link #params()}.
   *
   * @param conf the layer's configuration, which knows which parameters are weights
   */
  public record LayerParams(String layer, Layer conf,
      Map<String, INDArray> params) {
    /**
     * Whether a parameter is a weight (a matrix or filter bank that multiplies inputs), not a
     * bias, a normalization gain or a running statistic.
     */
    public boolean isWeight(String key) {
      return conf.initializer().isWeightParam(conf, key) && params.get(key).rank() >= 2;
    }
  }

  /** Every layer's parameters, in the network's layer order; layers without any are left out. */
  public List<LayerParams> layerParams() {
    org.deeplearning4j.nn.api.Layer[] all = layers != null ? layers.getLayers()
        : graph.getLayers();
    List<LayerParams> out = new ArrayList<>();
    for (int i = 0; i < all.length; i++) {
      Layer conf = all[i].conf().getLayer();
      Map<String, INDArray> params = all[i].paramTable();
      if (params != null && !params.isEmpty()) {
        out.add(new LayerParams(layers != null ? String.valueOf(i) : conf.getLayerName(), conf,
            params));
      }
    }
    return out;
  }

  /** Writes the DL4J model file, with the optimizer state. */
  public void save(OutputStream out) throws IOException {
    ModelSerializer.writeModel(layers != null ? layers : graph, out, true);
  }

  /** Writes the DL4J model file without the optimizer state: for inference only. */
  public void saveForInference(OutputStream out) throws IOException {
    ModelSerializer.writeModel(layers != null ? layers : graph, out, false);
  }
}
