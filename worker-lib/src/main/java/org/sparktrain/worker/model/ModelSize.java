package org.sparktrain.worker.model;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * How many parameters and optimizer-state values a network configuration defines, counted from
 * its layers' shapes without allocating either. A file or spec may claim any shape; this is what
 * the claim costs, known before anything of that size is read, inflated or built.
 *
 * <p>A layer's state is counted with the largest state any of its parameters' updaters keeps
 * (DL4J may give biases another updater), so it is an upper bound of what DL4J allocates.
 *
 * @param params the parameters (every layer's {@code numParams})
 * @param stateValues the optimizer state values (AMSGrad keeps three per parameter, Adam two,
 *     SGD none); {@link Long#MAX_VALUE} when the sum does not fit a long
 */
public record ModelSize(long params, long stateValues) {

  /**
   * @throws RuntimeException when DL4J cannot count a layer's parameters (a configuration it
   *     cannot read)
   */
  public static ModelSize of(NetworkConfig config) {
    List<Counted> layers = new ArrayList<>();
    if (config.isGraph()) {
      for (GraphVertex vertex : config.graph().getVertices().values()) {
        Layer layer = vertex instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : null;
        layers.add(new Counted(vertex.numParams(true), layer));
      }
    } else {
      for (NeuralNetConfiguration conf : config.layers().getConfs()) {
        layers.add(new Counted(conf.getLayer().initializer().numParams(conf), conf.getLayer()));
      }
    }
    long params = 0;
    long state = 0;
    for (Counted c : layers) {
      params = saturatedAdd(params, c.params());
      state = saturatedAdd(state, c.stateValues());
    }
    return new ModelSize(params, state);
  }

  /** The parameters and the state as floats, the form they take in memory and in files. */
  public long floatBytes() {
    return saturatedAdd(params, stateValues) > Long.MAX_VALUE / Float.BYTES ? Long.MAX_VALUE
        : (params + stateValues) * Float.BYTES;
  }

  private record Counted(long params, Layer layer) {
    long stateValues() {
      if (layer == null || params <= 0) {
        return 0;
      }
      long most = 0;
      for (String key : layer.initializer().paramKeys(layer)) {
        IUpdater updater = layer.getUpdaterByParam(key);
        long state = updater == null ? 0 : updater.stateSize(params);
        most = state < 0 ? Long.MAX_VALUE : Math.max(most, state);
      }
      return most;
    }
  }

  /** A sum that stops at {@link Long#MAX_VALUE}: a forged shape may overflow a long. */
  private static long saturatedAdd(long a, long b) {
    if (a < 0 || b < 0) {
      return Long.MAX_VALUE; // DL4J's own product overflowed
    }
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }
}
