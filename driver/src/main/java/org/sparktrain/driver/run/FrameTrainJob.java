package org.sparktrain.driver.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.io.FileUtils;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.sparktrain.driver.spec.JobSpec;

/**
 * Trains on a DataFrame, for the APIs that take one (the Spark ML estimator, the DL4J shim): the
 * frame becomes a temporary view that the spec names as {@code data.table}, so it goes through
 * the same table reading, split and engine as a spec file. A scratch folder holds what the spec
 * needs beside it and, unless a run directory is given, the run; the view and the folder are
 * removed afterwards.
 */
public final class FrameTrainJob {
  private static final AtomicLong FITS = new AtomicLong();

  private FrameTrainJob() {}

  /** The spec for one fit: the view to read, a scratch folder, and the run directory. */
  public interface SpecFor {
    JobSpec spec(String view, Path scratch, String runDir) throws IOException;
  }

  /**
   * @param runDir the run directory, or null for one in the scratch folder (replaced if left
   *     over, removed afterwards)
   * @param what who trains, for the view's name and error messages
   */
  public static TrainJob.Result run(Dataset<Row> frame, String runDir, String what,
      SpecFor specFor) {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(frame.sparkSession().sparkContext());
    String view = "sparktrain_" + what.replaceAll("[^A-Za-z0-9]", "_") + "_"
        + FITS.incrementAndGet();
    frame.createOrReplaceTempView(view);
    Path scratch = null;
    try {
      scratch = Files.createTempDirectory("sparktrain-fit");
      String dir = runDir != null ? runDir : scratch.resolve("run").toUri().toString();
      return TrainJob.run(sc, specFor.spec(view, scratch, dir),
          new TrainJob.Options(false, false, runDir == null));
    } catch (IOException e) {
      throw new UncheckedIOException(what + ": " + e.getMessage(), e);
    } finally {
      frame.sparkSession().catalog().dropTempView(view);
      if (scratch != null) {
        FileUtils.deleteQuietly(scratch.toFile());
      }
    }
  }
}
