package org.sparktrain.worker.model.transformer;

import java.util.Map;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * One pre-LayerNorm transformer block as in GPT-2, on hidden states [batch, width, T] (NCW):
 * <pre>
 *   x = x + Wo * attention(LayerNorm1(x))      multi-head scaled dot-product self-attention
 *   x = x + W2 * gelu(W1 * LayerNorm2(x))      MLP width -> 4 width -> width
 * </pre>
 * With {@code causal} a position attends only to itself and earlier positions (GPT); without, to
 * all positions (BERT), and then a DL4J feature mask [batch, T] (0 = padding) hides padding
 * positions as keys. A causal block ignores the feature mask: padding on the right never reaches
 * earlier positions anyway, and DL4J hands a SameDiff layer an all-ones mask when there is none,
 * so applying it would cost two [batch, heads, T, T] passes per block for nothing.
 * No dropout: the training engine's determinism would need a seeded SameDiff dropout, and the
 * small models trained here do not need it.
 *
 * <p>Parameters are initialised like GPT-2: weights from N(0, 0.02), the two projections that
 * write into the residual stream (Wo, W2) from N(0, residualStd), biases 0, LayerNorm gains 1.
 */
public final class TransformerBlock extends SequenceLayer {
  static final String LN1_GAIN = "ln1g";
  static final String LN1_BIAS = "ln1b";
  static final String WQ = "Wq";
  static final String BQ = "bq";
  static final String WK = "Wk";
  static final String BK = "bk";
  static final String WV = "Wv";
  static final String BV = "bv";
  static final String WO = "Wo";
  static final String BO = "bo";
  static final String LN2_GAIN = "ln2g";
  static final String LN2_BIAS = "ln2b";
  static final String W1 = "W1";
  static final String B1 = "b1";
  static final String W2 = "W2";
  static final String B2 = "b2";
  /** Added to the score of a hidden key: exp(-1e9 - max) is exactly 0 in float and double. */
  static final double HIDDEN_SCORE = -1e9;
  private static final int MLP_EXPANSION = 4;

  @JsonProperty("blockSize")
  private int blockSize;
  @JsonProperty("heads")
  private int heads;
  @JsonProperty("causal")
  private boolean causal;
  @JsonProperty("residualStd")
  private double residualStd;

  /** For Jackson. */
  private TransformerBlock() {}

  /**
   * @param residualStd initial standard deviation of Wo and W2; GPT-2 uses
   *     0.02 / sqrt(2 * number of blocks) so the residual stream's variance does not grow
   *     with depth
   */
  public TransformerBlock(int blockSize, long width, int heads, boolean causal,
      double residualStd) {
    super(width);
    if (blockSize < 1) {
      throw new IllegalArgumentException("blockSize must be >= 1, got " + blockSize);
    }
    if (heads < 1 || width % heads != 0) {
      throw new IllegalArgumentException("heads must be >= 1 and divide width " + width
          + ", got " + heads);
    }
    if (!(residualStd > 0)) {
      throw new IllegalArgumentException("residualStd must be > 0, got " + residualStd);
    }
    this.blockSize = blockSize;
    this.heads = heads;
    this.causal = causal;
    this.residualStd = residualStd;
  }

  @JsonIgnore
  public int getBlockSize() {
    return blockSize;
  }

  @JsonIgnore
  public int getHeads() {
    return heads;
  }

  @JsonIgnore
  public boolean isCausal() {
    return causal;
  }

  @JsonIgnore
  public double getResidualStd() {
    return residualStd;
  }

  @Override
  public void defineParameters(SDLayerParams params) {
    params.clear();
    long hidden = MLP_EXPANSION * width;
    // LayerNorm gains are "biases" for DL4J so that weight decay skips them, as in nanoGPT.
    params.addBiasParam(LN1_GAIN, 1, width);
    params.addBiasParam(LN1_BIAS, 1, width);
    params.addWeightParam(WQ, width, width);
    params.addBiasParam(BQ, 1, width);
    params.addWeightParam(WK, width, width);
    params.addBiasParam(BK, 1, width);
    params.addWeightParam(WV, width, width);
    params.addBiasParam(BV, 1, width);
    params.addWeightParam(WO, width, width);
    params.addBiasParam(BO, 1, width);
    params.addBiasParam(LN2_GAIN, 1, width);
    params.addBiasParam(LN2_BIAS, 1, width);
    params.addWeightParam(W1, width, hidden);
    params.addBiasParam(B1, 1, hidden);
    params.addWeightParam(W2, hidden, width);
    params.addBiasParam(B2, 1, width);
  }

  @Override
  public void initializeParameters(Map<String, INDArray> params) {
    for (Map.Entry<String, INDArray> p : params.entrySet()) {
      switch (p.getKey()) {
        case LN1_GAIN, LN2_GAIN -> p.getValue().assign(1.0);
        case WQ, WK, WV, W1 -> SameDiffOps.normal(p.getValue(), SameDiffOps.INIT_STD);
        case WO, W2 -> SameDiffOps.normal(p.getValue(), residualStd);
        default -> p.getValue().assign(0.0);
      }
    }
  }

