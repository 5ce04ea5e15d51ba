package org.sparktrain.driver.output;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparktrain.worker.data.NormalizationMethod;
import org.sparktrain.worker.data.Normalizer;

/**
 * A model's {@code preprocessing.json} read back: every failure, from a file too large or
 * nested too deep to a missing key, is one message naming the file.
 */
record Preprocessing(Normalizer normalizer, String modelName, boolean classification,
    int numClasses, String tableEncodingJson) {
  /**
   * Statistics for 2^24 features (the widest input any format allows) fit in about 1 GB of
   * JSON; a table encoding's category lists are far smaller.
   */
  static final long MAX_BYTES = 1L << 30;
  private static final Set<String> NON_FINITE = Set.of("NaN", "Infinity", "-Infinity");

  static Preprocessing read(FileSystem fs, Path file) throws IOException {
    long size = fs.getFileStatus(file).getLen();
    if (size > MAX_BYTES) {
      throw new IOException(file + " is " + size + " bytes; a preprocessing file is at most "
          + MAX_BYTES);
    }
    JsonNode meta;
    try (InputStream in = fs.open(file)) {
      meta = Json.MAPPER.readTree(in);
    } catch (IOException e) {
      // Jackson's own message says what broke (e.g. the nesting depth) but not in which file.
      throw new IOException(file + " is not a readable preprocessing file: "
          + firstLine(e.getMessage()), e);
    }
    try {
      return of(meta);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + " is not a valid preprocessing file: " + e.getMessage(), e);
    }
  }

  private static Preprocessing of(JsonNode meta) {
    if (meta == null || !meta.isObject()) {
      throw new IllegalArgumentException("it must be a JSON object");
    }
    String normalize = text(meta, "normalize");
    NormalizationMethod method;
    try {
      method = NormalizationMethod.valueOf(normalize.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'normalize' is not a normalization method");
    }
    float[] shift = floats(meta, "shift");
    float[] scale = floats(meta, "scale");
    if (shift.length != scale.length) {
      throw new IllegalArgumentException("'shift' has " + shift.length + " values, 'scale' "
          + scale.length);
    }
    String task = text(meta, "task");
    JsonNode classes = meta.get("numClasses");
    if (classes == null || !classes.canConvertToInt()) {
      throw new IllegalArgumentException("'numClasses' must be an integer");
    }
    JsonNode table = meta.get("table");
    return new Preprocessing(new Normalizer(method, shift, scale), text(meta, "model"),
        task.equals("classification"), classes.asInt(),
        table != null && !table.isNull() ? table.toString() : null);
  }

  private static String text(JsonNode meta, String key) {
    JsonNode value = meta.get(key);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException("'" + key + "' must be a string");
    }
    return value.asText();
  }

  private static float[] floats(JsonNode meta, String key) {
    JsonNode array = meta.get(key);
    if (array == null || !array.isArray()) {
      throw new IllegalArgumentException("'" + key + "' must be an array of numbers");
    }
    float[] out = new float[array.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = array.get(i);
      // Jackson writes a non-finite float as a string ("NaN").
      if (!v.isNumber() && !(v.isTextual() && NON_FINITE.contains(v.asText()))) {
        throw new IllegalArgumentException("'" + key + "'[" + i + "] is not a number");
      }
      out[i] = (float) array.get(i).asDouble();
    }
    return out;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    return newline > 0 ? message.substring(0, newline) : message;
  }
}
