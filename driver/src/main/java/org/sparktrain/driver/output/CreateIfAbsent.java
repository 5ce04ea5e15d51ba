package org.sparktrain.driver.output;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Creates a file only if it is absent, so that of two writers creating the same name at the same
 * instant exactly one succeeds where the store allows it: what a run's lease and a checkpoint's
 * manifest commit on.
 *
 * <ul>
 *   <li>{@code file://}: Hadoop's local file system checks for the file and then opens it (two
 *       steps), so the file is created here with {@code O_CREAT|O_EXCL} (Java's
 *       {@code CREATE_NEW}), which the kernel does in one.
 *   <li>HDFS: {@code create(path, overwrite = false)} is one NameNode operation under its lock.
 *   <li>S3A in Hadoop 3.3.4 (Spark 3.5's) and 3.4.0-3.4.1: {@code create(path, false)} checks
 *       with a HEAD/LIST and then PUTs, so two writers inside that window both succeed; S3's
 *       conditional write ({@code If-None-Match: *}) is used only from Hadoop 3.4.2 on
 *       ({@code fs.s3a.create.conditional.enabled}). The object appears whole or not at all.
 * </ul>
 *
 * <p>The content is written after the name is taken: on {@code file://} and HDFS a reader may
 * see the file short for a moment, and a writer killed mid-way leaves it short. Callers store
 * content a reader can tell is incomplete (JSON that does not parse).
 */
public final class CreateIfAbsent {
  private CreateIfAbsent() {}

  /** Creates {@code file} holding {@code content}; false when it exists already. */
  public static boolean create(FileSystem fs, Path file, byte[] content) throws IOException {
    if ("file".equals(fs.getUri().getScheme())) {
      java.nio.file.Path path = java.nio.file.Path.of(fs.makeQualified(file).toUri());
      Files.createDirectories(path.getParent());
      try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE)) {
        out.write(content);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        return false;
      }
      return true;
    }
    try (OutputStream out = fs.create(file, false)) {
      out.write(content);
    } catch (FileAlreadyExistsException e) {
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
}
