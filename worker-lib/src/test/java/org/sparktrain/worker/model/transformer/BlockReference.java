package org.sparktrain.worker.model.transformer;

import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A transformer block written out in plain double-precision loops, straight from the
 * definitions, to check the SameDiff graph against. Same parameter layout as
 * {@link TransformerBlock}: weights [in, out], biases and LayerNorm parameters [1, width].
 */
final class BlockReference {
  private final Layer layer;
  private final int width;
  private final int heads;
  private final boolean causal;

  BlockReference(Layer layer, int width, int heads, boolean causal) {
    this.layer = layer;
    this.width = width;
    this.heads = heads;
    this.causal = causal;
  }

  /**
   * @param input [batch, width, T]
   * @param keyMask [batch, T], 1 = real token, 0 = padding; null for none
   * @return [batch][width][T]
   */
  double[][][] forward(INDArray input, double[][] keyMask) {
    int batch = (int) input.size(0);
    int positions = (int) input.size(2);
    double[][][] out = new double[batch][width][positions];
    for (int b = 0; b < batch; b++) {
      double[][] x = new double[positions][width];
      for (int t = 0; t < positions; t++) {
        for (int c = 0; c < width; c++) {
          x[t][c] = input.getDouble(b, c, t);
        }
      }
      double[][] attended = attention(layerNorm(x, "ln1g", "ln1b"),
          keyMask == null ? null : keyMask[b]);
      x = add(x, linear(attended, "Wo", "bo"));
      double[][] hidden = linear(layerNorm(x, "ln2g", "ln2b"), "W1", "b1");
      for (double[] row : hidden) {
        for (int j = 0; j < row.length; j++) {
          row[j] = gelu(row[j]);
        }
      }
      x = add(x, linear(hidden, "W2", "b2"));
      for (int t = 0; t < positions; t++) {
        for (int c = 0; c < width; c++) {
          out[b][c][t] = x[t][c];
        }
      }
    }
    return out;
  }

  private double[][] attention(double[][] h, double[] keyMask) {
    double[][] q = linear(h, "Wq", "bq");
    double[][] k = linear(h, "Wk", "bk");
    double[][] v = linear(h, "Wv", "bv");
    int positions = h.length;
    int headSize = width / heads;
    double[][] y = new double[positions][width];
    for (int head = 0; head < heads; head++) {
      int from = head * headSize;
      for (int i = 0; i < positions; i++) {
        double[] weights = new double[positions];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < positions; j++) {
          boolean visible = causal ? j <= i : keyMask == null || keyMask[j] == 1;
          if (!visible) {
            weights[j] = Double.NaN;
            continue;
          }
          double dot = 0;
          for (int e = from; e < from + headSize; e++) {
            dot += q[i][e] * k[j][e];
          }
          weights[j] = dot / Math.sqrt(headSize);
          max = Math.max(max, weights[j]);
        }
        double sum = 0;
        for (int j = 0; j < positions; j++) {
          weights[j] = Double.isNaN(weights[j]) ? 0 : Math.exp(weights[j] - max);
          sum += weights[j];
        }
        for (int j = 0; j < positions; j++) {
          for (int e = from; e < from + headSize; e++) {
            y[i][e] += weights[j] / sum * v[j][e];
          }
        }
      }
    }
    return y;
  }

  private double[][] layerNorm(double[][] x, String gain, String bias) {
    double[][] out = new double[x.length][];
    for (int r = 0; r < x.length; r++) {
      double mean = 0;
      for (double value : x[r]) {
        mean += value / x[r].length;
      }
      double variance = 0;
      for (double value : x[r]) {
        variance += (value - mean) * (value - mean) / x[r].length;
      }
      out[r] = new double[x[r].length];
      for (int c = 0; c < x[r].length; c++) {
        out[r][c] = (x[r][c] - mean) / Math.sqrt(variance + 1e-5) * param(gain, 0, c)
            + param(bias, 0, c);
      }
    }
    return out;
  }

  private double[][] linear(double[][] x, String weight, String bias) {
    INDArray w = layer.getParam(weight);
    int in = (int) w.size(0);
    int outSize = (int) w.size(1);
    double[][] out = new double[x.length][outSize];
    for (int r = 0; r < x.length; r++) {
      for (int o = 0; o < outSize; o++) {
        double sum = param(bias, 0, o);
        for (int i = 0; i < in; i++) {
          sum += x[r][i] * w.getDouble(i, o);
        }
        out[r][o] = sum;
      }
    }
    return out;
  }

  /** The sigmoid approximation of GELU that {@link SameDiffOps#gelu} uses. */
  private static double gelu(double x) {
    return x / (1 + Math.exp(-1.702 * x));
  }

  private static double[][] add(double[][] a, double[][] b) {
    double[][] out = new double[a.length][];
    for (int r = 0; r < a.length; r++) {
      out[r] = new double[a[r].length];
      for (int c = 0; c < a[r].length; c++) {
        out[r][c] = a[r][c] + b[r][c];
      }
    }
    return out;
  }

  private double param(String name, int row, int column) {
    return layer.getParam(name).getDouble(row, column);
  }
}
