package org.sparktrain.driver.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparktrain.driver.output.Json;

/**
 * A run's checkpoints under {@code <run>/checkpoints/round-NNNNNN/}, through the Hadoop
 * FileSystem API (file, HDFS, S3A). The driver writes here; in collective runs the workers also
 * write their slices of parameters and optimizer state ({@link CheckpointSlices}), and the
 * driver's manifest commits them.
 *
 * <p>A checkpoint is trusted only when its {@code _MANIFEST.json}, written last, lists every file
 * with a size and SHA-256 that match what is on storage. S3 has no atomic rename, so the manifest
 * is the commit: a crash mid-write leaves a folder without one, which readers skip.
 */
public final class CheckpointStore {
  public static final String FOLDER = "checkpoints";
  private static final Pattern ROUND_DIR = Pattern.compile("round-(\\d{6,})");
  private static final int FORMAT_VERSION = 1;

  private final Path root;
  private final FileSystem fs;

  public CheckpointStore(String runDirUri, Configuration conf) throws IOException {
    this.root = new Path(runDirUri, FOLDER);
    this.fs = root.getFileSystem(conf);
  }

  public String uri() {
    return root.toString();
  }

  Path roundDir(long round) {
    return new Path(root, String.format("round-%06d", round));
  }

  /** The URI of a round's checkpoint folder, for messages. */
  public String roundUri(long round) {
    return roundDir(round).toString();
  }

  /** Writes all files, then the manifest. A failed write leaves no manifest behind. */
  public void write(CheckpointContent c) throws IOException {
    Path dir = roundDir(c.round());
    List<Map<String, Object>> files = new ArrayList<>();
    if (c.workerFiles().isEmpty()) {
      if (fs.exists(dir)) {
        fs.delete(dir, true); // an earlier, failed attempt at this round
      }
      fs.mkdirs(dir);
      files.add(writeFile(dir, CheckpointFiles.PARAMS,
          out -> CheckpointFiles.writeFloats(out, c.snapshot().params())));
      files.add(writeFile(dir, CheckpointFiles.OPTIMIZER_STATE, out -> {
        out.writeInt(c.snapshot().optimizerStates().length);
        for (float[] state : c.snapshot().optimizerStates()) {
          CheckpointFiles.writeFloats(out, state);
        }
      }));
    } else {
      // The workers wrote parameters and optimizer state into this folder; the manifest below
      // vouches for them by the sizes and digests they reported.
      for (org.sparktrain.driver.train.SliceWriter.WrittenFile f : c.workerFiles()) {
        files.add(CheckpointFiles.manifestEntry(f));
      }
    }
    if (c.snapshot().outerMomentum().length > 0) {
      files.add(writeFile(dir, CheckpointFiles.OUTER_MOMENTUM,
          out -> CheckpointFiles.writeFloats(out, c.snapshot().outerMomentum())));
    }
    if (c.best() != null) {
      files.add(writeFile(dir, CheckpointFiles.BEST_PARAMS,
          out -> CheckpointFiles.writeFloats(out, c.best().params())));
    }
    files.add(writeFile(dir, CheckpointFiles.MODEL_CONFIG,
        out -> CheckpointFiles.writeText(out, c.modelConfigJson())));
    files.add(writeFile(dir, CheckpointFiles.TRAINING_STATE,
        out -> CheckpointFiles.writeText(out, Json.pretty(TrainingStateJson.toMap(c)))));
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("formatVersion", FORMAT_VERSION);
    manifest.put("round", c.round());
    manifest.put("createdAt", c.createdAtMillis());
    manifest.put("metrics", c.lastValidation());
    manifest.put("files", files);
    // The commit point: until this file exists the checkpoint does not. Written under another
    // name and renamed, so that a driver killed mid-write never leaves a half manifest under the
    // real name (atomic on file:// and HDFS; on S3 the small object's copy appears whole).
    Path pending = new Path(dir, CheckpointFiles.MANIFEST + ".pending");
    try (OutputStream out = fs.create(pending, true)) {
      CheckpointFiles.writeText(out, Json.pretty(manifest));
    }
    if (!fs.rename(pending, new Path(dir, CheckpointFiles.MANIFEST))) {
      throw new IOException("could not rename " + pending + " to " + CheckpointFiles.MANIFEST);
    }
  }

  private Map<String, Object> writeFile(Path dir, String name, CheckpointFiles.Body body)
      throws IOException {
    return CheckpointFiles.manifestEntry(CheckpointFiles.write(fs, dir, name, body));
  }

