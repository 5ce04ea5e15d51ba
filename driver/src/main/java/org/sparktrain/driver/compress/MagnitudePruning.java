package org.sparktrain.driver.compress;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.worker.model.Network;

/**
 * Magnitude pruning: the smallest weights by absolute value become zero until the target share
 * of them is, either over all weights at once ({@code global}, so layers with many small
 * weights lose more) or in every layer alike. Only weights are pruned (see
 * {@link Network.LayerParams#isWeight}); biases and normalization parameters stay. Exactly
 * {@code floor(sparsity x count)} weights are zeroed, ties at the threshold broken by position,
 * so the result does not depend on how many weights share a value.
 */
public final class MagnitudePruning {
  /** Zeros per layer: pruned weights of that layer over its weights. */
  public record Result(long weights, long zeroed, Map<String, Double> sparsityByLayer) {
    public double sparsity() {
      return weights == 0 ? 0 : (double) zeroed / weights;
    }
  }

  private MagnitudePruning() {}

  /** Prunes {@code net} in place. */
  public static Result prune(Network net, double sparsity, boolean perLayer) {
    if (!(sparsity >= 0 && sparsity < 1)) {
      throw new IllegalArgumentException("--sparsity must be at least 0 and below 1, got "
          + sparsity);
    }
    List<Tensor> weights = new ArrayList<>();
    for (Network.LayerParams layer : net.layerParams()) {
      for (Map.Entry<String, INDArray> p : layer.params().entrySet()) {
        if (layer.isWeight(p.getKey())) {
          weights.add(new Tensor(layer.layer(), p.getValue(),
              p.getValue().dup('c').data().asFloat()));
        }
      }
    }
    if (perLayer) {
      Map<String, List<Tensor>> byLayer = new LinkedHashMap<>();
      weights.forEach(t -> byLayer.computeIfAbsent(t.layer(), k -> new ArrayList<>()).add(t));
      byLayer.values().forEach(group -> zeroSmallest(group, sparsity));
    } else {
      zeroSmallest(weights, sparsity);
    }
    Map<String, long[]> counts = new LinkedHashMap<>();
    long total = 0;
    long zeroed = 0;
    for (Tensor t : weights) {
      t.view().assign(Nd4j.create(t.values(), t.view().shape(), 'c'));
      long zeros = 0;
      for (float v : t.values()) {
        zeros += v == 0f ? 1 : 0;
      }
      long[] c = counts.computeIfAbsent(t.layer(), k -> new long[2]);
      c[0] += t.values().length;
      c[1] += zeros;
      total += t.values().length;
      zeroed += zeros;
    }
    Map<String, Double> byLayer = new LinkedHashMap<>();
    counts.forEach((layer, c) -> byLayer.put(layer, (double) c[1] / c[0]));
    return new Result(total, zeroed, byLayer);
  }

  /** Zeros the {@code floor(sparsity x n)} smallest magnitudes among these tensors' values. */
  private static void zeroSmallest(List<Tensor> group, double sparsity) {
    int n = group.stream().mapToInt(t -> t.values().length).sum();
    int k = (int) Math.floor(sparsity * n);
    if (k == 0) {
      return;
    }
    float[] magnitudes = new float[n];
    int i = 0;
    for (Tensor t : group) {
      for (float v : t.values()) {
        magnitudes[i++] = Math.abs(v);
      }
    }
    Arrays.sort(magnitudes);
    float threshold = magnitudes[k - 1];
    int below = 0;
    for (float m : magnitudes) {
      if (m < threshold) {
        below++;
      }
    }
    int tiesToZero = k - below;
    for (Tensor t : group) {
      float[] v = t.values();
      for (int j = 0; j < v.length; j++) {
        float m = Math.abs(v[j]);
        if (m < threshold || m == threshold && tiesToZero-- > 0) {
          v[j] = 0f;
        }
      }
    }
  }

  private record Tensor(String layer, INDArray view, float[] values) {}
}
