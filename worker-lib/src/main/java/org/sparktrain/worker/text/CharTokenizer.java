package org.sparktrain.worker.text;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.shade.jackson.databind.JsonNode;

/**
 * One token per Unicode code point (nanoGPT's shakespeare_char), so "😀" is one token, not two
 * UTF-16 units. The vocabulary is the training text's distinct code points in ascending order
 * (id = rank), which makes it a pure function of the text's character set; the five special
 * tokens follow. A code point the training text lacks encodes to {@code unk}.
 */
public final class CharTokenizer implements Tokenizer {
  static final String TYPE = "char";
  private static final int VERSION = 1;

  private final int[] codePoints;
  private final SpecialTokens specials;

  private CharTokenizer(int[] sortedCodePoints) {
    this.codePoints = sortedCodePoints;
    this.specials = SpecialTokens.appendedAt(sortedCodePoints.length);
  }

  /** The vocabulary of {@code text}: its distinct code points, sorted. */
  public static CharTokenizer train(String text) {
    int[] distinct = text.codePoints().distinct().sorted().toArray();
    if (distinct.length == 0) {
      throw new IllegalArgumentException("cannot build a character vocabulary from empty text");
    }
    return new CharTokenizer(distinct);
  }

  @Override
  public int[] encode(String text) {
    return text.codePoints().map(cp -> {
      int id = Arrays.binarySearch(codePoints, cp);
      return id >= 0 ? id : specials.unk();
    }).toArray();
  }

  @Override
  public String decode(int[] ids) {
    StringBuilder out = new StringBuilder(ids.length);
    for (int id : ids) {
      if (id >= 0 && id < codePoints.length) {
        out.appendCodePoint(codePoints[id]);
      } else if (specials.isSpecial(id)) {
        out.append(specials.nameOf(id));
      } else {
        throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, "
            + vocabSize() + ")");
      }
    }
    return out.toString();
  }

  @Override
  public int vocabSize() {
    return codePoints.length + SpecialTokens.NAMES.size();
  }

  @Override
  public SpecialTokens specialTokens() {
    return specials;
  }

  /** Code points as integers, so even an unpaired surrogate in the training text survives. */
  @Override
  public String toJson() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("type", TYPE);
    fields.put("version", VERSION);
    fields.put("codePoints", codePoints);
    fields.put("specialTokens", SpecialTokens.NAMES);
    return TokenizerJson.write(fields);
  }

  static CharTokenizer fromJsonObject(JsonNode object) {
    int version = TokenizerJson.integer(object.get("version"), "version");
    if (version != VERSION) {
      throw new IllegalArgumentException("char tokenizer version " + version
          + " is not supported (this build reads version " + VERSION + ")");
    }
    Tokenizer.checkSpecialNames(object);
    JsonNode list = TokenizerJson.array(object.get("codePoints"), "codePoints");
    int[] cps = new int[list.size()];
    for (int i = 0; i < cps.length; i++) {
      cps[i] = TokenizerJson.integer(list.get(i), "codePoints[" + i + "]");
      if (cps[i] < 0 || cps[i] > Character.MAX_CODE_POINT || (i > 0 && cps[i] <= cps[i - 1])) {
        throw new IllegalArgumentException("codePoints must be distinct, ascending Unicode code "
            + "points; codePoints[" + i + "] = " + cps[i] + " is not");
      }
    }
    if (cps.length == 0) {
      throw new IllegalArgumentException("codePoints is empty");
    }
    return new CharTokenizer(cps);
  }
}
