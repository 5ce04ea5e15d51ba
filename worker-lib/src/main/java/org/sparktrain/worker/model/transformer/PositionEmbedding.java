package org.sparktrain.worker.model.transformer;

import java.util.Map;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Adds a learned embedding of each position (GPT-2's wpe) to the token embeddings:
 * out[b, :, t] = in[b, :, t] + P[t, :]. Sequences must be exactly {@code blockSize} long.
 */
public final class PositionEmbedding extends SequenceLayer {
  static final String POSITIONS = "P";

  @JsonProperty("blockSize")
  private int blockSize;

  /** For Jackson. */
  private PositionEmbedding() {}

  public PositionEmbedding(int blockSize, long width) {
    super(width);
    if (blockSize < 1) {
      throw new IllegalArgumentException("blockSize must be >= 1, got " + blockSize);
    }
    this.blockSize = blockSize;
  }

  @JsonIgnore
  public int getBlockSize() {
    return blockSize;
  }

  @Override
  public void defineParameters(SDLayerParams params) {
    params.clear();
    // A weight, not a bias, so that weight decay applies as it does to GPT-2's wpe.
    params.addWeightParam(POSITIONS, blockSize, width);
  }

  @Override
  public void initializeParameters(Map<String, INDArray> params) {
    SameDiffOps.normal(params.get(POSITIONS), SameDiffOps.INIT_STD);
  }

  @Override
  public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> params,
      SDVariable mask) {
    // [T, width] -> [width, T], broadcast over the batch.
    return input.add(params.get(POSITIONS).permute(1, 0));
  }

  @Override
  public void validateInput(INDArray input) {
    super.validateInput(input);
    if (input.size(2) != blockSize) {
      throw new IllegalArgumentException("PositionEmbedding '" + getLayerName()
          + "' has " + blockSize + " positions but the input has T = " + input.size(2)
          + " (pad or crop sequences to blockSize)");
    }
  }

  @Override
  public boolean equals(Object o) {
    return super.equals(o) && ((PositionEmbedding) o).blockSize == blockSize;
  }

  @Override
  public int hashCode() {
    return super.hashCode() * 31 + blockSize;
  }
}