  /** All checkpoint folders, newest first, each checked against its manifest. */
  public List<CheckpointInfo> list() throws IOException {
    List<CheckpointInfo> infos = new ArrayList<>();
    for (long round : roundsNewestFirst()) {
      infos.add(inspect(round).info());
    }
    return infos;
  }

  /**
   * All checkpoint folders, newest first, judged by their manifest alone (present, parseable,
   * for this round) without reading the data files: cheap enough to run after every write, for
   * pruning. Loading always verifies every byte.
   */
  public List<CheckpointInfo> listByManifest() throws IOException {
    List<CheckpointInfo> infos = new ArrayList<>();
    for (long round : roundsNewestFirst()) {
      infos.add(readManifest(round).info());
    }
    return infos;
  }

  private List<Long> roundsNewestFirst() throws IOException {
    List<Long> rounds = new ArrayList<>();
    if (!fs.exists(root)) {
      return rounds;
    }
    for (FileStatus status : fs.listStatus(root)) {
      Matcher m = ROUND_DIR.matcher(status.getPath().getName());
      if (status.isDirectory() && m.matches()) {
        rounds.add(Long.parseLong(m.group(1)));
      }
    }
    rounds.sort(java.util.Comparator.reverseOrder());
    return rounds;
  }

  /**
   * The newest checkpoint that verifies. Each newer one that does not is reported to
   * {@code warn} with the file at fault, and skipped.
   */
  public Optional<CheckpointContent> latestValid(Consumer<String> warn) throws IOException {
    for (CheckpointInfo info : list()) {
      if (info.valid()) {
        return Optional.of(load(info.round()));
      }
      warn.accept("skipping checkpoint " + info.path() + ": " + info.problem());
    }
    return Optional.empty();
  }

  /** Loads a checkpoint after verifying every byte against the manifest. */
  public CheckpointContent load(long round) throws IOException {
    Inspection inspection = inspect(round);
    if (!inspection.info().valid()) {
      throw new CheckpointException("checkpoint " + inspection.info().path() + " is not valid: "
          + inspection.info().problem());
    }
    Map<String, byte[]> bytes = inspection.files();
    float[] p;
    float[][] states;
    if (bytes.containsKey(CheckpointFiles.PARAMS)) {
      p = optionalFloats(bytes, CheckpointFiles.PARAMS);
      DataInputStream state = new DataInputStream(new ByteArrayInputStream(
          bytes.get(CheckpointFiles.OPTIMIZER_STATE)));
      states = new float[state.readInt()][];
      for (int i = 0; i < states.length; i++) {
        states[i] = CheckpointFiles.readFloats(state, CheckpointFiles.OPTIMIZER_STATE);
      }
    } else {
      p = concatenate(numbered(bytes, CheckpointFiles::paramsPart));
      List<float[]> shared = numbered(bytes, CheckpointFiles::statePart);
      List<float[]> own = numbered(bytes, CheckpointFiles::workerState);
      states = !shared.isEmpty() ? new float[][] {concatenate(shared)}
          : own.toArray(new float[0][]);
    }
    float[] momentum = optionalFloats(bytes, CheckpointFiles.OUTER_MOMENTUM);
    float[] best = optionalFloats(bytes, CheckpointFiles.BEST_PARAMS);
    JsonNode training = Json.MAPPER.readTree(bytes.get(CheckpointFiles.TRAINING_STATE));
    String config = new String(bytes.get(CheckpointFiles.MODEL_CONFIG),
        java.nio.charset.StandardCharsets.UTF_8);
    return TrainingStateJson.fromJson(training, p, states, momentum, best, config);
  }

  /** The files {@code name(0)}, {@code name(1)}, ... up to the first one missing. */
  private static List<float[]> numbered(Map<String, byte[]> bytes,
      java.util.function.IntFunction<String> name) throws IOException {
    List<float[]> parts = new ArrayList<>();
    for (int k = 0; bytes.containsKey(name.apply(k)); k++) {
      parts.add(optionalFloats(bytes, name.apply(k)));
    }
    return parts;
  }

