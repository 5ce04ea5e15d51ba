package org.sparktrain.worker.text;

import java.util.Arrays;

/**
 * Fixed-length token blocks for next-token prediction, packed row-major in one array (as
 * {@code ExampleBlock} packs features): block b is
 * {@code tokens[b * (T + 1) .. (b + 1) * (T + 1))}.
 * The model reads the first T tokens and is trained to predict the last T (nanoGPT's {@code x}
 * and {@code y = x shifted by one}).
 */
public record TokenBlocks(int contextLength, int count, int[] tokens) {

  public TokenBlocks {
    if (tokens.length != count * (contextLength + 1)) {
      throw new IllegalArgumentException(count + " blocks of " + (contextLength + 1)
          + " tokens need " + count * (contextLength + 1) + " ids, got " + tokens.length);
    }
  }

  /** T + 1: the tokens one block stores. */
  public int blockLength() {
    return contextLength + 1;
  }

  /** All T + 1 tokens of block {@code b}. */
  public int[] block(int b) {
    int from = b * blockLength();
    return Arrays.copyOfRange(tokens, from, from + blockLength());
  }

  /** The model's input: the first T tokens of block {@code b}. */
  public int[] inputs(int b) {
    int from = b * blockLength();
    return Arrays.copyOfRange(tokens, from, from + contextLength);
  }

  /** The next-token targets: tokens 1..T of block {@code b}. */
  public int[] targets(int b) {
    int from = b * blockLength() + 1;
    return Arrays.copyOfRange(tokens, from, from + contextLength);
  }
}
