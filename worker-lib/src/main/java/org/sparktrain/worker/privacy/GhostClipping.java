package org.sparktrain.worker.privacy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationRReLU;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.sparktrain.worker.model.Network;

/**
 * Per-example clipping of a dense network in one batched pass ("ghost clipping": Goodfellow,
 * "Efficient per-example gradient computations", 2015; Lee and Kifer, PETS 2021; Li et al.,
 * ICLR 2022): the same clipped sum {@link DpSgdStep} gets from one DL4J backward pass per
 * example, from one forward and one hand-written backward pass over the whole batch.
 *
 * <p>For a dense layer {@code z = a W + b}, example i's weight gradient is the outer product
 * {@code a_i^T delta_i} and its bias gradient {@code delta_i}, so its squared norm is
 * {@code ||a_i||^2 ||delta_i||^2 + ||delta_i||^2} without ever forming it; summed over the
 * layers, that is the squared norm of example i's whole gradient, exactly. With the clip factors
 * {@code c_i = min(1, C / ||g_i||)}, the clipped sum is {@code a^T (c * delta)} and
 * {@code sum_i c_i delta_i}: two matrix products per layer, as in ordinary backpropagation.
 *
 * <p>Exactness needs every example's gradient to depend on that example alone and on nothing
 * random, so only plain chains qualify ({@link #of}): {@code DenseLayer}s then one
 * {@code OutputLayer}, a layer stack or a single-input, single-output graph of layer vertices in
 * a line, with no input preprocessor, dropout, weight noise, layer normalization or randomized
 * activation (RReLU). Regularization (l1, l2, weight decay) is not part of the loss gradient in
 * DL4J 1.0.0-M2.1 but of the updater step, which both paths share ({@link NetworkGradients#step}).
 * A batch qualifies ({@link #accepts}) with rank-2 features and labels, no features mask, and
 * either no labels mask or one per example or per output.
 */
final class GhostClipping {
  /** One dense layer of the chain (the output layer last), with its parameter views. */
  private record Dense(INDArray weights, INDArray bias, IActivation activation,
      long weightsOffset, long biasOffset) {}

  /** What one batch gave: the clipped sum (flat, in DL4J's order), norms, counts and loss. */
  record Result(INDArray clippedSum, double[] norms, int clipped, double lossSum) {}

  private final Network net;
  private final List<Dense> layers;
  private final ILossFunction loss;

  private GhostClipping(Network net, List<Dense> layers, ILossFunction loss) {
    this.net = net;
    this.layers = layers;
    this.loss = loss;
  }

  /** The fast path for {@code net}, or null where it does not qualify. */
  static GhostClipping of(Network net) {
    List<Layer> chain = net.isGraph() ? chain(net.graph())
        : chain(net.layers());
    if (chain == null || chain.isEmpty()) {
      return null;
    }
    INDArray params = net.params();
    List<Dense> layers = new ArrayList<>();
    long covered = 0;
    ILossFunction loss = null;
    for (int i = 0; i < chain.size(); i++) {
      Layer layer = chain.get(i);
      org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
      boolean last = i == chain.size() - 1;
      Class<?> expected = last ? OutputLayer.class : DenseLayer.class;
      if (conf.getClass() != expected || conf.getIDropout() != null) {
        return null;
      }
      BaseLayer base = (BaseLayer) conf;
      if (base.getWeightNoise() != null || base.getActivationFn() == null
          || base.getActivationFn() instanceof ActivationRReLU) {
        return null;
      }
      boolean hasBias;
      if (conf instanceof DenseLayer dense) {
        if (dense.hasLayerNorm()) {
          return null;
        }
        hasBias = dense.hasBias();
      } else {
        OutputLayer out = (OutputLayer) conf;
        hasBias = out.hasBias();
        loss = out.getLossFn();
        if (loss == null) {
          return null;
        }
      }
      Map<String, INDArray> table = layer.paramTable();
      INDArray w = table.get("W");
      INDArray b = hasBias ? table.get("b") : null;
      if (table.size() != (hasBias ? 2 : 1) || w == null || w.rank() != 2
          || (hasBias && b == null)) {
        return null;
      }
      Long wOffset = offset(params, w, 'f');
      Long bOffset = hasBias ? offset(params, b, 'c') : Long.valueOf(-1);
      if (wOffset == null || bOffset == null) {
        return null;
      }
      if (i > 0 && w.size(0) != layers.get(i - 1).weights().size(1)) {
        return null;
      }
      covered += w.length() + (hasBias ? b.length() : 0);
      layers.add(new Dense(w, b, base.getActivationFn(), wOffset, bOffset));
    }
    // Every parameter is one of the chain's weights or biases: the flat gradient is all ours.
    return covered == params.length() ? new GhostClipping(net, layers, loss) : null;
  }

