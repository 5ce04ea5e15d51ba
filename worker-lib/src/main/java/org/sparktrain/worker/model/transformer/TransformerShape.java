package org.sparktrain.worker.model.transformer;

import java.io.Serializable;

/**
 * The architecture of a GPT- or BERT-style transformer (nanoGPT's GPTConfig without dropout).
 *
 * @param vocabSize number of token ids (0 .. vocabSize - 1)
 * @param blockSize sequence length T; every input has exactly this many positions
 * @param layers number of transformer blocks
 * @param width hidden size d (n_embd)
 * @param heads attention heads; must divide width
 */
public record TransformerShape(int vocabSize, int blockSize, int layers, int width, int heads)
    implements Serializable {

  public TransformerShape {
    require(vocabSize >= 2, "vocabSize must be >= 2, got " + vocabSize);
    require(blockSize >= 1, "blockSize must be >= 1, got " + blockSize);
    require(layers >= 1, "layers must be >= 1, got " + layers);
    require(width >= 1, "width must be >= 1, got " + width);
    require(heads >= 1 && width % heads == 0,
        "heads must be >= 1 and divide width " + width + ", got " + heads);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
