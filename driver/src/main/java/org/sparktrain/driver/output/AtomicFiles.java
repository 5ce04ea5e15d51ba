package org.sparktrain.driver.output;

import java.io.IOException;
import java.io.OutputStream;
import java.util.UUID;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Replaces a file only once its new content is complete: the content goes to a hidden sibling
 * ({@code .NAME.tmp-UUID}, which Hadoop's input formats skip) and is renamed over the target. A
 * write that fails or a driver killed mid-write leaves the old file whole.
 *
 * <p>On {@code file://} the rename replaces the target atomically. HDFS will not rename over an
 * existing file, so the old one is deleted first: for that instant the name is absent, never
 * half written. On S3 a rename is a copy, and an object appears whole or not at all.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** What a file holds, written to a stream. */
  public interface Body {
    void write(OutputStream out) throws IOException;
  }

  public static void write(FileSystem fs, Path target, Body body) throws IOException {
    Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + UUID.randomUUID());
    try {
      try (OutputStream out = fs.create(tmp, false)) {
        body.write(out);
      }
      replace(fs, tmp, target);
    } catch (IOException | RuntimeException e) {
      try {
        fs.delete(tmp, false);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  private static void replace(FileSystem fs, Path tmp, Path target) throws IOException {
    // Renamed onto a folder, the file would land inside it.
    if (fs.exists(target) && fs.getFileStatus(target).isDirectory()) {
      throw new IOException("cannot write " + target + ": a folder of that name is in the way");
    }
    try {
      if (fs.rename(tmp, target)) {
        return;
      }
    } catch (FileAlreadyExistsException e) {
      // S3A refuses to rename onto an existing object (HDFS and local return false): replace
      // it as below.
    }
    if (fs.exists(target)) {
      fs.delete(target, false);
      if (fs.rename(tmp, target)) {
        return;
      }
    }
    throw new IOException("could not move the new " + target.getName() + " into place at "
        + target);
  }
}
