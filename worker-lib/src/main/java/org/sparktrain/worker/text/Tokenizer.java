package org.sparktrain.worker.text;

import java.util.ArrayList;
import java.util.List;
import org.sparktrain.worker.json.BoundedJson;
import org.nd4j.shade.jackson.databind.JsonNode;

/**
 * Text to token ids and back, saved with the model as JSON.
 *
 * <p>Ids run from 0 to {@code vocabSize() - 1}; the five special tokens are the last five (see
 * {@link SpecialTokens}). {@link #encode} never produces a special id: text that spells
 * {@code "[SEP]"} is encoded as ordinary characters, so user text cannot inject a separator.
 * {@code decode(encode(text))} gives {@code text} back exactly for any text made of the
 * vocabulary's characters (character level) or any valid UTF-16 text (byte-level BPE).
 */
public interface Tokenizer {
  /** The largest tokenizer file read (its JSON is pure ASCII: one byte a character). */
  int MAX_FILE_BYTES = TokenizerJson.MAX_CHARS;
  /** The bounds a tokenizer file's JSON is checked against while it is read. */
  BoundedJson.Limits JSON_LIMITS = TokenizerJson.LIMITS;

  int[] encode(String text);

  /** The text of the ids; special ids are written as their names, e.g. {@code "[SEP]"}. */
  String decode(int[] ids);

  /** Number of ids, special tokens included. */
  int vocabSize();

  SpecialTokens specialTokens();

  /** The complete tokenizer as one JSON object, pure ASCII; {@link #fromJson} reads it back. */
  String toJson();

  /** Reads what {@link #toJson} wrote, for either kind of tokenizer. */
  static Tokenizer fromJson(String json) {
    JsonNode object = TokenizerJson.parse(json);
    String type = object.path("type").asText();
    if (CharTokenizer.TYPE.equals(type)) {
      return CharTokenizer.fromJsonObject(object);
    } else if (BpeTokenizer.TYPE.equals(type)) {
      return BpeTokenizer.fromJsonObject(object);
    }
    throw new IllegalArgumentException("unknown tokenizer type " + type + ": expected \""
        + CharTokenizer.TYPE + "\" or \"" + BpeTokenizer.TYPE + "\"");
  }

  /** Checks the saved special-token names, so a file from a different layout is refused. */
  static void checkSpecialNames(JsonNode object) {
    List<String> names = new ArrayList<>();
    for (JsonNode n : TokenizerJson.array(object.get("specialTokens"), "specialTokens")) {
      names.add(n.asText());
    }
    if (!SpecialTokens.NAMES.equals(names)) {
      throw new IllegalArgumentException("specialTokens " + names + " differ from "
          + SpecialTokens.NAMES + ": this tokenizer file was written by an incompatible version");
    }
  }
}
