package org.sparktrain.worker.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Knowledge distillation's loss (Hinton et al., 2015) for a softmax classifier:
 * {@code (1 - alpha) CE(y, softmax(z)) + alpha T^2 KL(q || softmax(z / T))}, where {@code q} is
 * the teacher's class distribution softened at temperature {@code T}. The {@code T^2} keeps the
 * soft term's gradient, {@code alpha T (softmax(z / T) - q)}, on the hard term's scale whatever
 * {@code T} is.
 *
 * <p>Labels of a distilled batch are {@code [one-hot | q]}, twice the output width. Labels of the
 * output width (validation, evaluation) are scored by plain cross-entropy, so the student's
 * validation loss stays comparable with a model trained on labels alone. The hard term is
 * DL4J's own {@link LossMCXENT}, so {@code alpha = 0} trains bit for bit like it.
 */
public final class DistillationLoss implements ILossFunction {
  private static final long serialVersionUID = 1L;

  @JsonProperty
  private double temperature;
  @JsonProperty
  private double alpha;
  /** Not configuration: the same for every instance. */
  @JsonIgnore
  private final LossMCXENT hard = new LossMCXENT();

  /** For Jackson (DL4J's configuration JSON). */
  private DistillationLoss() {}

  public DistillationLoss(double temperature, double alpha) {
    if (!(temperature > 0) || !(alpha >= 0 && alpha <= 1)) {
      throw new IllegalArgumentException("temperature must be above 0 and alpha in [0, 1], got "
          + temperature + " and " + alpha);
    }
    this.temperature = temperature;
    this.alpha = alpha;
  }

  /**
   * Puts this loss on the configuration's output layer.
   *
   * @throws IllegalArgumentException when that layer is not a softmax cross-entropy classifier
   */
  public static void install(NetworkConfig conf, double temperature, double alpha) {
    BaseOutputLayer out = outputLayer(conf);
    if (!(out.getLossFn() instanceof LossMCXENT)
        || !(out.getActivationFn() instanceof ActivationSoftmax)) {
      throw new IllegalArgumentException("distillation needs a classifier with a softmax "
          + "output trained by cross-entropy; this model's output is " + out.getActivationFn()
          + " with loss " + out.getLossFn());
    }
    out.setLossFn(new DistillationLoss(temperature, alpha));
  }

  private static BaseOutputLayer outputLayer(NetworkConfig conf) {
    Layer last;
    if (conf.isGraph()) {
      ComputationGraphConfiguration g = conf.graph();
      if (g.getNetworkOutputs().size() != 1) {
        throw new IllegalArgumentException("distillation needs a network with one output, this "
            + "one has " + g.getNetworkOutputs());
      }
      GraphVertex v = g.getVertices().get(g.getNetworkOutputs().get(0));
      last = v instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : null;
    } else {
      var confs = conf.layers().getConfs();
      last = confs.get(confs.size() - 1).getLayer();
    }
    if (!(last instanceof BaseOutputLayer out)) {
      throw new IllegalArgumentException("distillation needs a network that ends in an output "
          + "layer, this one ends in " + last);
    }
    return out;
  }

  public double temperature() {
    return temperature;
  }

  public double alpha() {
    return alpha;
  }

  private boolean distilled(INDArray labels, INDArray preOutput) {
    long k = preOutput.size(1);
    if (labels.size(1) == k) {
      return false;
    }
    if (labels.size(1) != 2 * k) {
      throw new IllegalArgumentException("distillation labels must hold " + k + " classes or "
          + "one-hot and soft targets (" + 2 * k + " columns), got " + labels.size(1));
    }
    return true;
  }

