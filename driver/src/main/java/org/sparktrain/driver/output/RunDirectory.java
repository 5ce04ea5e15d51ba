package org.sparktrain.driver.output;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The files of one run, in one place, through the Hadoop FileSystem API (local, HDFS or S3).
 * Only the driver writes here.
 */
public final class RunDirectory implements Closeable {
  public static final String SPEC = "spec.yaml";
  public static final String METRICS = "metrics.jsonl";
  public static final String SUMMARY = "summary.json";
  public static final String REPORT = "report.html";
  public static final String MODEL = "model";

  private final Path root;
  private final FileSystem fs;
  private FSDataOutputStream metrics;

  public RunDirectory(String uri, Configuration conf) throws IOException {
    this.root = new Path(uri);
    this.fs = root.getFileSystem(conf);
    fs.mkdirs(root);
  }

  public String uri() {
    return root.toString();
  }

  public Path path(String name) {
    return new Path(root, name);
  }

  public String modelUri() {
    return path(MODEL).toString();
  }

  public void writeText(String name, String text) throws IOException {
    try (OutputStream out = fs.create(path(name), true)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Appends one JSON line to metrics.jsonl and flushes it, so a tail -f shows progress. */
  public synchronized void appendMetrics(String jsonLine) throws IOException {
    if (metrics == null) {
      metrics = fs.create(path(METRICS), true);
    }
    metrics.write((jsonLine + "\n").getBytes(StandardCharsets.UTF_8));
    metrics.hflush();
  }

  /** Replaces metrics.jsonl with the given lines (a resumed run rewinds it to its checkpoint). */
  public synchronized void rewriteMetrics(java.util.List<String> lines) throws IOException {
    close();
    metrics = fs.create(path(METRICS), true);
    for (String line : lines) {
      metrics.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    }
    metrics.hflush();
  }

  @Override
  public synchronized void close() throws IOException {
    if (metrics != null) {
      metrics.close();
      metrics = null;
    }
  }
}
