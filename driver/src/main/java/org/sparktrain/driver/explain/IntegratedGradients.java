package org.sparktrain.driver.explain;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.sparktrain.worker.model.Network;

/**
 * Integrated gradients (Sundararajan, Taly and Yan, 2017): input i's share of the model's
 * output at x, measured from a baseline x' as {@code (x_i - x'_i)} times the mean gradient
 * along the straight path from x' to x. By the completeness axiom the shares add up to
 * {@code F(x) - F(x')}; {@link Attribution#completenessGap} reports how far the Riemann sum
 * (midpoints, {@code steps} of them) is from that.
 *
 * <p>F is the log-probability of the explained class for a classifier, the predicted value for
 * a regressor. The baseline is the all-zero row of the normalized inputs: the training mean
 * when the model standardizes. Gradients come from DL4J's backpropagation of the model's own
 * loss (the cross-entropy of a one-hot label is {@code -log p}; the squared error against a
 * label one above the prediction has gradient {@code -2} with respect to it), on a copy of the
 * network that computes what predict computes ({@link DifferentiableCopy}: no dropout, batch
 * normalization as at inference), so layer stacks and graphs (the resnet) both work.
 */
public final class IntegratedGradients {
  /**
   * @param target the class explained (classifiers), or -1
   * @param output F(x)
   * @param baselineOutput F(x')
   * @param completenessGap {@code sum(values) - (output - baselineOutput)}
   */
  public record Attribution(int target, double[] values, double output, double baselineOutput,
      double completenessGap) {}

  private final DifferentiableCopy net;
  private final boolean classification;
  private final int steps;

  /** @param numInputs the width of a (normalized) row */
  public IntegratedGradients(Network network, int numInputs, boolean classification,
      int steps) {
    if (steps < 2) {
      throw new IllegalArgumentException("--steps must be at least 2, got " + steps);
    }
    this.net = DifferentiableCopy.of(network, numInputs);
    this.classification = classification;
    this.steps = steps;
  }

  /** Attributions of {@code x} for {@code target} (ignored for a regressor). */
  public Attribution explain(float[] x, int target) {
    int n = x.length;
    INDArray row = Nd4j.create(x).reshape(1, n);
    INDArray baseline = Nd4j.zeros(row.dataType(), 1, n);
    // Midpoints of the path: x' + (k + 0.5) / steps * (x - x'), k = 0..steps-1.
    INDArray alphas = Nd4j.linspace(0.5 / steps, 1 - 0.5 / steps, steps, row.dataType())
        .reshape(steps, 1);
    INDArray path = baseline.add(alphas.mmul(row.sub(baseline)));
    INDArray gradient = gradientOfF(path, target).mean(0);
    INDArray values = row.sub(baseline).reshape(n).mul(gradient);
    double output = f(row, target);
    double baselineOutput = f(baseline, target);
    double sum = values.sumNumber().doubleValue();
    return new Attribution(classification ? target : -1, values.toDoubleVector(), output,
        baselineOutput, sum - (output - baselineOutput));
  }

  /**
   * Gradient saliency (Simonyan et al., 2014): {@code |dF/dx_i|} at {@code x} itself, how
   * strongly each input moves the output locally.
   */
  public double[] saliency(float[] x, int target) {
    INDArray row = Nd4j.create(x).reshape(1, x.length);
    return Transforms.abs(gradientOfF(row, target)).reshape(x.length).toDoubleVector();
  }

  /** F at one row: log p(target) or the prediction. */
  double f(INDArray row, int target) {
    INDArray out = net.output(row);
    return classification ? Math.log(out.getDouble(0, target)) : out.getDouble(0, 0);
  }

  /** dF/dx for every row of {@code rows}. */
  private INDArray gradientOfF(INDArray rows, int target) {
    INDArray labels;
    double scale;
    if (classification) {
      labels = Nd4j.zeros(rows.dataType(), rows.rows(), net.output(rows.getRow(0, true))
          .size(1));
      labels.getColumn(target).assign(1);
      scale = -1; // dL/dx = -d log p / dx
    } else {
      labels = net.output(rows).add(1);
      scale = -0.5; // dL/dx = -2 dF/dx
    }
    INDArray inputGradient = net.lossGradient(rows, labels);
    return inputGradient.mul(scale);
  }

  /** The class the model predicts for {@code x}. */
  public int predicted(float[] x) {
    return net.output(Nd4j.create(x).reshape(1, x.length)).argMax(1).getInt(0);
  }
}
