package org.sparktrain.driver.output;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The few storage steps a {@link RunLease} needs, the first of them atomic where the store allows
 * it ({@link CreateIfAbsent}): of two drivers creating the same name at the same instant exactly
 * one succeeds. On S3 with Hadoop 3.3.4, where both may, the lease's read-back of its token, and
 * the heartbeat's, turn that into one run stopping with a clear error.
 */
final class LeaseFiles {
  private static final int READ_ATTEMPTS = 3;
  private final FileSystem fs;

  LeaseFiles(FileSystem fs) {
    // The raw local file system: no .crc side files for a file rewritten every few seconds.
    this.fs = fs instanceof LocalFileSystem l ? l.getRaw() : fs;
  }

  /** Creates {@code file} holding {@code content}; false when it exists already. */
  boolean createIfAbsent(Path file, byte[] content) throws IOException {
    return CreateIfAbsent.create(fs, file, content);
  }

  /** Rewrites a file in place (a reader may see it empty for an instant, never absent). */
  void rewrite(Path file, byte[] content) throws IOException {
    try (OutputStream out = fs.create(file, true)) {
      out.write(content);
    }
  }

  /**
   * A file's first {@code maxBytes} bytes, or null when it does not exist. Read again when it
   * fails: S3A refuses a read during which another client replaced the object
   * ({@code RemoteFileChangedException}), which is what racing runs do to a lease on S3.
   */
  byte[] read(Path file, int maxBytes) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try (InputStream in = fs.open(file)) {
        return in.readNBytes(maxBytes);
      } catch (FileNotFoundException e) {
        return null;
      } catch (IOException e) {
        if (attempt == READ_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  /** When a file last changed, or -1 when it does not exist. */
  long modified(Path file) throws IOException {
    try {
      return fs.getFileStatus(file).getModificationTime();
    } catch (FileNotFoundException e) {
      return -1;
    }
  }

  /** The names of the files in {@code dir} (none when it does not exist). */
  List<String> names(Path dir) throws IOException {
    List<String> names = new ArrayList<>();
    try {
      for (FileStatus s : fs.listStatus(dir)) {
        names.add(s.getPath().getName());
      }
    } catch (FileNotFoundException e) {
      // no folder, no lease
    }
    return names;
  }

  void delete(Path file) throws IOException {
    fs.delete(file, false);
  }
}
