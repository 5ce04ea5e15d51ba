package org.sparktrain.worker.model.transformer;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.GaussianDistribution;
import org.nd4j.linalg.factory.Nd4j;

/** Building blocks shared by the transformer layers, written out from elementary SameDiff ops. */
final class SameDiffOps {
  /** PyTorch's LayerNorm default. */
  static final double LAYER_NORM_EPS = 1e-5;
  /** GPT-2's initialisation of every weight matrix and embedding. */
  static final double INIT_STD = 0.02;

  private SameDiffOps() {}

  /**
   * LayerNorm over the last dimension of {@code x}: biased variance and epsilon 1e-5, as
   * PyTorch. Written out because ND4J's {@code layerNorm} op has no epsilon (a row of equal
   * values divides by zero) and was not faster here.
   *
   * @param last index of x's last dimension (SameDiff does not always know x's rank here)
   * @param gain shape [1, width], broadcast over the leading dimensions
   */
  static SDVariable layerNorm(SameDiff sd, SDVariable x, int last, SDVariable gain,
      SDVariable bias) {
    SDVariable centred = x.sub(x.mean(true, last));
    SDVariable variance = centred.mul(centred).mean(true, last);
    return centred.mul(sd.math.rsqrt(variance.add(LAYER_NORM_EPS))).mul(gain).add(bias);
  }

  /**
   * GELU in its sigmoid approximation x * sigmoid(1.702 x) (Hendrycks and Gimpel), ND4J's fused
   * {@code gelu} op with its own derivative. GPT-2's tanh approximation, written out from
   * elementary ops, spent about 15% of a training step of the benchmark model in libnd4j's slow
   * tanh and its gradient alone; the two approximations differ by at most 0.021. ND4J M2.1's
   * {@code preciseGelu} is wrong (0.8314 at x = 1 where GELU is 0.8413).
   */
  static SDVariable gelu(SameDiff sd, SDVariable x) {
    return sd.nn.gelu(x);
  }

  /** x [rows, in] times w [in, out] plus b [1, out]. */
  static SDVariable linear(SDVariable x, SDVariable w, SDVariable b) {
    return x.mmul(w).add(b);
  }

  /** Fills {@code param} in place from N(0, std) with ND4J's seeded generator. */
  static void normal(INDArray param, double std) {
    Nd4j.getExecutioner().exec(new GaussianDistribution(param, 0.0, std));
  }
}
