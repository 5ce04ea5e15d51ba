package org.sparktrain.driver.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparktrain.driver.output.Json;

/**
 * The privacy a DP-SGD run says it spent, as it wrote it beside its model:
 * {@code RUN/model/privacy.json} (or {@code NAME.privacy.json} beside an exported
 * {@code NAME.zip}), with {@code epsilon, delta, noiseMultiplier, clipNorm, samplingRate,
 * steps, microbatchSize, accountant}. The audit needs {@code epsilon} and {@code delta}; the
 * rest is passed through to its report as written.
 *
 * @param all every key of the file, as read
 */
public record RecordedPrivacy(double epsilon, double delta, Map<String, Object> all) {
  public static final String FILE = "privacy.json";

  /** The file's place for a model folder or zip. */
  public static Path file(String modelUri) {
    Path model = new Path(modelUri);
    String name = model.getName();
    return name.endsWith(".zip")
        ? new Path(model.getParent(), name.substring(0, name.length() - 4) + "." + FILE)
        : new Path(model, FILE);
  }

  /** The model's recorded privacy, or null when it has none (a run trained without DP). */
  @SuppressWarnings("unchecked")
  public static RecordedPrivacy read(String modelUri, Configuration conf) throws IOException {
    Path file = file(modelUri);
    FileSystem fs = file.getFileSystem(conf);
    if (!fs.exists(file)) {
      return null;
    }
    JsonNode json;
    try (InputStream in = fs.open(file)) {
      json = Json.MAPPER.readTree(in);
    } catch (IOException e) {
      throw new IOException(file + " is not valid JSON: " + e.getMessage(), e);
    }
    if (json == null || !json.isObject()) {
      throw new IOException(file + " must hold one JSON object");
    }
    double epsilon = number(json, "epsilon", file);
    double delta = number(json, "delta", file);
    if (!(epsilon >= 0)) {
      throw new IOException(file + ": epsilon must be >= 0, got " + epsilon);
    }
    if (!(delta > 0 && delta < 1)) {
      throw new IOException(file + ": delta must be in (0, 1), got " + delta);
    }
    return new RecordedPrivacy(epsilon, delta, Json.MAPPER.convertValue(json, Map.class));
  }

  private static double number(JsonNode json, String key, Path file) throws IOException {
    JsonNode v = json.get(key);
    if (v == null || !v.isNumber()) {
      throw new IOException(file + ": '" + key + "' must be a number, got "
          + (v == null ? "nothing" : v.toString()));
    }
    return v.doubleValue();
  }
}