  /**
   * Where {@code view}'s values lie in the flat {@code params}, read in {@code order} (DL4J
   * keeps dense weights as column-major views), or null unless it is one contiguous stretch of
   * that same buffer.
   */
  private static Long offset(INDArray params, INDArray view, char order) {
    if (root(view.data()) != root(params.data())) {
      return null;
    }
    long[] stride = view.stride();
    long[] shape = view.shape();
    if (view.rank() == 2) {
      boolean contiguous = order == 'f'
          ? (stride[0] == 1 || shape[0] == 1) && (stride[1] == shape[0] || shape[1] == 1)
          : (stride[1] == 1 || shape[1] == 1) && (stride[0] == shape[1] || shape[0] == 1);
      boolean ordered = order == 'f' ? view.ordering() == 'f' || shape[0] == 1 || shape[1] == 1
          : view.ordering() == 'c' || shape[0] == 1 || shape[1] == 1;
      if (!contiguous || !ordered) {
        return null;
      }
    } else if (view.rank() == 1) {
      if (stride[0] != 1 && shape[0] != 1) {
        return null;
      }
    } else {
      return null;
    }
    long offset = view.offset() - params.offset();
    return offset >= 0 && offset + view.length() <= params.length() ? offset : null;
  }

  /** The buffer a view was taken from (a view's own buffer object is a new wrapper). */
  private static DataBuffer root(DataBuffer buffer) {
    DataBuffer original = buffer.originalDataBuffer();
    return original == null ? buffer : root(original);
  }

  private static List<Layer> chain(MultiLayerNetwork net) {
    MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
    Layer[] all = net.getLayers();
    for (int i = 0; i < all.length; i++) {
      if (conf.getInputPreProcess(i) != null) {
        return null;
      }
    }
    return List.of(all);
  }

  /** The graph's layers from its input to its output, or null unless they form one line. */
  private static List<Layer> chain(ComputationGraph graph) {
    ComputationGraphConfiguration conf = graph.getConfiguration();
    if (conf.getNetworkInputs().size() != 1 || conf.getNetworkOutputs().size() != 1) {
      return null;
    }
    Map<String, GraphVertex> vertices = conf.getVertices();
    Map<String, List<String>> inputs = conf.getVertexInputs();
    List<Layer> out = new ArrayList<>();
    String previous = conf.getNetworkInputs().get(0);
    int layerVertices = 0;
    for (Map.Entry<String, GraphVertex> v : vertices.entrySet()) {
      if (!conf.getNetworkInputs().contains(v.getKey())) {
        if (!(v.getValue() instanceof LayerVertex lv) || lv.getPreProcessor() != null) {
          return null;
        }
        layerVertices++;
      }
    }
    while (out.size() <= layerVertices) {
      String next = null;
      for (Map.Entry<String, List<String>> e : inputs.entrySet()) {
        if (e.getValue().contains(previous)) {
          if (next != null || e.getValue().size() != 1) {
            return null;
          }
          next = e.getKey();
        }
      }
      if (next == null) {
        break;
      }
      out.add(graph.getLayer(next));
      previous = next;
    }
    boolean endsAtOutput = previous.equals(conf.getNetworkOutputs().get(0));
    return out.size() == layerVertices && endsAtOutput
        && graph.getLayers().length == layerVertices ? out : null;
  }

  /** Whether this batch's shapes and masks let the fast path give the per-example result. */
  boolean accepts(DataSet batch) {
    if (batch == null || batch.getFeatures() == null || batch.getLabels() == null
        || batch.getFeaturesMaskArray() != null) {
      return false;
    }
    INDArray x = batch.getFeatures();
    INDArray y = batch.getLabels();
    long n = x.size(0);
    long inputs = layers.get(0).weights().size(0);
    long outputs = layers.get(layers.size() - 1).weights().size(1);
    if (x.rank() != 2 || y.rank() != 2 || n == 0 || x.size(1) != inputs || y.size(0) != n
        || y.size(1) != outputs) {
      return false;
    }
    INDArray mask = batch.getLabelsMaskArray();
    return mask == null || (mask.rank() == 2 && mask.size(0) == n
        && (mask.size(1) == 1 || mask.size(1) == outputs));
  }

