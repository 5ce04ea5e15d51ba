package org.sparktrain.driver.output;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StreamCapabilities;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * metrics.jsonl, whose every line is on the store, readable by another process ({@code tail -f},
 * {@code compare} of a running run), once {@link #append} returns. Each kind of store needs its
 * own way there:
 *
 * <ul>
 *   <li>the local file system: Hadoop's checksummed {@code file://} buffers a partial checksum
 *       chunk that {@code hflush} does not push, so lines are written through its raw file
 *       system and flushed; the stale {@code .crc} of an earlier file is removed, or readers
 *       through the checksummed file system would reject the new bytes;
 *   <li>stores whose streams can {@code hflush} (HDFS): written once, flushed per line;
 *   <li>object stores (S3A), which upload on close and cannot append: the whole object is
 *       written again with every line it holds, at most once per {@code rewriteIntervalMs} and
 *       always on close, so a reader sees it at most that late. An interim rewrite that fails
 *       (the store briefly unreachable) is only logged: the next one carries every line, and
 *       the one on close must succeed.
 * </ul>
 */
final class MetricsLog implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsLog.class);
  /** How often an object store's copy is replaced while a run writes lines. */
  static final long OBJECT_STORE_REWRITE_MS = 10_000;

  private final Writer writer;

  private MetricsLog(Writer writer) {
    this.writer = writer;
  }

  /** A new metrics.jsonl at {@code path} (replacing any) holding {@code lines}. */
  static MetricsLog create(FileSystem fs, Path path, List<String> lines) throws IOException {
    return create(fs, path, lines, OBJECT_STORE_REWRITE_MS, System::currentTimeMillis);
  }

  static MetricsLog create(FileSystem fs, Path path, List<String> lines,
      long rewriteIntervalMs, LongSupplier clock) throws IOException {
    Writer writer;
    if (fs instanceof ChecksumFileSystem checksummed) {
      FileSystem raw = checksummed.getRawFileSystem();
      raw.delete(checksummed.getChecksumFile(path), false);
      writer = new FlushedStream(raw.create(path, true));
    } else {
      FSDataOutputStream out = fs.create(path, true);
      if (out.hasCapability(StreamCapabilities.HFLUSH)) {
        writer = new FlushedStream(out);
      } else {
        out.close();
        writer = new RewrittenObject(fs, path, rewriteIntervalMs, clock);
      }
    }
    MetricsLog log = new MetricsLog(writer);
    for (String line : lines) {
      writer.write(line);
    }
    writer.flush(true);
    return log;
  }

  /** Adds one line (without its newline) and makes it visible to readers. */
  void append(String line) throws IOException {
    writer.write(line);
    writer.flush(false);
  }

  @Override
  public void close() throws IOException {
    writer.flush(true);
    writer.close();
  }

  private interface Writer extends Closeable {
    void write(String line) throws IOException;

    /** Makes what was written visible; {@code force} even where that is costly. */
    void flush(boolean force) throws IOException;
  }

  /** A stream whose flush reaches the store (a raw local file, or an hflush-capable one). */
  private static final class FlushedStream implements Writer {
    private final FSDataOutputStream out;

    FlushedStream(FSDataOutputStream out) {
      this.out = out;
    }

    @Override
    public void write(String line) throws IOException {
      out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void flush(boolean force) throws IOException {
      out.hflush();
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }

  /** An object store: the whole object written again, at most once per interval. */
  private static final class RewrittenObject implements Writer {
    private final FileSystem fs;
    private final Path path;
    private final long intervalMs;
    private final LongSupplier clock;
    private final StringBuilder text = new StringBuilder();
    private long lastWrittenMs;
    private boolean pending;

    RewrittenObject(FileSystem fs, Path path, long intervalMs, LongSupplier clock) {
      this.fs = fs;
      this.path = path;
      this.intervalMs = intervalMs;
      this.clock = clock;
    }

    @Override
    public void write(String line) {
      text.append(line).append('\n');
      pending = true;
    }

    @Override
    public void flush(boolean force) throws IOException {
      long now = clock.getAsLong();
      if (!pending || (!force && now - lastWrittenMs < intervalMs)) {
        return;
      }
      // One PUT of the whole object: a reader sees the previous copy or this one, never half.
      try (FSDataOutputStream out = fs.create(path, true)) {
        out.write(text.toString().getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        if (force) {
          throw e;
        }
        // Tried again after the interval, with every line. (S3A on Hadoop 3.5, the Spark 4
        // line, gives up on a refused connection within a second, where a store outage of a
        // few seconds is what checkpoint retries ride out.)
        LOG.warn("metrics.jsonl: rewriting {} failed, trying again in {} ms: {}", path,
            intervalMs, e.toString());
        lastWrittenMs = now;
        return;
      }
      lastWrittenMs = now;
      pending = false;
    }

    @Override
    public void close() {
      // flush(true) ran before: nothing is left unwritten.
    }
  }
}
