package org.sparktrain.driver.output;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The few storage steps a {@link RunLease} needs, the first of them atomic: create a file only
 * if it is absent, so that of two drivers creating the same name at the same instant exactly one
 * succeeds.
 *
 * <ul>
 *   <li>{@code file://}: Hadoop's local file system checks for the file and then opens it (two
 *       steps), so the file is created here with {@code O_CREAT|O_EXCL} (Java's
 *       {@code CREATE_NEW}), which the kernel does in one.
 *   <li>HDFS: {@code create(path, overwrite = false)} is one NameNode operation under its lock.
 *   <li>S3A in Hadoop 3.3.4 (ours): {@code create(path, false)} checks with a HEAD/LIST and then
 *       PUTs, so two drivers inside that window both succeed; S3's conditional write
 *       ({@code If-None-Match: *}) is used only from Hadoop 3.4.2 on. The lease's read-back of
 *       its token, and the heartbeat's, turn that into one run stopping with a clear error.
 * </ul>
 */
final class LeaseFiles {
  private static final int READ_ATTEMPTS = 3;
  private final FileSystem fs;
  private final boolean local;

  LeaseFiles(FileSystem fs) {
    // The raw local file system: no .crc side files for a file rewritten every few seconds.
    this.local = fs instanceof LocalFileSystem;
    this.fs = fs instanceof LocalFileSystem l ? l.getRaw() : fs;
  }

  /** Creates {@code file} holding {@code content}; false when it exists already. */
  boolean createIfAbsent(Path file, byte[] content) throws IOException {
    if (local) {
      java.nio.file.Path path = java.nio.file.Path.of(fs.makeQualified(file).toUri());
      Files.createDirectories(path.getParent());
      try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE)) {
        out.write(content);
      } catch (FileAlreadyExistsException e) {
        return false;
      }
      return true;
    }
    try (OutputStream out = fs.create(file, false)) {
      out.write(content);
    } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      // HDFS may answer a file another client is still creating with another exception.
      if (fs.exists(file)) {
        return false;
      }
      throw e;
    }
    return true;
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