  /**
   * Example i's gradient g_i (what DL4J computes for a batch of that example alone), clipped to
   * norm at most {@code clipNorm}, summed over the batch, in one batched pass.
   */
  Result clippedSum(DataSet batch, double clipNorm) {
    INDArray params = net.params();
    DataType type = params.dataType();
    INDArray x = batch.getFeatures().castTo(type);
    INDArray labels = batch.getLabels().castTo(type);
    INDArray mask = batch.getLabelsMaskArray() == null ? null
        : batch.getLabelsMaskArray().castTo(type);
    int n = Math.toIntExact(x.size(0));
    int depth = layers.size();

    INDArray[] in = new INDArray[depth];
    INDArray[] pre = new INDArray[depth];
    INDArray a = x;
    for (int l = 0; l < depth; l++) {
      Dense layer = layers.get(l);
      in[l] = a;
      INDArray z = a.mmul(layer.weights());
      if (layer.bias() != null) {
        z.addiRowVector(layer.bias());
      }
      pre[l] = z;
      if (l < depth - 1) {
        // Activations work in place: keep z for the backward pass.
        a = layer.activation().getActivation(z.dup(), true);
      }
    }

    Dense output = layers.get(depth - 1);
    // Per example: each row is that example's own loss gradient (DL4J sums the rows over a
    // batch and divides by its size only in the updater, so a batch of one gives that row).
    INDArray[] delta = new INDArray[depth];
    delta[depth - 1] = loss.computeGradient(labels, pre[depth - 1].dup(), output.activation(),
        mask);
    INDArray scores = loss.computeScoreArray(labels, pre[depth - 1].dup(), output.activation(),
        mask);
    for (int l = depth - 1; l > 0; l--) {
      INDArray epsilon = delta[l].mmul(layers.get(l).weights().transpose());
      delta[l - 1] = layers.get(l - 1).activation().backprop(pre[l - 1].dup(), epsilon)
          .getFirst();
    }

    double[] squares = new double[n];
    for (int l = 0; l < depth; l++) {
      double[] inputs = rowSquares(in[l]);
      double[] deltas = rowSquares(delta[l]);
      boolean bias = layers.get(l).bias() != null;
      for (int i = 0; i < n; i++) {
        squares[i] += inputs[i] * deltas[i] + (bias ? deltas[i] : 0);
      }
    }
    double[] norms = new double[n];
    double[] factors = new double[n];
    int clipped = 0;
    for (int i = 0; i < n; i++) {
      norms[i] = Math.sqrt(squares[i]);
      // As ClippedSum.clip: scaled down only where the norm exceeds C.
      if (norms[i] > clipNorm) {
        factors[i] = clipNorm / norms[i];
        clipped++;
      } else {
        factors[i] = 1;
      }
    }

    INDArray factorColumn = Nd4j.createFromArray(factors).castTo(type).reshape(n, 1);
    INDArray sum = Nd4j.zeros(type, params.length());
    for (int l = 0; l < depth; l++) {
      Dense layer = layers.get(l);
      INDArray scaled = delta[l].mulColumnVector(factorColumn);
      INDArray weights = in[l].transpose().mmul(scaled);
      long length = weights.length();
      sum.get(NDArrayIndex.interval(layer.weightsOffset(), layer.weightsOffset() + length))
          .assign(weights.reshape('f', new long[] {length}));
      if (layer.bias() != null) {
        long width = layer.bias().length();
        sum.get(NDArrayIndex.interval(layer.biasOffset(), layer.biasOffset() + width))
            .assign(scaled.sum(0).reshape(width));
      }
    }

    // DL4J's score of a batch of one: that example's loss plus the regularization penalty.
    double penalty = net.isGraph() ? net.graph().calcRegularizationScore(true)
        : net.layers().calcRegularizationScore(true);
    double lossSum = scores.castTo(DataType.DOUBLE).sumNumber().doubleValue() + n * penalty;
    return new Result(sum, norms, clipped, lossSum);
  }

  /** Each row's squared L2 norm, summed in double. */
  private static double[] rowSquares(INDArray matrix) {
    INDArray d = matrix.castTo(DataType.DOUBLE);
    return d.mul(d).sum(1).toDoubleVector();
  }
}
