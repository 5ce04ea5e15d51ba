package org.sparktrain.worker.text;

import java.util.Map;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.core.json.JsonWriteFeature;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.json.JsonMapper;

/**
 * The JSON of tokenizer files, through Jackson (the copy DL4J ships), with the bounds a file
 * from anyone needs: its size, and its nesting depth checked before parsing (a deep file would
 * otherwise overflow the parser's stack). Written compact and pure ASCII.
 */
final class TokenizerJson {
  /** A 1M-merge BPE file is about 20 MB. */
  static final int MAX_CHARS = 64 << 20;
  /** The files nest three deep: the object, the merges, a pair. */
  private static final int MAX_DEPTH = 8;
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

  private TokenizerJson() {}

  static JsonNode parse(String json) {
    if (json.length() > MAX_CHARS) {
      throw new IllegalArgumentException("tokenizer file has " + json.length()
          + " characters; at most " + MAX_CHARS + " are read");
    }
    checkDepth(json);
    try {
      JsonNode root = MAPPER.readTree(json);
      if (root == null || !root.isObject()) {
        throw new IllegalArgumentException("tokenizer must be a JSON object");
      }
      return root;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("tokenizer is not valid JSON: "
          + e.getOriginalMessage());
    }
  }

  /** Counts brackets outside strings; refuses more than {@link #MAX_DEPTH} levels. */
  private static void checkDepth(String json) {
    int depth = 0;
    boolean inString = false;
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '[' || c == '{') {
        if (++depth > MAX_DEPTH) {
          throw new IllegalArgumentException("tokenizer JSON nests deeper than " + MAX_DEPTH
              + " levels (at character " + i + "); a tokenizer file nests three");
        }
      } else if (c == ']' || c == '}') {
        depth--;
      }
    }
  }

  static String write(Map<String, Object> fields) {
    try {
      return MAPPER.writeValueAsString(fields);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write tokenizer JSON: " + e.getMessage(), e);
    }
  }

  static int integer(JsonNode node, String what) {
    if (node == null || !node.isIntegralNumber() || !node.canConvertToInt()) {
      throw new IllegalArgumentException(what + " must be an integer, got " + node);
    }
    return node.intValue();
  }

  static String string(JsonNode node, String what) {
    if (node == null || !node.isTextual()) {
      throw new IllegalArgumentException(what + " must be a string, got " + node);
    }
    return node.textValue();
  }

  static JsonNode array(JsonNode node, String what) {
    if (node == null || !node.isArray()) {
      throw new IllegalArgumentException(what + " must be an array, got "
          + (node == null ? "nothing" : node.getNodeType()));
    }
    return node;
  }
}
