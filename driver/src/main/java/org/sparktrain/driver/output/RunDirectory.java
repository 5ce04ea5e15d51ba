package org.sparktrain.driver.output;

import java.io.Closeable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The files of one run, in one place, through the Hadoop FileSystem API (local, HDFS or S3).
 * Only the driver writes here (and, in collective runs, the workers' checkpoint slices), and
 * only the run holding its {@link RunLease}.
 */
public final class RunDirectory implements Closeable {
  public static final String SPEC = "spec.yaml";
  public static final String METRICS = "metrics.jsonl";
  public static final String SUMMARY = "summary.json";
  public static final String REPORT = "report.html";
  public static final String MODEL = "model";
  /** What a run leaves behind, checkpoints aside. */
  private static final List<String> OUTPUTS = List.of(SPEC, METRICS, SUMMARY, REPORT, MODEL);
  private static final String CHECKPOINTS = "checkpoints";

  private final Path root;
  private final FileSystem fs;
  private MetricsLog metrics;
  private RunLease lease;

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

  /**
   * Makes this run the only one writing here, or fails naming the run that is (see
   * {@link RunLease}); released on {@link #close}.
   */
  public void takeLease(Consumer<String> warn) throws IOException {
    lease = RunLease.acquire(fs, root, warn);
  }

  /**
   * Throws {@link LeaseLostException} when the lease's heartbeat found that another run took
   * this directory over; cheap enough for every round.
   */
  public void requireLease() {
    if (lease != null) {
      lease.requireHeld();
    }
  }

  /** Reads the lease back and throws {@link LeaseLostException} when it is another run's. */
  public void verifyLease() throws IOException {
    if (lease != null) {
      lease.verify();
    }
  }

  /** Replaces a file whole (see {@link AtomicFiles}): a reader never sees half of it. */
  public void writeText(String name, String text) throws IOException {
    requireLease();
    AtomicFiles.write(fs, path(name), out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** A file's text, or null when there is none. */
  public String readText(String name) throws IOException {
    try (InputStream in = fs.open(path(name))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (FileNotFoundException e) {
      return null;
    }
  }

  /** Which of a run's outputs (spec, metrics, summary, report, model) are here already. */
  public List<String> existingOutputs() throws IOException {
    List<String> present = new ArrayList<>();
    for (String name : OUTPUTS) {
      if (fs.exists(path(name))) {
        present.add(name);
      }
    }
    return present;
  }

  /** Removes an earlier run's outputs and checkpoints, for a run that replaces it. */
  public void clearEarlierRun() throws IOException {
    verifyLease();
    closeMetrics();
    for (String name : OUTPUTS) {
      fs.delete(path(name), true);
    }
    fs.delete(path(CHECKPOINTS), true);
  }

  /**
   * Appends one JSON line to metrics.jsonl; another process reading the file sees it when this
   * returns (on object stores, within {@link MetricsLog#OBJECT_STORE_REWRITE_MS}).
   */
  public synchronized void appendMetrics(String jsonLine) throws IOException {
    requireLease();
    if (metrics == null) {
      metrics = MetricsLog.create(fs, path(METRICS), List.of());
    }
    metrics.append(jsonLine);
  }

  /**
   * Replaces metrics.jsonl with these rounds, one line each: a resumed run rewinds it to its
   * checkpoint, a rollback after divergence to the rounds it kept.
   */
  public synchronized void rewriteMetrics(List<RoundMetrics> rounds) throws IOException {
    requireLease();
    closeMetrics();
    List<String> lines = new ArrayList<>();
    for (RoundMetrics round : rounds) {
      lines.add(Json.line(round.toMap()));
    }
    metrics = MetricsLog.create(fs, path(METRICS), lines);
  }

  private synchronized void closeMetrics() throws IOException {
    if (metrics != null) {
      metrics.close();
      metrics = null;
    }
  }

  /** Closes metrics.jsonl and gives the lease back: the run is over. */
  @Override
  public synchronized void close() throws IOException {
    try {
      closeMetrics();
    } finally {
      if (lease != null) {
        lease.close();
        lease = null;
      }
    }
  }
}
