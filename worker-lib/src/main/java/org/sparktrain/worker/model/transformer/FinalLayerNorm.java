package org.sparktrain.worker.model.transformer;

import java.util.Map;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LayerNorm of every position's hidden state, [batch, width, T] -> same shape: GPT-2's ln_f,
 * needed after a stack of pre-LayerNorm blocks whose residual stream is never normalised.
 * DL4J M2.1 has no LayerNorm layer of its own.
 */
public final class FinalLayerNorm extends SequenceLayer {
  static final String GAIN = "g";
  static final String BIAS = "b";

  /** For Jackson. */
  private FinalLayerNorm() {}

  public FinalLayerNorm(long width) {
    super(width);
  }

  @Override
  public void defineParameters(SDLayerParams params) {
    params.clear();
    // Biases for DL4J: no weight decay on LayerNorm parameters, as in GPT-2 and nanoGPT.
    params.addBiasParam(GAIN, 1, width);
    params.addBiasParam(BIAS, 1, width);
  }

  @Override
  public void initializeParameters(Map<String, INDArray> params) {
    params.get(GAIN).assign(1.0);
    params.get(BIAS).assign(0.0);
  }

  @Override
  public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> params,
      SDVariable mask) {
    SDVariable positionsLast = input.permute(0, 2, 1);
    return SameDiffOps.layerNorm(sd, positionsLast, 2, params.get(GAIN), params.get(BIAS))
        .permute(0, 2, 1);
  }
}