  @Override
  public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> p,
      SDVariable mask) {
    // Rows are (batch, position) pairs: [batch * T, width], so every projection is one matmul.
    SDVariable x = input.permute(0, 2, 1).reshape(-1, width);
    SDVariable h = SameDiffOps.layerNorm(sd, x, 1, p.get(LN1_GAIN), p.get(LN1_BIAS));
    SDVariable attended = attention(sd, h, p, mask);
    x = x.add(SameDiffOps.linear(attended, p.get(WO), p.get(BO)));
    h = SameDiffOps.layerNorm(sd, x, 1, p.get(LN2_GAIN), p.get(LN2_BIAS));
    SDVariable mlp = SameDiffOps.gelu(sd, SameDiffOps.linear(h, p.get(W1), p.get(B1)));
    x = x.add(SameDiffOps.linear(mlp, p.get(W2), p.get(B2)));
    return x.reshape(-1, blockSize, width).permute(0, 2, 1);
  }

  /**
   * The attention probabilities this block computes for {@code input} [batch, width, T], as
   * [batch, heads, T (query), T (key)]: the same operations as {@link #defineLayer} up to the
   * softmax, for looking at what each head attends to.
   */
  public SDVariable defineAttentionWeights(SameDiff sd, SDVariable input,
      Map<String, SDVariable> p, SDVariable mask) {
    SDVariable x = input.permute(0, 2, 1).reshape(-1, width);
    SDVariable h = SameDiffOps.layerNorm(sd, x, 1, p.get(LN1_GAIN), p.get(LN1_BIAS));
    return attentionWeights(sd, h, p, mask);
  }

  /** h [batch * T, width] -> each position's attention output, heads concatenated, same shape. */
  private SDVariable attention(SameDiff sd, SDVariable h, Map<String, SDVariable> p,
      SDVariable mask) {
    SDVariable weights = attentionWeights(sd, h, p, mask);
    SDVariable v = perHead(SameDiffOps.linear(h, p.get(WV), p.get(BV)), width / heads);
    return sd.mmul(weights, v).permute(0, 2, 1, 3).reshape(-1, width);
  }

  /** [batch, heads, T, T]: each query position's softmax over the key positions. */
  private SDVariable attentionWeights(SameDiff sd, SDVariable h, Map<String, SDVariable> p,
      SDVariable mask) {
    long headSize = width / heads;
    // Scaling q rather than the scores touches headSize / T as many numbers (1/4 at T = 128).
    SDVariable q = perHead(SameDiffOps.linear(h, p.get(WQ), p.get(BQ))
        .mul(1.0 / Math.sqrt(headSize)), headSize);
    SDVariable k = perHead(SameDiffOps.linear(h, p.get(WK), p.get(BK)), headSize);
    // [batch, heads, T, T]: query position x key position
    SDVariable scores = sd.mmul(q, k, false, true, false);
    if (causal) {
      scores = scores.add(sd.constant(futureHidden(h)));
    } else if (mask != null) {
      // 1 = real token, 0 = padding: padding gets HIDDEN_SCORE as a key, for every query.
      scores = scores.add(mask.rsub(1.0).mul(HIDDEN_SCORE).reshape(-1, 1, 1, blockSize));
    }
    return sd.nn.softmax(scores, 3);
  }

  /** [batch * T, width] -> [batch, heads, T, headSize]. */
  private SDVariable perHead(SDVariable rows, long headSize) {
    return rows.reshape(-1, blockSize, heads, headSize).permute(0, 2, 1, 3);
  }

  /** [T, T]: 0 where key position <= query position, HIDDEN_SCORE above the diagonal. */
  private INDArray futureHidden(SDVariable like) {
    INDArray m = Nd4j.zeros(like.dataType(), blockSize, blockSize);
    for (int query = 0; query < blockSize; query++) {
      for (int key = query + 1; key < blockSize; key++) {
        m.putScalar(query, key, HIDDEN_SCORE);
      }
    }
    return m;
  }

  @Override
  public void validateInput(INDArray input) {
    super.validateInput(input);
    if (input.size(2) != blockSize) {
      throw new IllegalArgumentException("TransformerBlock '" + getLayerName() + "' expects T = "
          + blockSize + " positions, got " + input.size(2)
          + " (pad or crop sequences to blockSize)");
    }
  }

  @Override
  public boolean equals(Object o) {
    return super.equals(o) && o instanceof TransformerBlock b && b.blockSize == blockSize
        && b.heads == heads && b.causal == causal && b.residualStd == residualStd;
  }

  @Override
  public int hashCode() {
    return ((super.hashCode() * 31 + blockSize) * 31 + heads) * 31 + Boolean.hashCode(causal);
  }
}
