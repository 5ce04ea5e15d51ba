package org.sparktrain.driver.spec.keys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The job spec's JSON Schema (draft-07, what YAML editors' language servers read), written from
 * {@link SpecKeys}. Committed as {@code schemas/sparktrain-spec.schema.json}; a test rewrites it
 * and fails when the committed file differs.
 *
 * <p>The schema is the parser's shape, not all of its checks: checks across keys (fractions that
 * add up to 1, a key that needs another) and bounds that depend on other keys stay the parser's.
 * Choices are written in their canonical spelling; the parser also accepts other cases.
 */
public final class SpecSchema {
  public static final String FILE = "schemas/sparktrain-spec.schema.json";
  private static final String DRAFT = "http://json-schema.org/draft-07/schema#";

  private SpecSchema() {}

  /** The schema as pretty-printed JSON, ending with a newline. */
  public static String json() {
    try {
      return new ObjectMapper().writerWithDefaultPrettyPrinter()
          .writeValueAsString(schema()) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the spec schema: " + e.getMessage(), e);
    }
  }

  static Map<String, Object> schema() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("$schema", DRAFT);
    root.put("title", "sparktrain job spec");
    root.put("description", "Generated from SpecKeys (sparktrain's one declaration of every "
        + "spec key); do not edit.");
    root.putAll(object(""));
    return root;
  }

  // Every map here keeps its order (no Map.of with two keys): the file must be the same bytes
  // on every run.

  /** A mapping that allows exactly the keys declared inside {@code section}. */
  private static Map<String, Object> object(String section) {
    Map<String, Object> properties = new LinkedHashMap<>();
    for (SpecKey key : SpecKeys.children(section)) {
      properties.put(key.name(), property(key));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("type", "object");
    out.put("additionalProperties", false);
    out.put("properties", properties);
    return out;
  }

  private static Map<String, Object> property(SpecKey key) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("description", key.doc());
    boolean hasKeys = !SpecKeys.children(key.path()).isEmpty();
    if (key.type() == SpecKey.Type.SECTION) {
      out.putAll(object(key.path()));
    } else if (hasKeys) {
      // One value or a mapping of finer ones, e.g. preprocess.missing.
      out.put("anyOf", List.of(value(key), object(key.path())));
    } else {
      out.putAll(value(key));
    }
    if (key.defaultValue() != null) {
      out.put("default", key.defaultValue());
    }
    return out;
  }

  private static Map<String, Object> value(SpecKey key) {
    Map<String, Object> out = new LinkedHashMap<>();
    switch (key.type()) {
      case INTEGER -> {
        out.put("type", "integer");
        putBounds(out, key);
      }
      case NUMBER -> {
        out.put("type", "number");
        putBounds(out, key);
      }
      case BOOLEAN -> out.put("type", "boolean");
      case STRING -> out.put("type", "string");
      case CHOICE -> {
        out.put("type", "string");
        out.put("enum", key.allowed());
      }
      case COLUMN -> out.put("type", List.of("integer", "string"));
      case INTEGER_LIST -> {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("type", "integer");
        putBounds(item, key);
        putList(out, key, item);
      }
      case STRING_LIST -> {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("type", "string");
        item.put("minLength", 1);
        putList(out, key, item);
        out.put("uniqueItems", true);
      }
      case STRING_MAP -> {
        out.put("type", "object");
        out.put("additionalProperties", Map.of("type", List.of("string", "number",
            "boolean")));
      }
      case SECTION -> throw new IllegalArgumentException(key.path() + " is a section");
    }
    return out;
  }

  private static void putBounds(Map<String, Object> out, SpecKey key) {
    if (key.min() != null) {
      out.put(key.minExclusive() ? "exclusiveMinimum" : "minimum", key.min());
    }
    if (key.max() != null) {
      out.put("maximum", key.max());
    }
  }

  private static void putList(Map<String, Object> out, SpecKey key, Map<String, Object> item) {
    out.put("type", "array");
    out.put("minItems", 1);
    out.put("maxItems", key.maxItems());
    out.put("items", item);
  }
}
