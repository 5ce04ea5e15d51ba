package org.sparktrain.worker.text;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.shade.jackson.databind.JsonNode;

/**
 * Byte-level byte-pair encoding, as GPT-2 and Karpathy's minbpe {@code RegexTokenizer}: ids
 * 0..255 are the UTF-8 bytes, so every valid text round-trips exactly and nothing is unknown; id
 * {@code 256 + r} is the r-th merge; the five special tokens follow the last merge.
 *
 * <p>Text is first split into chunks by {@link #GPT2_SPLIT_PATTERN} (words with their leading
 * space, numbers, punctuation runs, whitespace) and merges never cross a chunk, so "dog." and
 * "dog!" share the token for "dog". Text the pattern does not match is a chunk of its own, so any
 * pattern keeps every character. Within a chunk, encoding repeatedly merges the adjacent pair
 * with the lowest rank, exactly as the merges were learned (minbpe's {@code encode_chunk}).
 *
 * <p>One caveat: Java encodes an unpaired surrogate (not valid UTF-16) to UTF-8 as {@code '?'};
 * it is the only input that does not come back. {@link #decode} turns byte sequences that are not
 * valid UTF-8 (a sampled model may emit half a character) into U+FFFD, as minbpe's
 * {@code errors="replace"}.
 */
public final class BpeTokenizer implements Tokenizer {
  static final String TYPE = "bpe";
  private static final int VERSION = 1;
  static final int BYTE_TOKENS = 256;
  /** GPT-2 has 50k merges; a vocabulary id is an int in the models. */
  static final int MAX_MERGES = 1 << 20;
  /** A token longer than this is no word piece; real ones are a few bytes. */
  static final int MAX_TOKEN_BYTES = 1 << 16;
  /** What all tokens' bytes may take together. */
  static final long MAX_TOTAL_TOKEN_BYTES = 256L << 20;

  /** GPT-2's pre-tokenization regex (from OpenAI's encoder.py, also minbpe's default). */
  public static final String GPT2_SPLIT_PATTERN =
      "'(?:[sdmt]|ll|ve|re)| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

  private final Pattern pattern;
  private final int[] mergeLeft;
  private final int[] mergeRight;
  /** Pair key to the id it merges into; ids grow with rank, so the id is the rank too. */
  private final Map<Long, Integer> mergeIds;
  private final byte[][] tokenBytes;
  private final SpecialTokens specials;

  BpeTokenizer(String pattern, int[] mergeLeft, int[] mergeRight) {
    this.pattern = Pattern.compile(pattern);
    this.mergeLeft = mergeLeft;
    this.mergeRight = mergeRight;
    int regular = BYTE_TOKENS + mergeLeft.length;
    this.mergeIds = new HashMap<>(mergeLeft.length * 2);
    this.tokenBytes = new byte[regular][];
    for (int b = 0; b < BYTE_TOKENS; b++) {
      tokenBytes[b] = new byte[] {(byte) b};
    }
    long totalBytes = 0;
    for (int r = 0; r < mergeLeft.length; r++) {
      int id = BYTE_TOKENS + r;
      if (mergeLeft[r] < 0 || mergeLeft[r] >= id || mergeRight[r] < 0 || mergeRight[r] >= id) {
        throw new IllegalArgumentException("merge " + r + " (" + mergeLeft[r] + ", "
            + mergeRight[r] + ") must join two ids below its own id " + id);
      }
      if (mergeIds.put(pairKey(mergeLeft[r], mergeRight[r]), id) != null) {
        throw new IllegalArgumentException("merge " + r + " (" + mergeLeft[r] + ", "
            + mergeRight[r] + ") appears twice");
      }
      byte[] l = tokenBytes[mergeLeft[r]];
      // Each merge may double a token: 30 crafted merges would make a gigabyte one.
      int length = l.length + tokenBytes[mergeRight[r]].length;
      totalBytes += length;
      if (length > MAX_TOKEN_BYTES || totalBytes > MAX_TOTAL_TOKEN_BYTES) {
        throw new IllegalArgumentException("merge " + r + " makes a token of " + length
            + " bytes (at most " + MAX_TOKEN_BYTES + " each, " + MAX_TOTAL_TOKEN_BYTES
            + " in all)");
      }
      byte[] joined = Arrays.copyOf(l, l.length + tokenBytes[mergeRight[r]].length);
      System.arraycopy(tokenBytes[mergeRight[r]], 0, joined, l.length,
          tokenBytes[mergeRight[r]].length);
      tokenBytes[id] = joined;
    }
    this.specials = SpecialTokens.appendedAt(regular);
  }

  /** Learns {@code vocabSize - 261} merges from {@code text} with the GPT-2 split pattern. */
  public static BpeTokenizer train(String text, int vocabSize) {
    return BpeTrainer.train(List.of(text), vocabSize, GPT2_SPLIT_PATTERN);
  }

  /** As {@link #train(String, int)}, over several documents; no chunk crosses two documents. */
  public static BpeTokenizer train(Iterable<String> documents, int vocabSize, String pattern) {
    return BpeTrainer.train(documents, vocabSize, pattern);
  }

  @Override
  public int[] encode(String text) {
    // Text repeats its words: encode each distinct chunk once per call (GPT-2 keeps a cache too).
    Map<String, int[]> cache = new HashMap<>();
    IntArrayBuilder out = new IntArrayBuilder(text.length());
    forEachChunk(pattern, text, chunk -> out.addAll(cache.computeIfAbsent(chunk,
        this::encodeChunk)));
    return out.toArray();
  }