  private static float[] concatenate(List<float[]> parts) {
    int length = 0;
    for (float[] part : parts) {
      length += part.length;
    }
    float[] all = new float[length];
    int at = 0;
    for (float[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }

  /** A float file that only some checkpoints have: empty when absent. */
  private static float[] optionalFloats(Map<String, byte[]> bytes, String name)
      throws IOException {
    byte[] file = bytes.get(name);
    return file == null ? new float[0] : CheckpointFiles.readFloats(
        new DataInputStream(new ByteArrayInputStream(file)), name);
  }

  public void delete(long round) throws IOException {
    fs.delete(roundDir(round), true);
  }

  private record Inspection(CheckpointInfo info, Map<String, byte[]> files) {}

  /** The manifest of a round, or why there is no usable one. */
  private record Manifest(CheckpointInfo info, JsonNode json) {}

  private Manifest readManifest(long round) throws IOException {
    Path dir = roundDir(round);
    Path manifestPath = new Path(dir, CheckpointFiles.MANIFEST);
    JsonNode manifest;
    try (InputStream in = fs.open(manifestPath)) {
      manifest = Json.MAPPER.readTree(in);
    } catch (FileNotFoundException e) {
      return new Manifest(invalid(round, dir, "no " + CheckpointFiles.MANIFEST
          + " (the write did not finish)").info(), null);
    } catch (JsonProcessingException | ChecksumException e) {
      return new Manifest(invalid(round, dir, manifestPath + " is not valid JSON: "
          + e.getMessage()).info(), null);
    } catch (IOException e) {
      // The store did not answer (an S3 503, a reset connection): that says nothing about the
      // checkpoint, which must not be judged invalid, and so pruned, for it.
      throw new IOException("cannot read " + manifestPath + ": " + e.getMessage(), e);
    }
    if (manifest == null || !manifest.path("files").isArray()
        || manifest.path("round").asLong(-1) != round) {
      return new Manifest(invalid(round, dir, manifestPath + " does not describe round "
          + round).info(), null);
    }
    long total = 0;
    for (JsonNode entry : manifest.get("files")) {
      total += entry.path("bytes").asLong();
    }
    return new Manifest(new CheckpointInfo(round, dir.toString(), null,
        manifest.path("createdAt").asLong(), total, metricsOf(manifest)), manifest);
  }

  private static Map<String, Double> metricsOf(JsonNode manifest) {
    if (!manifest.path("metrics").isObject()) {
      return null;
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    for (var it = manifest.get("metrics").fields(); it.hasNext(); ) {
      var e = it.next();
      metrics.put(e.getKey(), e.getValue().asDouble());
    }
    return metrics;
  }

  /** Reads a checkpoint folder and checks every file against its manifest, without parsing. */
  private Inspection inspect(long round) throws IOException {
    Manifest read = readManifest(round);
    if (!read.info().valid()) {
      return new Inspection(read.info(), Map.of());
    }
    Path dir = roundDir(round);
    Path manifestPath = new Path(dir, CheckpointFiles.MANIFEST);
    JsonNode manifest = read.json();
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (JsonNode entry : manifest.get("files")) {
      String name = entry.path("name").asText();
      Path file = new Path(dir, name);
      byte[] content;
      try (InputStream in = fs.open(file)) {
        content = in.readAllBytes();
      } catch (FileNotFoundException e) {
        return invalid(round, dir, file + " is missing");
      } catch (IOException e) {
        // e.g. the local file system's own .crc check: the bytes on disk changed.
        return invalid(round, dir, file + " cannot be read intact, corrupted or truncated ("
            + e.getMessage() + ")");
      }
      long expected = entry.path("bytes").asLong();
      if (content.length != expected) {
        return invalid(round, dir, file + " has " + content.length + " bytes but the manifest "
            + "says " + expected + " (truncated or overwritten)");
      }
      String sha = HexFormat.of().formatHex(CheckpointFiles.sha256().digest(content));
      if (!sha.equals(entry.path("sha256").asText())) {
        return invalid(round, dir, file + " does not match its SHA-256 in the manifest "
            + "(corrupted)");
      }
      files.put(name, content);
    }
    // Parameters and state are whole files from the driver or slices from the workers.
    boolean sliced = files.containsKey(CheckpointFiles.paramsPart(0));
    String[] required = sliced
        ? new String[] {CheckpointFiles.MODEL_CONFIG, CheckpointFiles.TRAINING_STATE}
        : new String[] {CheckpointFiles.PARAMS, CheckpointFiles.OPTIMIZER_STATE,
            CheckpointFiles.MODEL_CONFIG, CheckpointFiles.TRAINING_STATE};
    for (String name : required) {
      if (!files.containsKey(name)) {
        return invalid(round, dir, manifestPath + " does not list " + name);
      }
    }
    return new Inspection(read.info(), files);
  }

  private static Inspection invalid(long round, Path dir, String problem) {
    return new Inspection(new CheckpointInfo(round, dir.toString(), problem, 0, 0, null),
        Map.of());
  }
}
