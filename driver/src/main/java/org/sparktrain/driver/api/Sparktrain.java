package org.sparktrain.driver.api;

import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.cluster.SparkSetup;
import org.sparktrain.worker.backend.NativeKernels;
import org.sparktrain.worker.backend.ResidentSizeCheck;

/**
 * Where a notebook or jshell session starts: {@code Sparktrain.local(2)} for Spark,
 * {@code Sparktrain.spec()} for a job spec built in code, {@code Sparktrain.model(uri)} for a
 * model saved by an earlier run.
 */
public final class Sparktrain {
  static {
    // A session's workers train in this JVM: turn JavaCPP's costly resident-size check off
    // before ND4J loads (it has not, where a notebook starts with this class).
    ResidentSizeCheck.turnOffUnlessSet();
  }

  private Sparktrain() {}

  /**
   * Starts Spark in local mode with {@code threads} task slots (= workers training at once) and
   * returns the session that owns it; close it to stop Spark. Spark allows one context per JVM.
   */
  public static Session local(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads: " + threads + " is not allowed (must be >= 1; "
          + "local mode runs that many Spark tasks at once)");
    }
    return Session.start("local[" + threads + "]");
  }

  /** Local mode with one task slot per core. */
  public static Session local() {
    return Session.start(SparkSetup.DEFAULT_MASTER);
  }

  /**
   * A session on a Spark context that already exists (a Spark-enabled kernel, a test);
   * {@link Session#close()} leaves it running.
   */
  public static Session attach(JavaSparkContext sc) {
    return new Session(sc, false);
  }

  /** An empty spec: every key the builder does not set takes the parser's default. */
  public static SpecBuilder spec() {
    return new SpecBuilder();
  }

  /**
   * A model saved by a run ({@code RUN/model}) or by {@code export} ({@code model.zip}); a
   * relative path resolves against the working directory. Needs no Spark.
   */
  public static Model model(String uri) {
    // Loading a model may be the first thing to touch ND4J in this JVM.
    NativeKernels.chooseBeforeNd4j(null);
    return Model.load(uri);
  }
}
