package org.sparktrain.driver.run;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.types.StructType;
import org.sparktrain.driver.data.TableReader;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.output.OutputGuard;
import org.sparktrain.driver.cluster.SparkSetup;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.train.NativeArrays;

/**
 * The frame every {@code predict} on the executors shares: the rows spread over the cores in
 * input order, each task scoring with its JVM's pooled network (the model's weights broadcast
 * once, ND4J's threads capped per task), the output rows written as a table.
 */
final class ExecutorScoring {
  private ExecutorScoring() {}

  /**
   * Refuses an output folder that is, is inside or holds the model or the input files: Spark
   * replaces the whole folder on --overwrite.
   */
  static void refuseUnsafeOutput(String modelUri, String inputUri, String outputUri,
      Configuration conf) throws IOException {
    List<OutputGuard.Kept> kept = new ArrayList<>();
    kept.add(new OutputGuard.Kept("the model", modelUri));
    if (inputUri != null) {
      kept.add(new OutputGuard.Kept("an input", inputUri));
    }
    OutputGuard.refuseOverlap("predict", "--output", outputUri, kept, conf);
  }

  /** Scores one minibatch of rows with a network holding the model's weights. */
  interface Scorer<T> extends Serializable {
    List<Row> score(Network net, List<T> batch) throws Exception;
  }

  /**
   * @param line a row's number, 1 to {@code total}
   * @param batchRows rows per {@code scorer} call
   * @param outputFormat parquet, csv, orc or json
   * @return {@code total}, the rows scored
   */
  static <T> long scoreAndWrite(JavaSparkContext sc, JavaRDD<T> rows, Function<T, Long> line,
      long total, ModelBundle bundle, int batchRows, Scorer<T> scorer, StructType schema,
      String outputUri, String outputFormat, boolean overwrite) {
    Broadcast<float[]> weights = sc.broadcast(NativeArrays.toFloats(bundle.network().params()));
    String configJson = bundle.network().config().toJson();
    int parallelism = sc.defaultParallelism();
    int threads = SparkSetup.autoThreadsPerWorker(sc, parallelism);
    JavaRDD<Row> scored = ContiguousSpread.of(rows, line, total, parallelism)
        .mapPartitions(it -> {
          Network net = TaskNetwork.borrow(configJson, weights.value(), threads);
          // Rows are scored as the writer pulls them, a minibatch at a time (a partition's
          // output is never held whole); the network goes back when the task ends.
          return new Batches<>(it, batchRows, batch -> scorer.score(net, batch));
        });
    try {
      TableReader.session(sc).createDataFrame(scored, schema).write()
          .mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists)
          .format(outputFormat).option("header", "true").save(outputUri);
    } finally {
      weights.destroy();
    }
    return total;
  }

  /** The scored rows of one partition, produced a minibatch at a time. */
  private static final class Batches<T> implements Iterator<Row> {
    interface BatchScore<T> {
      List<Row> apply(List<T> batch) throws Exception;
    }

    private final Iterator<T> rows;
    private final int batchRows;
    private final BatchScore<T> score;
    private Iterator<Row> current = Collections.emptyIterator();

    Batches(Iterator<T> rows, int batchRows, BatchScore<T> score) {
      this.rows = rows;
      this.batchRows = batchRows;
      this.score = score;
    }

    @Override
    public boolean hasNext() {
      while (!current.hasNext() && rows.hasNext()) {
        List<T> batch = new ArrayList<>(batchRows);
        while (batch.size() < batchRows && rows.hasNext()) {
          batch.add(rows.next());
        }
        try {
          current = score.apply(batch).iterator();
        } catch (Exception e) {
          throw new IllegalStateException("scoring a minibatch failed: " + e.getMessage(), e);
        }
      }
      return current.hasNext();
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return current.next();
    }
  }
}
