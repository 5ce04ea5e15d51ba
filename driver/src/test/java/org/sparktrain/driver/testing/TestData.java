package org.sparktrain.driver.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import java.util.zip.CRC32C;
import java.util.zip.GZIPOutputStream;
import org.sparktrain.driver.output.Json;

/** Small data sets made by the tests themselves. */
public final class TestData {
  private TestData() {}

  /** The digits set shipped in examples/. */
  public static Path digits() {
    Path p = Path.of("../examples/digits.csv.gz").toAbsolutePath().normalize();
    if (!Files.exists(p)) {
      throw new IllegalStateException("missing " + p);
    }
    return p;
  }

  /**
   * Gaussian blobs: {@code classes} clusters in {@code features} dimensions, label last.
   * Well separated, so small models learn them in a few epochs.
   */
  public static String blobsCsv(int rows, int features, int classes, long seed) {
    Random r = new Random(seed);
    double[][] centres = new double[classes][features];
    for (double[] c : centres) {
      for (int f = 0; f < features; f++) {
        c[f] = r.nextGaussian() * 3;
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < rows; i++) {
      int label = i % classes;
      for (int f = 0; f < features; f++) {
        sb.append(String.format(Locale.ROOT, "%.4f", centres[label][f]
            + r.nextGaussian())).append(',');
      }
      sb.append(label).append('\n');
    }
    return sb.toString();
  }

  public static Path write(Path dir, String name, String text) throws IOException {
    Path p = dir.resolve(name);
    if (name.endsWith(".gz")) {
      try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      }
    } else {
      Files.writeString(p, text);
    }
    return p;
  }

  /** Copies the files of one folder (a checkpoint) into another, which it creates. */
  public static void copyFolder(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }

  /**
   * Replaces the file {@code name} of a checkpoint folder with {@code body}, stored and listed as
   * {@code listedAs}, and rewrites the manifest to vouch for it (size and CRC32C): what a forged
   * checkpoint, or one from an incompatible version, looks like. Hadoop's local checksum files of
   * the edited files are removed, as a forger would.
   */
  public static void forgeCheckpointFile(Path round, String name, String listedAs, byte[] body)
      throws IOException {
    Files.write(round.resolve(listedAs), body);
    Files.deleteIfExists(round.resolve("." + name + ".crc"));
    Path manifest = round.resolve("_MANIFEST.json");
    ObjectNode json =
        (ObjectNode) Json.MAPPER
            .readTree(manifest.toFile());
    for (JsonNode entry : json.get("files")) {
      if (entry.path("name").asText().equals(name)) {
        ((ObjectNode) entry).put("name", listedAs)
            .put("bytes", body.length).put("crc32c", crc32c(body));
      }
    }
    Files.writeString(manifest, Json.pretty(json));
    Files.deleteIfExists(round.resolve("._MANIFEST.json.crc"));
  }

  private static String crc32c(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return String.format("%08x", crc.getValue());
  }
}
