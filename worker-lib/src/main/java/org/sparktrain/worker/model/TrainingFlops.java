package org.sparktrain.worker.model;

import java.util.OptionalLong;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;

/**
 * The arithmetic one training example costs, counted from a model's configuration: the network
 * is never built, so counting is free and works on the driver before any data moves.
 *
 * <p>The convention (the README repeats it), chosen so that figures compare with the usual
 * "6 N per token" accounting of language models and with a matrix multiply's 2 n^3:
 * <ul>
 *   <li>a multiply-add is 2 FLOPs: a dense layer nIn -> nOut costs 2 nIn nOut per row, plus nOut
 *       for its bias; a convolution 2 k^2 Cin Cout per output position (plus Cout with a bias);
 *   <li>attention costs its two products, scores Q K^T and the weighted sum A V, 2 T^2 d each
 *       per sequence and block, over the whole T x T (the causal mask hides scores, it does not
 *       skip them);
 *   <li>normalization (batch norm, layer norm) costs {@value #NORM_FLOPS_PER_ELEMENT} per
 *       element: mean 1, variance 3, normalize 2, gain and shift 2;
 *   <li>a token embedding is a lookup and costs nothing; a position embedding adds 1 per
 *       element;
 *   <li>not counted: activations, softmax, losses, residual additions, pooling, dropout and the
 *       optimizer's update (elementwise and small beside the products);
 *   <li>the backward pass costs twice the forward (gradients for the inputs and for the
 *       weights), so training costs {@value #TRAINING_PER_FORWARD} x forward;
 *   <li>a sequence model's example is a sequence of blockSize tokens: the per-token cost times
 *       the sequence length, plus attention.
 * </ul>
 */
public final class TrainingFlops {
  /** Forward plus a backward of twice the forward. */
  public static final int TRAINING_PER_FORWARD = 3;
  public static final int NORM_FLOPS_PER_ELEMENT = 8;
  /** The transformer block's MLP widens to 4 x width (TransformerBlock). */
  private static final long MLP_EXPANSION = 4;

  private TrainingFlops() {}

  /**
   * FLOPs to train on one example (forward and backward), or empty for a model whose layers are
   * not counted (a DL4J configuration with layers other than dense ones).
   *
   * @param numInputs features per row; for a text classifier, the vocabulary size
   * @param numClasses classes; for a language model, the vocabulary size
   */
  public static OptionalLong perExample(ModelConfig model, int numInputs, int numClasses) {
    OptionalLong forward = forwardPerExample(model, numInputs, numClasses);
    return forward.isPresent() ? OptionalLong.of(TRAINING_PER_FORWARD * forward.getAsLong())
        : OptionalLong.empty();
  }

  /** FLOPs of one example's forward pass; see {@link #perExample}. */
  public static OptionalLong forwardPerExample(ModelConfig model, int numInputs,
      int numClasses) {
    if (model instanceof LogisticConfig) {
      return OptionalLong.of(dense(numInputs, 1, true));
    }
    if (model instanceof MlpConfig mlp) {
      return OptionalLong.of(mlp(mlp, numInputs, numClasses));
    }
    if (model instanceof ResNetConfig resnet) {
      return OptionalLong.of(resnet(resnet, numInputs, numClasses));
    }
    if (model instanceof TransformerConfig transformer) {
      return OptionalLong.of(transformer(transformer, numInputs, numClasses));
    }
    if (model instanceof Dl4jConfig dl4j) {
      return denseOnly(NetworkConfig.fromJson(dl4j.json()));
    }
    throw new IllegalArgumentException("no FLOP count for model " + model.name());
  }

  /** A dense layer on one row: 2 in out for the products, out for the bias. */
  static long dense(long in, long out, boolean bias) {
    return 2 * in * out + (bias ? out : 0);
  }

  /** A k x k convolution producing {@code positions} output positions, without bias. */
  static long conv(int kernel, long in, long out, long positions) {
    return 2L * kernel * kernel * in * out * positions;
  }

  static long norm(long elements) {
    return NORM_FLOPS_PER_ELEMENT * elements;
  }

  private static long mlp(MlpConfig mlp, int numInputs, int numClasses) {
    long flops = 0;
    long in = numInputs;
    for (int h : mlp.hidden()) {
      flops += dense(in, h, true);
      in = h;
    }
    return flops + dense(in, mlp.outputWidth(numClasses), true);
  }

  /** Mirrors ResNetConfig.graph: convolution mode Same, so a stride s gives ceil(side / s). */
  private static long resnet(ResNetConfig r, int numInputs, int numClasses) {
    int[] shape = r.imageShape(numInputs);
    long height = ceilDiv(shape[0], r.stemStride());
    long width = ceilDiv(shape[1], r.stemStride());
    long flops = conv(3, shape[2], r.stemWidth(), height * width)
        + norm(r.stemWidth() * height * width);
    long channels = r.stemWidth();
    int[] stages = r.stageWidths();
    for (int s = 0; s < stages.length; s++) {
      for (int b = 0; b < r.blocksPerStage(); b++) {
        int stride = s > 0 && b == 0 ? 2 : 1;
        height = ceilDiv(height, stride);
        width = ceilDiv(width, stride);
        long positions = height * width;
        long out = stages[s];
        flops += conv(3, channels, out, positions) + norm(out * positions)
            + conv(3, out, out, positions) + norm(out * positions);
        if (stride != 1 || channels != out) {
          flops += conv(1, channels, out, positions) + norm(out * positions);
        }
        channels = out;
      }
    }
    return flops + dense(channels, numClasses, true);
  }

  /** Mirrors TransformerNetworks: embeddings, blocks, final LayerNorm, then the head. */
  private static long transformer(TransformerConfig t, int numInputs, int numClasses) {
    long positions = t.blockSize();
    long d = t.width();
    long perToken = 0;
    perToken += d; // position embedding added; the token lookup costs nothing
    long block = norm(d) + 4 * dense(d, d, true) // LayerNorm 1; Q, K, V and the output projection
        + norm(d) + dense(d, MLP_EXPANSION * d, true) + dense(MLP_EXPANSION * d, d, true);
    perToken += t.layers() * block + norm(d); // the blocks and the final LayerNorm
    long attention = t.layers() * 2 * (2 * positions * positions * d); // Q K^T and A V
    long flops = perToken * positions + attention;
    if (t.kind() == ModelConfig.Kind.TEXT_CLASSES) {
      return flops + dense(d, numClasses, true); // one softmax on the [CLS] position
    }
    // Every position goes through the vocabulary softmax, also those BERT does not score.
    return flops + positions * dense(d, numClasses, true);
  }

  /** A DL4J list of dense layers is counted; anything else is not. */
  private static OptionalLong denseOnly(NetworkConfig conf) {
    if (conf.isGraph()) {
      return OptionalLong.empty();
    }
    long flops = 0;
    for (NeuralNetConfiguration c : conf.layers().getConfs()) {
      Layer layer = c.getLayer();
      if (layer instanceof DenseLayer d) {
        flops += dense(d.getNIn(), d.getNOut(), d.hasBias());
      } else if (layer instanceof OutputLayer o) {
        flops += dense(o.getNIn(), o.getNOut(), o.hasBias());
      } else {
        return OptionalLong.empty();
      }
    }
    return OptionalLong.of(flops);
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
