package org.sparktrain.driver.checkpoint;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;

/**
 * Whether a checkpoint may continue under a spec: every key that changes the trained parameters
 * must be equal. Where the run writes (output), how often it validates (eval) and how it
 * checkpoints (checkpoint) do not change the parameters and may differ.
 */
public final class SpecCompatibility {
  // train.backend: a run may move between CPU and GPU machines (results then differ only by
  // floating-point rounding).
  private static final List<String> FREE_SECTIONS = List.of("output.", "eval.", "checkpoint.",
      "train.backend");

  private SpecCompatibility() {}

  /** Throws naming every differing key when the checkpoint's spec is not compatible. */
  public static void check(JobSpec current, String checkpointSpecYaml, String checkpointPath) {
    JobSpec saved = JobSpecParser.parse(checkpointSpecYaml, (Path) null);
    List<String> differences = differences(current, saved);
    if (!differences.isEmpty()) {
      throw new CheckpointException("cannot resume from " + checkpointPath + ": the spec "
          + "differs in keys that change the result: " + String.join("; ", differences)
          + ". Restore those values, write to a new output.dir to start a new run, or replace "
          + "this run on purpose (sparktrain train --overwrite).");
    }
  }

  /** The keys that change the result and differ, each with both values. */
  public static List<String> differences(JobSpec current, JobSpec saved) {
    Map<String, Object> now = flatten(current.toMap());
    Map<String, Object> then = flatten(saved.toMap());
    List<String> out = new ArrayList<>();
    TreeMap<String, Object> keys = new TreeMap<>(now);
    then.forEach(keys::putIfAbsent);
    for (String key : keys.keySet()) {
      if (FREE_SECTIONS.stream().anyMatch(key::startsWith)) {
        continue;
      }
      if (!Objects.equals(String.valueOf(now.get(key)), String.valueOf(then.get(key)))) {
        out.add(key + " (checkpoint: " + then.get(key) + ", now: " + now.get(key) + ")");
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> flatten(Map<String, Object> map) {
    Map<String, Object> flat = new TreeMap<>();
    map.forEach((k, v) -> {
      if (v instanceof Map<?, ?> m) {
        flatten((Map<String, Object>) m).forEach((k2, v2) -> flat.put(k + "." + k2, v2));
      } else {
        flat.put(k, v);
      }
    });
    return flat;
  }
}
