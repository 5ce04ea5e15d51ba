package org.sparktrain.driver.api;

import java.nio.file.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.sparktrain.driver.data.TableReader;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.cluster.SparkSetup;

/**
 * A Spark context to train on, from {@link Sparktrain#local(int)}. Training writes the same run
 * directory as {@code bin/sparktrain train} and, like it, resumes from that directory's
 * checkpoints: train the same spec again and it reports the finished result; change the spec and
 * the run is refused naming the keys, so give a changed spec a new {@code output} directory, or
 * replace the earlier run on purpose with {@link #trainReplacing}.
 */
public final class Session implements AutoCloseable {
  private final JavaSparkContext sc;
  private final boolean ownsContext;

  Session(JavaSparkContext sc, boolean ownsContext) {
    this.sc = sc;
    this.ownsContext = ownsContext;
  }

  static Session start(String master) {
    NotebookLogging.useQuietDefaults();
    return ContextLoader.call(() -> new Session(SparkSetup.startShared(master,
        "sparktrain notebook"),
        true));
  }

  /** A YAML job spec; its relative paths resolve against the file's folder, as on the CLI. */
  public JobSpec load(Path yamlFile) {
    return JobSpecParser.parseFile(yamlFile);
  }

  public JobSpec load(String yamlFile) {
    return load(Path.of(yamlFile));
  }

  public TrainingResult train(SpecBuilder spec) {
    return train(spec.build());
  }

  /** Trains, tests on the test split, writes the run directory and returns what it produced. */
  public TrainingResult train(JobSpec spec) {
    return train(spec, false);
  }

  public TrainingResult trainReplacing(SpecBuilder spec) {
    return trainReplacing(spec.build());
  }

  /**
   * Like {@link #train(JobSpec)}, but first removes the outputs and checkpoints of an earlier
   * run in the spec's output directory (what {@code sparktrain train --overwrite} does).
   */
  public TrainingResult trainReplacing(JobSpec spec) {
    return train(spec, true);
  }

  private TrainingResult train(JobSpec spec, boolean overwrite) {
    // A progress bar per epoch (on stderr) rather than a log line per round: a notebook cell or
    // jshell shows it like a terminal does.
    TrainJob.Result result = ContextLoader.call(() -> TrainJob.run(sc, spec,
        new TrainJob.Options(true, false, overwrite)));
    return new TrainingResult(result, spec.output().dir());
  }

  /**
   * Spark SQL on this session's context: read a table, then train on it by name
   * ({@code df.createOrReplaceTempView("penguins")}, {@code spec().catalogTable("penguins")}).
   */
  public SparkSession spark() {
    return TableReader.session(sc);
  }

  /** The Spark context, for anything the API does not cover. */
  public JavaSparkContext sparkContext() {
    return sc;
  }

  /** Stops Spark if this session started it. */
  @Override
  public void close() {
    if (ownsContext) {
      sc.close();
    }
  }

  @Override
  public String toString() {
    return "Session[" + sc.master() + ", Spark " + sc.version()
        + (sc.sc().isStopped() ? ", stopped" : "") + "]";
  }
}