  private int[] encodeChunk(String chunk) {
    byte[] bytes = chunk.getBytes(StandardCharsets.UTF_8);
    int[] ids = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      ids[i] = bytes[i] & 0xff;
    }
    int n = ids.length;
    while (n >= 2) {
      int bestId = Integer.MAX_VALUE;
      for (int i = 0; i + 1 < n; i++) {
        Integer id = mergeIds.get(pairKey(ids[i], ids[i + 1]));
        if (id != null && id < bestId) {
          bestId = id;
        }
      }
      if (bestId == Integer.MAX_VALUE) {
        break;
      }
      int r = bestId - BYTE_TOKENS;
      n = mergePair(ids, n, mergeLeft[r], mergeRight[r], bestId);
    }
    return n == ids.length ? ids : Arrays.copyOf(ids, n);
  }

  @Override
  public String decode(int[] ids) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(ids.length * 4);
    for (int id : ids) {
      if (id >= 0 && id < tokenBytes.length) {
        bytes.writeBytes(tokenBytes[id]);
      } else if (specials.isSpecial(id)) {
        bytes.writeBytes(specials.nameOf(id).getBytes(StandardCharsets.UTF_8));
      } else {
        throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, "
            + vocabSize() + ")");
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Override
  public int vocabSize() {
    return tokenBytes.length + SpecialTokens.NAMES.size();
  }

  @Override
  public SpecialTokens specialTokens() {
    return specials;
  }

  /** Number of learned merges. */
  public int mergeCount() {
    return mergeLeft.length;
  }

  /** The r-th merge as {left id, right id}; it produces id {@code 256 + r}. */
  public int[] merge(int r) {
    return new int[] {mergeLeft[r], mergeRight[r]};
  }

  /** The UTF-8 bytes a regular id stands for. */
  public byte[] tokenBytes(int id) {
    return tokenBytes[id].clone();
  }

  @Override
  public String toJson() {
    int[][] merges = new int[mergeLeft.length][];
    for (int r = 0; r < merges.length; r++) {
      merges[r] = new int[] {mergeLeft[r], mergeRight[r]};
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("type", TYPE);
    fields.put("version", VERSION);
    fields.put("pattern", pattern.pattern());
    fields.put("merges", merges);
    fields.put("specialTokens", SpecialTokens.NAMES);
    return TokenizerJson.write(fields);
  }

  static BpeTokenizer fromJsonObject(JsonNode object) {
    int version = TokenizerJson.integer(object.get("version"), "version");
    if (version != VERSION) {
      throw new IllegalArgumentException("bpe tokenizer version " + version
          + " is not supported (this build reads version " + VERSION + ")");
    }
    Tokenizer.checkSpecialNames(object);
    String pattern = TokenizerJson.string(object.get("pattern"), "pattern");
    // A pattern from a file would be compiled and run on every text: only ours is accepted
    // (a crafted one could backtrack for hours).
    if (!pattern.equals(GPT2_SPLIT_PATTERN)) {
      throw new IllegalArgumentException("pattern " + pattern + " is not sparktrain's "
          + "pre-split pattern; only " + GPT2_SPLIT_PATTERN + " is accepted");
    }
    JsonNode merges = TokenizerJson.array(object.get("merges"), "merges");
    if (merges.size() > MAX_MERGES) {
      throw new IllegalArgumentException(merges.size() + " merges; at most " + MAX_MERGES
          + " are supported");
    }
    int[] left = new int[merges.size()];
    int[] right = new int[merges.size()];
    for (int r = 0; r < left.length; r++) {
      JsonNode pair = TokenizerJson.array(merges.get(r), "merges[" + r + "]");
      if (pair.size() != 2) {
        throw new IllegalArgumentException("merges[" + r + "] must be [left, right], got "
            + pair);
      }
      left[r] = TokenizerJson.integer(pair.get(0), "merges[" + r + "][0]");
      right[r] = TokenizerJson.integer(pair.get(1), "merges[" + r + "][1]");
    }
    return new BpeTokenizer(pattern, left, right);
  }

  static long pairKey(int left, int right) {
    return ((long) left << 32) | right;
  }

  /**
   * Replaces every non-overlapping occurrence of (left, right) in {@code ids[0..n)}, scanning
   * left to right (so "aaa" becomes "Xa"), and returns the new length. Training and encoding
   * both merge this way, so they agree.
   */
  static int mergePair(int[] ids, int n, int left, int right, int newId) {
    int w = 0;
    for (int i = 0; i < n; i++) {
      if (i + 1 < n && ids[i] == left && ids[i + 1] == right) {
        ids[w++] = newId;
        i++;
      } else {
        ids[w++] = ids[i];
      }
    }
    return w;
  }

  /** Calls {@code action} for each chunk in order; unmatched text between matches is a chunk. */
  static void forEachChunk(Pattern pattern, String text, Consumer<String> action) {
    Matcher m = pattern.matcher(text);
    int end = 0;
    while (m.find()) {
      if (m.start() > end) {
        action.accept(text.substring(end, m.start()));
      }
      if (m.end() > m.start()) {
        action.accept(m.group());
      }
      end = Math.max(end, m.end());
    }
    if (end < text.length()) {
      action.accept(text.substring(end));
    }
  }
}
