package org.sparktrain.driver.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.DataInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.functional.FutureIO;
import org.sparktrain.driver.output.CreateIfAbsent;
import org.sparktrain.driver.output.Json;
import org.sparktrain.driver.train.state.SliceWriter.WrittenFile;

/**
 * A run's checkpoints under {@code <run>/checkpoints/round-NNNNNN/}, through the Hadoop
 * FileSystem API (file, HDFS, S3A). The driver writes here; in collective runs the workers also
 * write their slices of parameters and optimizer state ({@link CheckpointSlices}), and the
 * driver's manifest commits them.
 *
 * <p>A checkpoint is trusted only when its {@code _MANIFEST.json}, written last, lists every file
 * with a size and CRC32C digest (SHA-256 in checkpoints written before CRC32C) that match what is
 * on storage. S3 has no atomic rename, so the manifest is the commit, created only if absent
 * ({@link #commit}): a crash mid-write leaves a folder without one, or with one that does not
 * parse, which readers skip. Checkpoints are found by their manifests ({@link CheckpointFolders}).
 */
public final class CheckpointStore {
  public static final String FOLDER = "checkpoints";
  private static final int FORMAT_VERSION = 1;
  /** Writes the parameters file beside the optimizer state's (one checkpoint is written at once). */
  private static final ExecutorService PARALLEL_WRITER = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "checkpoint-params-writer");
    t.setDaemon(true);
    return t;
  });
  private static final int MAX_MANIFEST_BYTES = 1 << 20;
  /** One shared optimizer state, or one per worker. */
  private static final int MAX_STATES = 4096;
  /** The training state's metric history grows with rounds: generous, but bounded. */
  private static final long MAX_TEXT_BYTES = 512L << 20;

  private final Path root;
  private final FileSystem fs;
  private final CheckpointFolders folders;
  private final VerifiedFiles verified;

  public CheckpointStore(String runDirUri, Configuration conf) throws IOException {
    this(runDirUri, conf, null);
  }

  /** @param flatListing how to find checkpoints; null: as the store's scheme suits */
  CheckpointStore(String runDirUri, Configuration conf, Boolean flatListing) throws IOException {
    this.root = new Path(runDirUri, FOLDER);
    this.fs = CheckpointFiles.fileSystem(root, conf);
    this.folders = new CheckpointFolders(fs, root, flatListing != null ? flatListing
        : CheckpointFolders.listsFlat(fs));
    this.verified = new VerifiedFiles(fs);
  }

  public String uri() {
    return root.toString();
  }

  Path roundDir(long round) {
    return new Path(root, CheckpointFolders.name(round));
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
      // The two large files are written at once: each pays its own create, hashing and close
      // (an HDFS pipeline flush, an S3 upload), which one after the other leaves the store idle
      // half the time.
      Future<Map<String, Object>> params = PARALLEL_WRITER.submit(() -> writeFile(dir,
          CheckpointFiles.PARAMS, out -> CheckpointFiles.writeFloats(out, c.snapshot().params())));
      Map<String, Object> state = writeFile(dir, CheckpointFiles.OPTIMIZER_STATE, out -> {
        out.writeInt(c.snapshot().optimizerStates().length);
        for (float[] s : c.snapshot().optimizerStates()) {
          CheckpointFiles.writeFloats(out, s);
        }
      });
      files.add(await(params));
      files.add(state);
    } else {
      // The workers wrote parameters and optimizer state into this folder; the manifest below
      // vouches for them by the sizes and digests they reported.
      for (WrittenFile f : c.workerFiles()) {
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
    commit(new Path(dir, CheckpointFiles.MANIFEST),
        Json.pretty(manifest).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The commit point: until the manifest exists the checkpoint does not. Created only if absent
   * ({@link CreateIfAbsent}: one atomic step on {@code file://} and HDFS), so a second writer of
   * the same round fails instead of replacing a committed manifest. Finding the very bytes we
   * meant to write there is our own commit whose answer was lost (a retried attempt).
   */
  private void commit(Path manifest, byte[] bytes) throws IOException {
    if (CreateIfAbsent.create(fs, manifest, bytes)) {
      return;
    }
    byte[] there;
    try (InputStream in = fs.open(manifest)) {
      there = in.readNBytes(MAX_MANIFEST_BYTES + 1);
    }
    if (!Arrays.equals(there, bytes)) {
      throw new FileAlreadyExistsException("cannot commit " + manifest + ": another writer "
          + "committed that round already");
    }
  }

  private static Map<String, Object> await(Future<Map<String, Object>> write)
      throws IOException {
    try {
      return write.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing a checkpoint file");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException("writing a checkpoint file failed: " + e.getCause(), e.getCause());
    }
  }

  private Map<String, Object> writeFile(Path dir, String name, CheckpointFiles.Body body)
      throws IOException {
    return CheckpointFiles.manifestEntry(CheckpointFiles.write(fs, dir, name, body));
  }

  /** All checkpoint folders, newest first, each checked against its manifest. */
  public List<CheckpointInfo> list() throws IOException {
    List<CheckpointInfo> infos = new ArrayList<>();
    for (CheckpointFolders.Folder folder : folders.newestFirst()) {
      infos.add(inspect(folder));
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
    for (CheckpointFolders.Folder folder : folders.newestFirst()) {
      infos.add(readManifest(folder).info());
    }
    return infos;
  }

  /**
   * The newest checkpoint that loads. Each newer one that does not (no manifest, a file missing,
   * truncated or changed, content that does not parse) is reported to {@code warn} with the
   * file at fault, and skipped. A store that fails to answer fails this call instead: resuming
   * from an older checkpoint because of a transient error would silently lose progress.
   */
  public Optional<CheckpointContent> latestValid(Consumer<String> warn) throws IOException {
    for (CheckpointFolders.Folder folder : folders.newestFirst()) {
      try {
        return Optional.of(read(folder));
      } catch (InvalidCheckpoint e) {
        warn.accept("skipping checkpoint " + roundDir(folder.round()) + ": " + e.getMessage());
      }
    }
    return Optional.empty();
  }

  /** Loads a checkpoint, verifying every byte against the manifest as it streams in. */
  public CheckpointContent load(long round) throws IOException {
    try {
      return read(CheckpointFolders.Folder.unlisted(round));
    } catch (InvalidCheckpoint e) {
      throw new CheckpointException("checkpoint " + roundDir(round) + " is not valid: "
          + e.getMessage());
    }
  }

  private CheckpointContent read(CheckpointFolders.Folder folder)
      throws IOException, InvalidCheckpoint {
    long round = folder.round();
    Manifest manifest = readManifest(folder);
    if (!manifest.info().valid()) {
      throw new InvalidCheckpoint(manifest.info().problem());
    }
    Path dir = roundDir(round);
    Map<String, Object> content = new LinkedHashMap<>();
    for (ManifestEntry entry : ManifestEntry.all(manifest.json(), manifestPath(round))) {
      content.put(entry.name(), verified.read(dir, entry, in -> parse(entry, in)));
    }
    try {
      return assemble(content);
    } catch (IOException | RuntimeException e) {
      // Verified bytes that do not parse: written by another version, or a manifest rewritten
      // to match altered files. Not loadable either way.
      throw new InvalidCheckpoint("its content cannot be read (" + e + ")");
    }
  }

  /** What one file holds: floats for the arrays, text for the rest. */
  private static Object parse(ManifestEntry entry, DataInputStream in) throws IOException {
    String name = entry.name();
    long maxFloats = entry.bytes() / Float.BYTES;
    if (name.equals(CheckpointFiles.OPTIMIZER_STATE)) {
      int count = in.readInt();
      if (count < 0 || count > MAX_STATES) {
        throw new CheckpointFiles.Malformed(name + ": " + count + " optimizer states (at most "
            + MAX_STATES + ")");
      }
      float[][] states = new float[count][];
      for (int i = 0; i < count; i++) {
        states[i] = CheckpointFiles.readFloats(in, name, maxFloats);
      }
      return states;
    }
    if (name.endsWith(".bin")) {
      return CheckpointFiles.readFloats(in, name, maxFloats);
    }
    if (entry.bytes() > MAX_TEXT_BYTES) {
      throw new CheckpointFiles.Malformed(name + ": " + entry.bytes() + " bytes of JSON, more "
          + "than " + MAX_TEXT_BYTES);
    }
    return CheckpointFiles.readText(in);
  }

  private static CheckpointContent assemble(Map<String, Object> files) throws IOException {
    float[] p;
    float[][] states;
    if (files.containsKey(CheckpointFiles.PARAMS)) {
      p = (float[]) files.get(CheckpointFiles.PARAMS);
      states = (float[][]) files.get(CheckpointFiles.OPTIMIZER_STATE);
    } else {
      p = concatenate(numbered(files, CheckpointFiles::paramsPart));
      List<float[]> shared = numbered(files, CheckpointFiles::statePart);
      List<float[]> own = numbered(files, CheckpointFiles::workerState);
      states = !shared.isEmpty() ? new float[][] {concatenate(shared)}
          : own.toArray(new float[0][]);
    }
    float[] momentum = (float[]) files.getOrDefault(CheckpointFiles.OUTER_MOMENTUM,
        new float[0]);
    float[] best = (float[]) files.getOrDefault(CheckpointFiles.BEST_PARAMS, new float[0]);
    JsonNode training = Json.MAPPER.readTree((String) files.get(CheckpointFiles.TRAINING_STATE));
    return TrainingStateJson.fromJson(training, p, states, momentum, best,
        (String) files.get(CheckpointFiles.MODEL_CONFIG));
  }

  /** The files {@code name(0)}, {@code name(1)}, ... up to the first one missing. */
  private static List<float[]> numbered(Map<String, Object> files,
      IntFunction<String> name) {
    List<float[]> parts = new ArrayList<>();
    for (int k = 0; files.containsKey(name.apply(k)); k++) {
      parts.add((float[]) files.get(name.apply(k)));
    }
    return parts;
  }

  private static float[] concatenate(List<float[]> parts) {
    long length = 0;
    for (float[] part : parts) {
      length += part.length;
    }
    float[] all = new float[Math.toIntExact(length)];
    int at = 0;
    for (float[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }

  public void delete(long round) throws IOException {
    fs.delete(roundDir(round), true);
  }

  /** The manifest of a round, or why there is no usable one. */
  private record Manifest(CheckpointInfo info, JsonNode json) {}

  private Path manifestPath(long round) {
    return new Path(roundDir(round), CheckpointFiles.MANIFEST);
  }

  private Manifest readManifest(CheckpointFolders.Folder folder) throws IOException {
    long round = folder.round();
    Path dir = roundDir(round);
    Path manifestPath = new Path(dir, CheckpointFiles.MANIFEST);
    if (folder.knownWithoutManifest()) {
      return invalid(round, dir, "no " + CheckpointFiles.MANIFEST
          + " (the write did not finish)");
    }
    byte[] bytes;
    try (InputStream in = openManifest(folder, manifestPath)) {
      bytes = in.readNBytes(MAX_MANIFEST_BYTES + 1);
    } catch (FileNotFoundException e) {
      return invalid(round, dir, "no " + CheckpointFiles.MANIFEST
          + " (the write did not finish)");
    } catch (ChecksumException e) {
      return invalid(round, dir, manifestPath + " is corrupted: " + e.getMessage());
    } catch (IOException e) {
      // The store did not answer (an S3 503, a reset connection): that says nothing about the
      // checkpoint, which must not be judged invalid, and so pruned, for it.
      throw new IOException("cannot read " + manifestPath + ": " + e.getMessage(), e);
    }
    if (bytes.length > MAX_MANIFEST_BYTES) {
      return invalid(round, dir, manifestPath + " is larger than " + MAX_MANIFEST_BYTES
          + " bytes, far more than a manifest holds");
    }
    JsonNode manifest;
    try {
      // The bytes are all here: whatever fails now is their content, not the store.
      manifest = Json.MAPPER.readTree(bytes);
    } catch (IOException e) {
      return invalid(round, dir, manifestPath + " is not valid JSON: " + e.getMessage());
    }
    if (manifest == null || !manifest.path("files").isArray()
        || manifest.path("round").asLong(-1) != round) {
      return invalid(round, dir, manifestPath + " does not describe round " + round);
    }
    long total = 0;
    for (JsonNode entry : manifest.get("files")) {
      total += entry.path("bytes").asLong();
    }
    return new Manifest(new CheckpointInfo(round, dir.toString(), null,
        manifest.path("createdAt").asLong(), total, metricsOf(manifest)), manifest);
  }

  /** Opens a manifest, with its listed status where the listing gave one (no HEAD on S3A). */
  private InputStream openManifest(CheckpointFolders.Folder folder, Path path)
      throws IOException {
    if (folder.manifest() == null) {
      return fs.open(path);
    }
    return FutureIO.awaitFuture(fs.openFile(folder.manifest().getPath())
        .withFileStatus(folder.manifest()).build());
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

  /** A checkpoint folder with every file checked against its manifest, without keeping it. */
  private CheckpointInfo inspect(CheckpointFolders.Folder folder) throws IOException {
    long round = folder.round();
    Manifest manifest = readManifest(folder);
    if (!manifest.info().valid()) {
      return manifest.info();
    }
    try {
      for (ManifestEntry entry : ManifestEntry.all(manifest.json(), manifestPath(round))) {
        verified.read(roundDir(round), entry, in -> {
          in.transferTo(OutputStream.nullOutputStream());
          return null;
        });
      }
    } catch (InvalidCheckpoint e) {
      return invalid(round, roundDir(round), e.getMessage()).info();
    }
    return manifest.info();
  }

  private static Manifest invalid(long round, Path dir, String problem) {
    return new Manifest(new CheckpointInfo(round, dir.toString(), problem, 0, 0, null), null);
  }
}
