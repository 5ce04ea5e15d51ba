package org.sparktrain.worker.text;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough JSON for tokenizer files: objects, arrays, strings, integers, true/false/null.
 * worker-lib has no JSON library of its own (DL4J's Jackson is shaded and internal), and a
 * tokenizer file must round-trip every character exactly, so strings are written pure ASCII with
 * every other UTF-16 unit as a {@code \\uXXXX} escape: no charset can damage the file.
 */
final class MiniJson {
  private final String text;
  private int pos;

  private MiniJson(String text) {
    this.text = text;
  }

  /** A map (insertion ordered), list, string, long, boolean or null. */
  static Object parse(String json) {
    MiniJson p = new MiniJson(json);
    Object value = p.value();
    p.skipSpace();
    if (p.pos != json.length()) {
      throw p.error("unexpected text after the JSON value");
    }
    return value;
  }

  /** A JSON string literal of {@code s}, ASCII only. */
  static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c >= 0x20 && c < 0x7f) {
        out.append(c);
      } else {
        out.append(String.format("\\u%04x", (int) c));
      }
    }
    return out.append('"').toString();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> object(Object value, String what) {
    if (!(value instanceof Map)) {
      throw new IllegalArgumentException(what + " must be a JSON object, got " + describe(value));
    }
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  static List<Object> array(Object value, String what) {
    if (!(value instanceof List)) {
      throw new IllegalArgumentException(what + " must be a JSON array, got " + describe(value));
    }
    return (List<Object>) value;
  }

  static int integer(Object value, String what) {
    if (!(value instanceof Long) || (Long) value != ((Long) value).intValue()) {
      throw new IllegalArgumentException(what + " must be an int, got " + describe(value));
    }
    return ((Long) value).intValue();
  }

  static String string(Object value, String what) {
    if (!(value instanceof String)) {
      throw new IllegalArgumentException(what + " must be a JSON string, got " + describe(value));
    }
    return (String) value;
  }

  private static String describe(Object value) {
    return value == null ? "null or nothing" : value.getClass().getSimpleName() + " " + value;
  }

  private Object value() {
    skipSpace();
    if (pos >= text.length()) {
      throw error("unexpected end of JSON");
    }
    char c = text.charAt(pos);
    if (c == '{') {
      return objectValue();
    } else if (c == '[') {
      return arrayValue();
    } else if (c == '"') {
      return stringValue();
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      return integerValue();
    } else if (text.startsWith("true", pos)) {
      pos += 4;
      return Boolean.TRUE;
    } else if (text.startsWith("false", pos)) {
      pos += 5;
      return Boolean.FALSE;
    } else if (text.startsWith("null", pos)) {
      pos += 4;
      return null;
    }
    throw error("unexpected character '" + c + "'");
  }

  private Map<String, Object> objectValue() {
    Map<String, Object> map = new LinkedHashMap<>();
    pos++;
    if (consume('}')) {
      return map;
    }
    do {
      skipSpace();
      if (pos >= text.length() || text.charAt(pos) != '"') {
        throw error("expected a quoted key");
      }
      String key = stringValue();
      expect(':');
      if (map.put(key, value()) != null) {
        throw error("duplicate key \"" + key + "\"");
      }
    } while (consume(','));
    expect('}');
    return map;
  }

  private List<Object> arrayValue() {
    List<Object> list = new ArrayList<>();
    pos++;
    if (consume(']')) {
      return list;
    }
    do {
      list.add(value());
    } while (consume(','));
    expect(']');
    return list;
  }

  private String stringValue() {
    StringBuilder out = new StringBuilder();
    pos++;
    while (true) {
      if (pos >= text.length()) {
        throw error("unterminated string");
      }
      char c = text.charAt(pos++);
      if (c == '"') {
        return out.toString();
      } else if (c != '\\') {
        out.append(c);
        continue;
      }
      if (pos >= text.length()) {
        throw error("unterminated escape");
      }
      char e = text.charAt(pos++);
      switch (e) {
        case '"', '\\', '/' -> out.append(e);
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> {
          if (pos + 4 > text.length()) {
            throw error("truncated \\u escape");
          }
          try {
            out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
          } catch (NumberFormatException ex) {
            throw error("bad \\u escape");
          }
          pos += 4;
        }
        default -> throw error("unknown escape \\" + e);
      }
    }
  }

  private Long integerValue() {
    int start = pos;
    if (text.charAt(pos) == '-') {
      pos++;
    }
    while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
      pos++;
    }
    if (pos < text.length() && ".eE".indexOf(text.charAt(pos)) >= 0) {
      throw error("only integers are expected in a tokenizer file");
    }
    try {
      return Long.parseLong(text.substring(start, pos));
    } catch (NumberFormatException ex) {
      throw error("bad number");
    }
  }

  private void skipSpace() {
    while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) {
      pos++;
    }
  }

  private boolean consume(char c) {
    skipSpace();
    if (pos < text.length() && text.charAt(pos) == c) {
      pos++;
      return true;
    }
    return false;
  }

  private void expect(char c) {
    if (!consume(c)) {
      throw error("expected '" + c + "'");
    }
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException("malformed tokenizer JSON at character " + pos + ": "
        + what);
  }
}
