package org.sparktrain.driver.checkpoint;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;
import java.util.zip.Checksum;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.sparktrain.driver.train.state.SliceWriter.WrittenFile;

/**
 * The byte formats inside a checkpoint. Arrays are big-endian IEEE float32 with an int length
 * prefix; everything else is UTF-8 JSON. No Java serialization, so a checkpoint stays readable by
 * any later version and by other tools.
 */
final class CheckpointFiles {
  static final String PARAMS = "params.bin";
  static final String OPTIMIZER_STATE = "optimizer-state.bin";
  static final String MODEL_CONFIG = "model-config.json";
  static final String TRAINING_STATE = "training-state.json";
  /** With an outer optimizer ({@code train.outer}): its momentum. */
  static final String OUTER_MOMENTUM = "outer-momentum.bin";
  /** With early stopping: the best validated parameters (their round is in the state). */
  static final String BEST_PARAMS = "best-params.bin";
  static final String MANIFEST = "_MANIFEST.json";
  /** Checkpoints written by collective workers: slices and per-worker states, numbered. */
  static final String PARAMS_PART = "params.part-";
  static final String STATE_PART = "optimizer-state.part-";
  static final String WORKER_STATE = "optimizer-state.worker-";
  private static final int CHUNK_FLOATS = 1 << 18;

  private CheckpointFiles() {}

  static String paramsPart(int k) {
    return PARAMS_PART + String.format("%05d", k) + ".bin";
  }

  static String statePart(int k) {
    return STATE_PART + String.format("%05d", k) + ".bin";
  }

  static String workerState(int k) {
    return WORKER_STATE + String.format("%05d", k) + ".bin";
  }

  /** Bytes that do not have a checkpoint file's format (not a failure of the store). */
  static final class Malformed extends IOException {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message);
    }
  }

  /** What a checkpoint file holds, written to a stream. */
  interface Body {
    void write(DataOutputStream out) throws IOException;
  }

  /**
   * Writes {@code dir/name} and returns what the manifest needs to trust it: its size and
   * CRC32C. The driver's files and the workers' slices are all written this way.
   *
   * <p>CRC32C, not a cryptographic hash: the digest guards against files truncated, corrupted
   * or mixed up between checkpoints, as HDFS's own block checksums (also CRC32C) do; it cannot
   * guard against a forger, who could rewrite the manifest too. SHA-256 ran at 0.7-0.8 GB/s on
   * the writer thread, as long as the write itself for a local file; CRC32C runs at 6-25 GB/s.
   */
  static WrittenFile write(FileSystem fs, Path dir, String name, Body body)
      throws IOException {
    CRC32C crc = new CRC32C();
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
        new CheckedOutputStream(fs.create(new Path(dir, name), true), crc), 1 << 20))) {
      body.write(out);
      out.flush();
      return new WrittenFile(name, out.size(), hex(crc));
    }
  }

  /**
   * The file system checkpoints under {@code path} are written to and read from. For a local
   * folder, the raw one: Hadoop's default local file system writes a {@code .crc} file beside
   * each file, computing a CRC32 of every 512 bytes on the writer thread, which every checkpoint
   * file's CRC32C in the manifest already does.
   */
  static FileSystem fileSystem(Path path, Configuration conf)
      throws IOException {
    FileSystem fs = path.getFileSystem(conf);
    return fs instanceof LocalFileSystem local ? local.getRaw() : fs;
  }

  /** A CRC32C as the manifest spells it: 8 lower-case hex digits. */
  static String hex(Checksum crc) {
    return String.format("%08x", crc.getValue());
  }

  /** A file's entry in {@code _MANIFEST.json}. */
  static Map<String, Object> manifestEntry(WrittenFile f) {
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("name", f.name());
    entry.put("bytes", f.bytes());
    entry.put(ManifestEntry.CRC32C_KEY, f.crc32c());
    return entry;
  }

  /** The digest of checkpoints written before CRC32C replaced it; still read and checked. */
  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  static void writeFloats(DataOutputStream out, float[] values) throws IOException {
    out.writeInt(values.length);
    ByteBuffer buffer = ByteBuffer.allocate(CHUNK_FLOATS * Float.BYTES);
    for (int from = 0; from < values.length; from += CHUNK_FLOATS) {
      int n = Math.min(CHUNK_FLOATS, values.length - from);
      buffer.clear();
      buffer.asFloatBuffer().put(values, from, n);
      out.write(buffer.array(), 0, n * Float.BYTES);
    }
  }

  /**
   * @param maxValues the most the file can hold (its size in floats): a length prefix beyond it
   *     is refused before anything is allocated
   */
  static float[] readFloats(DataInputStream in, String file, long maxValues) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > maxValues) {
      throw new Malformed(file + ": array length " + n + " is impossible in a file of its "
          + "size");
    }
    float[] values = new float[n];
    byte[] chunk = new byte[CHUNK_FLOATS * Float.BYTES];
    for (int from = 0; from < n; from += CHUNK_FLOATS) {
      int count = Math.min(CHUNK_FLOATS, n - from);
      in.readFully(chunk, 0, count * Float.BYTES);
      ByteBuffer.wrap(chunk, 0, count * Float.BYTES).asFloatBuffer().get(values, from, count);
    }
    return values;
  }

  static void writeText(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
  }

  static String readText(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }
}
