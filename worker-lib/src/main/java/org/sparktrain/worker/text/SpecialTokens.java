package org.sparktrain.worker.text;

import java.io.Serializable;
import java.util.List;

/**
 * The ids of the five special tokens every {@link Tokenizer} here has, whatever its level.
 *
 * <p>Both tokenizers append them after their regular vocabulary, in the order of {@link #NAMES},
 * as GPT-2 appends {@code <|endoftext|>} after its 50,256 byte-level tokens: regular ids stay
 * dense from 0 (for byte-level BPE, ids 0..255 are the bytes themselves), and one model code path
 * serves BERT and GPT with either tokenizer at the cost of a few embedding rows.
 *
 * <ul>
 *   <li>{@code pad} fills a block past its data; its positions carry no loss.
 *   <li>{@code unk} stands for a character the vocabulary lacks (character level only: byte-level
 *       BPE can spell every text and never produces it).
 *   <li>{@code cls} starts a BERT sequence.
 *   <li>{@code sep} ends a document: BERT's [SEP] and GPT's end-of-text separator alike
 *       (nanoGPT's prepare.py appends {@code eot_token} after every document).
 *   <li>{@code mask} replaces a token chosen for BERT's masked-language-model loss.
 * </ul>
 */
public record SpecialTokens(int pad, int unk, int cls, int sep, int mask)
    implements Serializable {

  /** How {@link Tokenizer#decode} spells each special token, in id order. */
  public static final List<String> NAMES = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");

  /** Five consecutive ids starting at {@code firstId}, in the order of {@link #NAMES}. */
  public static SpecialTokens appendedAt(int firstId) {
    if (firstId < 0) {
      throw new IllegalArgumentException("first special token id must be >= 0, got " + firstId);
    }
    return new SpecialTokens(firstId, firstId + 1, firstId + 2, firstId + 3, firstId + 4);
  }

  public boolean isSpecial(int id) {
    return id == pad || id == unk || id == cls || id == sep || id == mask;
  }

  /** The special token's spelling, e.g. {@code "[SEP]"}; null for a regular id. */
  public String nameOf(int id) {
    if (id == pad) {
      return NAMES.get(0);
    } else if (id == unk) {
      return NAMES.get(1);
    } else if (id == cls) {
      return NAMES.get(2);
    } else if (id == sep) {
      return NAMES.get(3);
    } else if (id == mask) {
      return NAMES.get(4);
    }
    return null;
  }
}
