package org.sparktrain.driver.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparktrain.driver.checkpoint.CheckpointInfo;
import org.sparktrain.driver.checkpoint.CheckpointStore;
import org.sparktrain.driver.output.Json;
import org.sparktrain.driver.output.RoundMetrics;
import org.sparktrain.driver.output.RunDirectory;
import org.sparktrain.driver.output.RunLease;
import org.sparktrain.driver.spec.BoundedYaml;

/**
 * What {@code sparktrain compare} reads of one run directory, on any store: the resolved spec
 * (flattened to dotted keys), summary.json or crossval.json, every round of metrics.jsonl, and
 * the sizes of the newest checkpoint and of the model.
 *
 * @param spec the spec's keys as {@code a.b.c -> value} (lists and values as JSON text)
 * @param summary summary.json, or null (the run is still going, failed, or is a crossval)
 * @param crossval crossval.json, or null
 * @param status {@code finished}, {@code crossval}, {@code running} (a lease and no summary) or
 *     {@code incomplete}
 * @param checkpoints valid checkpoints kept
 * @param newestCheckpointBytes bytes of the newest valid checkpoint, or null without one
 * @param modelBytes bytes of model/model.zip, or null without one
 */
public record ComparedRun(String uri, Map<String, String> spec, JsonNode summary,
    JsonNode crossval, List<RoundMetrics> history, String status, int checkpoints,
    Long newestCheckpointBytes, Long modelBytes) {

  static final String CROSSVAL = "crossval.json";

  private static boolean holdsLease(FileSystem fs, Path dir) throws IOException {
    for (FileStatus f : fs.listStatus(dir)) {
      if (RunLease.isLeaseFile(f.getPath().getName())) {
        return true;
      }
    }
    return false;
  }

  public static ComparedRun read(String uri, Configuration conf) throws IOException {
    Path dir = new Path(uri);
    FileSystem fs = dir.getFileSystem(conf);
    if (!fs.exists(dir) || !fs.getFileStatus(dir).isDirectory()) {
      throw new IllegalArgumentException(uri + ": no such run directory");
    }
    String specYaml = text(fs, new Path(dir, RunDirectory.SPEC));
    if (specYaml == null) {
      throw new IllegalArgumentException(uri + " is not a sparktrain run directory: it has no "
          + RunDirectory.SPEC + " (compare takes the output.dir of train or crossval runs)");
    }
    JsonNode summary = json(fs, new Path(dir, RunDirectory.SUMMARY));
    JsonNode crossval = json(fs, new Path(dir, CROSSVAL));
    String status = summary != null ? "finished" : crossval != null ? "crossval"
        : holdsLease(fs, dir) ? "running" : "incomplete";
    List<CheckpointInfo> valid = new ArrayList<>();
    for (CheckpointInfo c : new CheckpointStore(uri, conf).listByManifest()) {
      if (c.valid()) {
        valid.add(c);
      }
    }
    Path model = new Path(new Path(dir, RunDirectory.MODEL), "model.zip");
    Long modelBytes = fs.exists(model) ? fs.getFileStatus(model).getLen() : null;
    return new ComparedRun(dir.toString(), flatten(specYaml, uri), summary, crossval,
        history(fs, new Path(dir, RunDirectory.METRICS)), status, valid.size(),
        valid.isEmpty() ? null : valid.get(0).bytes(), modelBytes);
  }

  /** The spec's keys as dotted paths; a list is one value. */
  static Map<String, String> flatten(String specYaml, String uri) {
    Object root;
    try {
      root = BoundedYaml.load(specYaml, uri + "/" + RunDirectory.SPEC);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    Map<String, String> flat = new LinkedHashMap<>();
    if (root instanceof Map<?, ?> map) {
      flatten("", map, flat);
    }
    return flat;
  }

  private static void flatten(String prefix, Map<?, ?> map, Map<String, String> flat) {
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String key = prefix + e.getKey();
      if (e.getValue() instanceof Map<?, ?> inner && !inner.isEmpty()) {
        flatten(key + ".", inner, flat);
      } else {
        flat.put(key, e.getValue() instanceof String s ? s : Json.line(e.getValue()));
      }
    }
  }

  /**
   * Every round in metrics.jsonl. A running run may be writing its last line, so a last line
   * that does not parse is left out; any other is an error naming file and line.
   */
  private static List<RoundMetrics> history(FileSystem fs, Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(file),
        StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lines.add(line);
      }
    } catch (FileNotFoundException e) {
      return List.of();
    }
    List<RoundMetrics> history = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      try {
        history.add(RoundMetrics.fromJson(Json.MAPPER.readTree(lines.get(i))));
      } catch (IOException | RuntimeException e) {
        if (i < lines.size() - 1) {
          throw new IllegalArgumentException(file + " line " + (i + 1) + " is not a round's "
              + "metrics: " + e.getMessage(), e);
        }
      }
    }
    return history;
  }

  private static JsonNode json(FileSystem fs, Path file) throws IOException {
    String text = text(fs, file);
    try {
      return text == null ? null : Json.MAPPER.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + " is not JSON: " + e.getMessage(), e);
    }
  }

  private static String text(FileSystem fs, Path file) throws IOException {
    try (var in = fs.open(file)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (FileNotFoundException e) {
      return null;
    }
  }
}
