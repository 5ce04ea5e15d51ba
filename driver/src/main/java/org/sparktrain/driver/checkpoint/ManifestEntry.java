package org.sparktrain.driver.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.Path;

/**
 * One file a checkpoint manifest vouches for. A manifest is read like any file from storage:
 * only the names sparktrain writes are accepted (so a crafted one cannot point outside its
 * folder, {@code ../../secrets}), with a plausible size and a well-formed digest.
 *
 * @param digestKey how the file's digest is given: {@link #CRC32C_KEY}, or {@link #SHA256_KEY}
 *     in checkpoints written before CRC32C replaced SHA-256
 * @param digest the digest in lower-case hex
 */
record ManifestEntry(String name, long bytes, String digestKey, String digest) {
  static final String CRC32C_KEY = "crc32c";
  static final String SHA256_KEY = "sha256";
  private static final Set<String> FIXED_NAMES = Set.of(CheckpointFiles.PARAMS,
      CheckpointFiles.OPTIMIZER_STATE, CheckpointFiles.MODEL_CONFIG,
      CheckpointFiles.TRAINING_STATE, CheckpointFiles.OUTER_MOMENTUM,
      CheckpointFiles.BEST_PARAMS);
  private static final Pattern NUMBERED = Pattern.compile("(" + Pattern.quote(
      CheckpointFiles.PARAMS_PART) + "|" + Pattern.quote(CheckpointFiles.STATE_PART) + "|"
      + Pattern.quote(CheckpointFiles.WORKER_STATE) + ")\\d{5}\\.bin");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern CRC32C = Pattern.compile("[0-9a-f]{8}");
  /** A float file holds at most Integer.MAX_VALUE floats; a state file a few of them. */
  static final long MAX_FILE_BYTES = 64L * Integer.MAX_VALUE;

  /** Every entry of {@code manifest}, checked; fails naming the first bad one. */
  static List<ManifestEntry> all(JsonNode manifest, Path manifestPath)
      throws InvalidCheckpoint {
    List<ManifestEntry> entries = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (JsonNode e : manifest.get("files")) {
      String name = e.path("name").asText("");
      if (!FIXED_NAMES.contains(name) && !NUMBERED.matcher(name).matches()) {
        throw new InvalidCheckpoint(manifestPath + " lists '" + name + "', not a file a "
            + "checkpoint holds");
      }
      if (!seen.add(name)) {
        throw new InvalidCheckpoint(manifestPath + " lists '" + name + "' twice");
      }
      long bytes = e.path("bytes").asLong(-1);
      if (!e.path("bytes").canConvertToLong() || bytes < 0 || bytes > MAX_FILE_BYTES) {
        throw new InvalidCheckpoint(manifestPath + " gives '" + name + "' an impossible size "
            + e.path("bytes"));
      }
      String digestKey = digestKey(e, name, manifestPath);
      entries.add(new ManifestEntry(name, bytes, digestKey, e.path(digestKey).asText()));
    }
    // Parameters and state are whole files from the driver or slices from the workers.
    boolean sliced = seen.contains(CheckpointFiles.paramsPart(0));
    List<String> required = sliced
        ? List.of(CheckpointFiles.MODEL_CONFIG, CheckpointFiles.TRAINING_STATE)
        : List.of(CheckpointFiles.PARAMS, CheckpointFiles.OPTIMIZER_STATE,
            CheckpointFiles.MODEL_CONFIG, CheckpointFiles.TRAINING_STATE);
    for (String name : required) {
      if (!seen.contains(name)) {
        throw new InvalidCheckpoint(manifestPath + " does not list " + name);
      }
    }
    return entries;
  }

  /** Which digest an entry gives: a well-formed CRC32C, or else a well-formed SHA-256. */
  private static String digestKey(JsonNode e, String name, Path manifestPath)
      throws InvalidCheckpoint {
    if (e.has(CRC32C_KEY)) {
      if (CRC32C.matcher(e.path(CRC32C_KEY).asText("")).matches()) {
        return CRC32C_KEY;
      }
    } else if (SHA256.matcher(e.path(SHA256_KEY).asText("")).matches()) {
      return SHA256_KEY;
    }
    throw new InvalidCheckpoint(manifestPath + " gives '" + name + "' a malformed or missing "
        + "digest (crc32c: 8 hex digits, or sha256: 64 in older checkpoints)");
  }
}
