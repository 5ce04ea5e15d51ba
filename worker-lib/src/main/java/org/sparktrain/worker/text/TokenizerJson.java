package org.sparktrain.worker.text;

import java.util.Map;
import org.sparktrain.worker.json.BoundedJson;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.core.json.JsonWriteFeature;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.json.JsonMapper;

/**
 * The JSON of tokenizer files, through Jackson (the copy DL4J ships), with the bounds a file
 * from anyone needs: its size, and its nesting depth and value lengths checked by a streaming
 * walk before the tree is built (a deep file would otherwise overflow the parser's stack).
 * Written compact and pure ASCII.
 */
final class TokenizerJson {
  /** A 1M-merge BPE file is about 20 MB. */
  static final int MAX_CHARS = 64 << 20;
  /**
   * The files nest three deep (the object, the merges, a pair); a token is at most 64 KB, so
   * escaped at most six characters a byte.
   */
  static final BoundedJson.Limits LIMITS = new BoundedJson.Limits(8, 6 << 16, 20);
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

  private TokenizerJson() {}

  static JsonNode parse(String json) {
    if (json.length() > MAX_CHARS) {
      throw new IllegalArgumentException("tokenizer file has " + json.length()
          + " characters; at most " + MAX_CHARS + " are read");
    }
    try {
      BoundedJson.check(json, LIMITS);
    } catch (IllegalArgumentException e) {
      // The walk's messages start with "it": say what "it" is.
      throw new IllegalArgumentException("tokenizer" + e.getMessage().substring(2));
    }
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
