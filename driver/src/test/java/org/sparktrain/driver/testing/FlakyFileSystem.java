package org.sparktrain.driver.testing;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The local file system under the scheme {@code flaky://}, with the faults of a remote store
 * that a local disk never shows: reads of chosen files fail as an S3 503 would, and creating
 * chosen files takes a while. Everything else is the real local file system.
 */
public final class FlakyFileSystem extends RawLocalFileSystem {
  /** Opening a file whose path ends with one of these fails. */
  public static final Set<String> FAILING_READS = ConcurrentHashMap.newKeySet();
  /** Creating a file whose path ends with one of these first waits {@link #slowCreateMs}. */
  public static final Set<String> SLOW_CREATES = ConcurrentHashMap.newKeySet();
  public static volatile long slowCreateMs = 1500;
  /** Creating a file whose path ends with a key fails, as many times as its value says. */
  public static final Map<String, AtomicInteger>
      FAILING_CREATES = new ConcurrentHashMap<>();

  /** A Hadoop configuration that routes {@code flaky://} here. */
  public static Configuration conf() {
    Configuration conf = new Configuration();
    conf.set("fs.flaky.impl", FlakyFileSystem.class.getName());
    conf.setBoolean("fs.flaky.impl.disable.cache", true);
    return conf;
  }

  /** {@code flaky://} URI of a local folder. */
  public static String uri(java.nio.file.Path local) {
    return "flaky://" + local.toAbsolutePath();
  }

  public static void reset() {
    FAILING_READS.clear();
    SLOW_CREATES.clear();
    FAILING_CREATES.clear();
  }

  @Override
  public URI getUri() {
    return URI.create("flaky:///");
  }

  @Override
  public String getScheme() {
    return "flaky";
  }

  @Override
  public FSDataInputStream open(Path f, int bufferSize) throws IOException {
    for (String suffix : FAILING_READS) {
      if (f.toUri().getPath().endsWith(suffix)) {
        throw new IOException("503 Service Unavailable (injected) reading " + f);
      }
    }
    return super.open(f, bufferSize);
  }

  @Override
  public FSDataOutputStream create(Path f, boolean overwrite, int bufferSize, short replication,
      long blockSize, Progressable progress) throws IOException {
    slowDown(f);
    return super.create(f, overwrite, bufferSize, replication, blockSize, progress);
  }

  @Override
  public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite,
      int bufferSize, short replication, long blockSize, Progressable progress)
      throws IOException {
    slowDown(f);
    return super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
  }

  private static void slowDown(Path f) throws IOException {
    for (Map.Entry<String, AtomicInteger> e
        : FAILING_CREATES.entrySet()) {
      if (f.toUri().getPath().endsWith(e.getKey()) && e.getValue().getAndDecrement() > 0) {
        throw new IOException("503 Service Unavailable (injected) creating " + f);
      }
    }
    for (String suffix : SLOW_CREATES) {
      if (f.toUri().getPath().endsWith(suffix)) {
        try {
          Thread.sleep(slowCreateMs);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while creating " + f);
        }
      }
    }
  }
}