  private static INDArray columns(INDArray labels, long from, long to) {
    return labels.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)).dup('c');
  }

  @Override
  public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activation,
      INDArray mask) {
    if (!distilled(labels, preOutput)) {
      return hard.computeScoreArray(labels, preOutput, activation, mask);
    }
    long k = preOutput.size(1);
    INDArray scores = hard.computeScoreArray(columns(labels, 0, k), preOutput, activation, mask)
        .muli(1 - alpha);
    if (alpha > 0) {
      float[] soft = softScores(columns(labels, k, 2 * k), preOutput, mask);
      scores.addi(Nd4j.create(soft, new long[] {soft.length, 1}, 'c')
          .castTo(scores.dataType()).reshape(scores.shape()));
    }
    return scores;
  }

  @Override
  public double computeScore(INDArray labels, INDArray preOutput, IActivation activation,
      INDArray mask, boolean average) {
    double sum = computeScoreArray(labels, preOutput, activation, mask).sumNumber().doubleValue();
    return average ? sum / preOutput.size(0) : sum;
  }

  @Override
  public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activation,
      INDArray mask) {
    if (!distilled(labels, preOutput)) {
      return hard.computeGradient(labels, preOutput, activation, mask);
    }
    long k = preOutput.size(1);
    INDArray gradient = hard.computeGradient(columns(labels, 0, k), preOutput, activation, mask);
    if (alpha == 0) {
      return gradient;
    }
    gradient.muli(1 - alpha);
    return gradient.addi(softGradient(columns(labels, k, 2 * k), preOutput, mask)
        .castTo(gradient.dataType()));
  }

  @Override
  public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput,
      IActivation activation, INDArray mask, boolean average) {
    return new Pair<>(computeScore(labels, preOutput, activation, mask, average),
        computeGradient(labels, preOutput, activation, mask));
  }

  /** {@code alpha T^2 KL(q || softmax(z / T))} per row. */
  private float[] softScores(INDArray q, INDArray z, INDArray mask) {
    float[][] targets = q.toFloatMatrix();
    float[][] logits = z.toFloatMatrix();
    float[] out = new float[logits.length];
    for (int r = 0; r < logits.length; r++) {
      double[] logP = logSoftmax(logits[r]);
      double kl = 0;
      for (int c = 0; c < logP.length; c++) {
        double t = targets[r][c];
        if (t > 0) {
          kl += t * (Math.log(t) - logP[c]);
        }
      }
      out[r] = (float) (alpha * temperature * temperature * kl * maskOf(mask, r));
    }
    return out;
  }

  /** {@code alpha T (softmax(z / T) - q)}. */
  private INDArray softGradient(INDArray q, INDArray z, INDArray mask) {
    float[][] targets = q.toFloatMatrix();
    float[][] logits = z.toFloatMatrix();
    int k = logits.length == 0 ? 0 : logits[0].length;
    float[] out = new float[logits.length * k];
    for (int r = 0; r < logits.length; r++) {
      double[] logP = logSoftmax(logits[r]);
      double m = maskOf(mask, r);
      for (int c = 0; c < k; c++) {
        out[r * k + c] = (float) (alpha * temperature * (Math.exp(logP[c]) - targets[r][c]) * m);
      }
    }
    return Nd4j.create(out, new long[] {logits.length, k}, 'c');
  }

  /** {@code log softmax(z / T)}, in double and shifted by the maximum so nothing overflows. */
  private double[] logSoftmax(float[] z) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : z) {
      max = Math.max(max, v / temperature);
    }
    double sum = 0;
    for (float v : z) {
      sum += Math.exp(v / temperature - max);
    }
    double log = max + Math.log(sum);
    double[] out = new double[z.length];
    for (int c = 0; c < z.length; c++) {
      out[c] = z[c] / temperature - log;
    }
    return out;
  }

  private static double maskOf(INDArray mask, int row) {
    return mask == null ? 1 : mask.getDouble(row, 0);
  }

  @Override
  public String name() {
    return "distillation(T=" + temperature + ", alpha=" + alpha + ")";
  }

  @Override
  public String toString() {
    return name();
  }
}
