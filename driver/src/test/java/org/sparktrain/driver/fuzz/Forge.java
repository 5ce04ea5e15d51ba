package org.sparktrain.driver.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.sparktrain.driver.output.Json;

/** Inputs that pass the outer checks, so that fuzzing reaches the parsers behind them. */
final class Forge {
  private Forge() {}

  /** Rewrites a checkpoint's manifest to vouch for {@code body} as the file {@code name}. */
  static void manifest(Path round, String name, byte[] body) throws IOException {
    Path manifest = round.resolve("_MANIFEST.json");
    ObjectNode json = (ObjectNode) Json.MAPPER.readTree(manifest.toFile());
    for (JsonNode entry : json.get("files")) {
      if (entry.path("name").asText().equals(name)) {
        ((ObjectNode) entry).put("bytes", body.length).put("sha256", sha256(body));
      }
    }
    Files.writeString(manifest, Json.pretty(json));
    Files.deleteIfExists(round.resolve("._MANIFEST.json.crc"));
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The same zip with every entry stored uncompressed. */
  static byte[] storedZip(byte[] zip) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip));
        ZipOutputStream stored = new ZipOutputStream(out)) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        byte[] bytes = in.readAllBytes();
        ZipEntry s = new ZipEntry(e.getName());
        s.setMethod(ZipEntry.STORED);
        s.setSize(bytes.length);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        s.setCrc(crc.getValue());
        stored.putNextEntry(s);
        stored.write(bytes);
        stored.closeEntry();
      }
    }
    return out.toByteArray();
  }
}
