package org.sparktrain.worker.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A ResNet forward pass (inference mode) written out in plain Java loops, reading its weights
 * from a DL4J graph built by {@link ResNetConfig} by layer name: the hand-computed values the
 * DL4J graph must agree with. Images are [channel][row][column].
 */
final class ReferenceResNet {
  private static final double BN_EPSILON = 1e-5;
  private final ComputationGraph net;

  ReferenceResNet(ComputationGraph net) {
    this.net = net;
  }

  /** Class probabilities of one flat CHW image, for the 2-stage, 1-block tiny config. */
  double[] forward(double[] flat) {
    int side = (int) Math.round(Math.sqrt(flat.length));
    double[][][] x = new double[1][side][side];
    for (int i = 0; i < flat.length; i++) {
      x[0][i / side][i % side] = flat[i];
    }
    double[][][] h = relu(convBn("stem", x, 1));
    h = block("s1b1", h, 1, false);
    h = block("s2b1", h, 2, true);
    return dense(averagePool(h));
  }

  private double[][][] block(String name, double[][][] in, int stride, boolean project) {
    double[][][] a = relu(convBn(name + "_a", in, stride));
    double[][][] b = convBn(name + "_b", a, 1);
    double[][][] shortcut = project ? convBn(name + "_proj", in, stride) : in;
    double[][][] out = new double[b.length][b[0].length][b[0][0].length];
    for (int c = 0; c < b.length; c++) {
      for (int i = 0; i < b[0].length; i++) {
        for (int j = 0; j < b[0][0].length; j++) {
          out[c][i][j] = b[c][i][j] + shortcut[c][i][j];
        }
      }
    }
    return relu(out);
  }

  private double[][][] convBn(String name, double[][][] in, int stride) {
    return batchNorm(name + "_bn", conv(net.getLayer(name + "_conv").getParam("W"), in, stride));
  }

  /**
   * TensorFlow-style "same" convolution: out = ceil(in / stride), the padding split with the
   * smaller half on top/left. W is [out channels, in channels, kH, kW].
   */
  private static double[][][] conv(INDArray w, double[][][] in, int stride) {
    int outC = (int) w.size(0);
    int inC = (int) w.size(1);
    int k = (int) w.size(2);
    int size = in[0].length;
    int outSize = (size + stride - 1) / stride;
    int pad = Math.max(0, (outSize - 1) * stride + k - size) / 2;
    double[][][] out = new double[outC][outSize][outSize];
    for (int o = 0; o < outC; o++) {
      for (int i = 0; i < outSize; i++) {
        for (int j = 0; j < outSize; j++) {
          double sum = 0;
          for (int c = 0; c < inC; c++) {
            for (int di = 0; di < k; di++) {
              for (int dj = 0; dj < k; dj++) {
                int y = i * stride + di - pad;
                int x = j * stride + dj - pad;
                if (y >= 0 && y < size && x >= 0 && x < size) {
                  sum += w.getDouble(o, c, di, dj) * in[c][y][x];
                }
              }
            }
          }
          out[o][i][j] = sum;
        }
      }
    }
    return out;
  }

  /** Inference-mode batch norm on the running statistics. */
  private double[][][] batchNorm(String name, double[][][] in) {
    var layer = net.getLayer(name);
    INDArray gamma = layer.getParam("gamma");
    INDArray beta = layer.getParam("beta");
    INDArray mean = layer.getParam("mean");
    double[][][] out = new double[in.length][in[0].length][in[0][0].length];
    for (int c = 0; c < in.length; c++) {
      // DL4J stores log10 of the running standard deviation, or the running variance; either
      // way the denominator is sqrt(variance + epsilon).
      double variance = layer.paramTable().containsKey("log10stdev")
          ? Math.pow(10, 2 * layer.getParam("log10stdev").getDouble(c))
          : layer.getParam("var").getDouble(c);
      double std = Math.sqrt(variance + BN_EPSILON);
      for (int i = 0; i < in[0].length; i++) {
        for (int j = 0; j < in[0][0].length; j++) {
          out[c][i][j] = gamma.getDouble(c) * (in[c][i][j] - mean.getDouble(c)) / std
              + beta.getDouble(c);
        }
      }
    }
    return out;
  }

  private static double[][][] relu(double[][][] in) {
    double[][][] out = new double[in.length][in[0].length][in[0][0].length];
    for (int c = 0; c < in.length; c++) {
      for (int i = 0; i < in[0].length; i++) {
        for (int j = 0; j < in[0][0].length; j++) {
          out[c][i][j] = Math.max(0, in[c][i][j]);
        }
      }
    }
    return out;
  }

  private static double[] averagePool(double[][][] in) {
    double[] out = new double[in.length];
    for (int c = 0; c < in.length; c++) {
      for (double[] row : in[c]) {
        for (double v : row) {
          out[c] += v;
        }
      }
      out[c] /= in[c].length * in[c][0].length;
    }
    return out;
  }

  /** The softmax output layer: W is [in, out]. */
  private double[] dense(double[] in) {
    INDArray w = net.getLayer("output").getParam("W");
    INDArray b = net.getLayer("output").getParam("b");
    double[] logits = new double[(int) w.size(1)];
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < logits.length; k++) {
      logits[k] = b.getDouble(k);
      for (int i = 0; i < in.length; i++) {
        logits[k] += w.getDouble(i, k) * in[i];
      }
      max = Math.max(max, logits[k]);
    }
    double sum = 0;
    for (int k = 0; k < logits.length; k++) {
      logits[k] = Math.exp(logits[k] - max);
      sum += logits[k];
    }
    for (int k = 0; k < logits.length; k++) {
      logits[k] /= sum;
    }
    return logits;
  }
}
