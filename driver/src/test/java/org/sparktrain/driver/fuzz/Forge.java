package org.sparktrain.driver.fuzz;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/** Inputs that pass the outer checks, so that fuzzing reaches the parsers behind them. */
final class Forge {
  private Forge() {}

  /** A zip of one entry. */
  static byte[] zipOf(String name, byte[] content) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry(name));
      zip.write(content);
      zip.closeEntry();
    }
    return out.toByteArray();
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
