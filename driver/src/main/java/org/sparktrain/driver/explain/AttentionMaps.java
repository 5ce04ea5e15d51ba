package org.sparktrain.driver.explain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.model.transformer.TransformerBlock;

/**
 * What every attention head of a transformer (gpt, bert, bert-classifier) attends to for one
 * input. DL4J runs a block's SameDiff graph as a whole and keeps none of its inner values, so
 * each block's attention is recomputed in a SameDiff graph of its own, from the block's trained
 * parameters and the activations DL4J feeds it, by the block's own definition
 * ({@link TransformerBlock#defineAttentionWeights}): the weights it used, not an estimate.
 */
final class AttentionMaps {
  /** One head's weights over the first {@code tokens} positions: [query][key]. */
  record Head(int layer, int head, double[][] weights) {}

  private AttentionMaps() {}

  /**
   * @param features one input row as the network takes it ([1, 1, T] token ids)
   * @param mask its feature mask ([1, T], 1 = real token) or null
   * @param tokens how many leading positions hold real tokens (the maps are cut to them)
   */
  static List<Head> of(Network network, INDArray features, INDArray mask, int tokens) {
    MultiLayerNetwork net = network.layers();
    List<INDArray> activations = net.feedForward(features, mask, null);
    List<Head> heads = new ArrayList<>();
    for (int i = 0; i < net.getnLayers(); i++) {
      if (!(net.getLayer(i).conf().getLayer() instanceof TransformerBlock block)) {
        continue;
      }
      INDArray weights = weights(block, net.getLayer(i).paramTable(), activations.get(i), mask);
      for (int h = 0; h < weights.size(1); h++) {
        double[][] map = new double[tokens][tokens];
        for (int q = 0; q < tokens; q++) {
          for (int k = 0; k < tokens; k++) {
            map[q][k] = weights.getDouble(0, h, q, k);
          }
        }
        heads.add(new Head(i, h, map));
      }
    }
    return heads;
  }

  /** The block's attention weights [batch, heads, T, T] for its input [batch, width, T]. */
  static INDArray weights(TransformerBlock block, Map<String, INDArray> params, INDArray input,
      INDArray mask) {
    SameDiff sd = SameDiff.create();
    Map<String, SDVariable> p = constants(sd, params);
    SDVariable in = sd.constant("input", input.dup());
    SDVariable m = mask == null || block.isCausal() ? null : sd.constant("mask", mask.dup());
    return block.defineAttentionWeights(sd, in, p, m).eval();
  }

  /** The block's whole output in such a graph: what tests compare with DL4J's own. */
  static INDArray output(TransformerBlock block, Map<String, INDArray> params, INDArray input,
      INDArray mask) {
    SameDiff sd = SameDiff.create();
    Map<String, SDVariable> p = constants(sd, params);
    SDVariable in = sd.constant("input", input.dup());
    SDVariable m = mask == null ? null : sd.constant("mask", mask.dup());
    return block.defineLayer(sd, in, p, m).eval();
  }

  private static Map<String, SDVariable> constants(SameDiff sd, Map<String, INDArray> params) {
    Map<String, SDVariable> p = new LinkedHashMap<>();
    for (Map.Entry<String, INDArray> e : params.entrySet()) {
      p.put(e.getKey(), sd.constant(e.getKey(), e.getValue().dup()));
    }
    return p;
  }
}
