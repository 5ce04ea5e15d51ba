package org.sparktrain.worker.text;

/**
 * Concatenates documents into one token stream and cuts it into blocks of T + 1 tokens for GPT
 * training.
 *
 * <p>As nanoGPT's prepare.py, every document is followed by the separator (the end-of-text
 * token), so the model learns where documents end; attention may still look across a separator
 * inside a block, as in GPT-2 and nanoGPT.
 *
 * <p>Blocks start every T tokens, so consecutive blocks share one token (the last of block b is
 * the first of block b + 1): every token of the stream after the first is a target exactly once
 * and none is lost at block edges. Of the final partial block: {@link LastBlock#DROP} drops it
 * (at most T - 1 targets of the whole stream, and every block is pure data, so no loss mask is
 * needed); {@link LastBlock#PAD} keeps it, filled with {@code padId}, and a target equal to
 * {@code padId} then means "no loss here".
 */
public record BlockPacker(int contextLength, int separatorId, LastBlock lastBlock, int padId) {

  /** What happens to the tokens after the last full block. */
  public enum LastBlock { DROP, PAD }

  public BlockPacker {
    if (contextLength < 1) {
      throw new IllegalArgumentException("contextLength (T) must be >= 1, got " + contextLength);
    }
    if (lastBlock == null) {
      throw new IllegalArgumentException("lastBlock must be DROP or PAD");
    }
  }

  /** Separator and padding taken from the tokenizer's special tokens. */
  public static BlockPacker forTokenizer(Tokenizer tokenizer, int contextLength,
      LastBlock lastBlock) {
    SpecialTokens s = tokenizer.specialTokens();
    return new BlockPacker(contextLength, s.sep(), lastBlock, s.pad());
  }

  public TokenBlocks pack(Iterable<int[]> documents) {
    IntArrayBuilder stream = new IntArrayBuilder(1024);
    for (int[] document : documents) {
      stream.addAll(document);
      stream.add(separatorId);
    }
    int length = stream.size();
    int full = length > contextLength ? (length - 1) / contextLength : 0;
    boolean partial = lastBlock == LastBlock.PAD && length - 1 > full * contextLength;
    int count = full + (partial ? 1 : 0);
    int blockLength = contextLength + 1;
    int[] tokens = new int[count * blockLength];
    for (int b = 0; b < count; b++) {
      for (int i = 0; i < blockLength; i++) {
        int at = b * contextLength + i;
        tokens[b * blockLength + i] = at < length ? stream.get(at) : padId;
      }
    }
    return new TokenBlocks(contextLength, count, tokens);
  }
}
