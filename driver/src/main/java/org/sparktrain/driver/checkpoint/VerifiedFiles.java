package org.sparktrain.driver.checkpoint;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.functional.FutureIO;

/**
 * Reads a checkpoint's files checking each against its manifest entry: size on storage before
 * reading, then the bytes and their digest as they stream past. Whatever does not match is an
 * {@link InvalidCheckpoint} naming the file; a store that fails to answer is an IOException.
 */
final class VerifiedFiles {
  private final FileSystem fs;

  VerifiedFiles(FileSystem fs) {
    this.fs = fs;
  }

  /** Parses a file's bytes as they stream past. */
  interface Parser {
    Object parse(DataInputStream in) throws IOException;
  }

  /**
   * Streams one file through its digest (CRC32C, or an older checkpoint's SHA-256) into
   * {@code parser}, then checks that exactly the
   * manifest's bytes came and that they match its digest. The size on storage is checked before
   * reading, so a file replaced by a huge one is not read at all.
   */
  Object read(Path dir, ManifestEntry entry, Parser parser)
      throws IOException, InvalidCheckpoint {
    Path file = new Path(dir, entry.name());
    FileStatus status;
    try {
      status = fs.getFileStatus(file);
    } catch (FileNotFoundException e) {
      throw new InvalidCheckpoint(file + " is missing");
    }
    long size = status.getLen();
    if (size != entry.bytes()) {
      throw new InvalidCheckpoint(file + " has " + size + " bytes but the manifest says "
          + entry.bytes() + " (truncated or overwritten)");
    }
    boolean crc = entry.digestKey().equals(ManifestEntry.CRC32C_KEY);
    CRC32C crc32c = new CRC32C();
    MessageDigest sha = CheckpointFiles.sha256();
    Object parsed;
    long read;
    // Opened with the status just read: S3A would otherwise ask for it again (a HEAD request).
    InputStream buffered = new BufferedInputStream(FutureIO.awaitFuture(
        fs.openFile(file).withFileStatus(status).build()), 1 << 20);
    try (CountingInputStream counted = new CountingInputStream(crc
        ? new CheckedInputStream(buffered, crc32c)
        : new DigestInputStream(buffered, sha))) {
      DataInputStream in = new DataInputStream(counted);
      try {
        parsed = parser.parse(in);
      } catch (EOFException e) {
        throw new InvalidCheckpoint(file + " ends early (truncated)");
      } catch (ChecksumException e) {
        throw new InvalidCheckpoint(file + " cannot be read intact, corrupted or truncated ("
            + e.getMessage() + ")");
      } catch (CheckpointFiles.Malformed e) {
        throw new InvalidCheckpoint(dir + ": " + e.getMessage());
      }
      if (in.read() >= 0) {
        throw new InvalidCheckpoint(file + " has bytes after its content");
      }
      read = counted.count();
    } catch (FileNotFoundException e) {
      throw new InvalidCheckpoint(file + " is missing");
    }
    if (read != entry.bytes()) {
      throw new InvalidCheckpoint(file + " gave " + read + " bytes but the manifest says "
          + entry.bytes());
    }
    String actual = crc ? CheckpointFiles.hex(crc32c) : HexFormat.of().formatHex(sha.digest());
    if (!actual.equals(entry.digest())) {
      throw new InvalidCheckpoint(file + " does not match its " + (crc ? "CRC32C" : "SHA-256")
          + " in the manifest (corrupted)");
    }
    return parsed;
  }

  /** Counts the bytes read through it. */
  private static final class CountingInputStream extends FilterInputStream {
    private long count;

    CountingInputStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      count += b >= 0 ? 1 : 0;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      count += Math.max(0, n);
      return n;
    }

    long count() {
      return count;
    }
  }
}
