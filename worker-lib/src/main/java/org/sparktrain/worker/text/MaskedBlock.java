package org.sparktrain.worker.text;

/**
 * One block prepared for BERT's masked-language-model loss.
 *
 * @param inputs what the model reads: the block with the chosen positions replaced
 * @param labels the original id at each chosen position, {@link #IGNORED} elsewhere
 * @param labelMask 1 at chosen positions, 0 elsewhere; float so it becomes a DL4J label mask as is
 */
public record MaskedBlock(int[] inputs, int[] labels, float[] labelMask) {
  /** Label of a position that carries no loss (PyTorch and Hugging Face use -100). */
  public static final int IGNORED = -1;

  /** Number of positions that carry a loss. */
  public int predictedCount() {
    int n = 0;
    for (float m : labelMask) {
      n += m > 0 ? 1 : 0;
    }
    return n;
  }
}
