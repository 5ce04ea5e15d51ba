package org.sparktrain.driver.run;

import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.train.SparkSetup;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.model.NetworkPool;
import org.sparktrain.worker.train.NativeArrays;
import org.sparktrain.worker.train.ThreadLimits;

/**
 * The frame every {@code predict} on the executors shares: the rows spread over the cores in
 * input order, each task scoring with its JVM's pooled network (the model's weights broadcast
 * once, ND4J's threads capped per task), the output rows written as a table.
 */
final class ExecutorScoring {
  private ExecutorScoring() {}

  /** Scores one partition's rows with a network holding the model's weights. */
  interface Scorer<T> extends Serializable {
    List<Row> score(Network net, Iterator<T> rows) throws Exception;
  }

  /**
   * @param line a row's number, 1 to {@code total}
   * @param outputFormat parquet, csv, orc or json
   * @return {@code total}, the rows scored
   */
  static <T> long scoreAndWrite(JavaSparkContext sc, JavaRDD<T> rows, Function<T, Long> line,
      long total, ModelBundle bundle, Scorer<T> scorer, StructType schema, String outputUri,
      String outputFormat, boolean overwrite) {
    Broadcast<float[]> weights = sc.broadcast(NativeArrays.toFloats(bundle.network().params()));
    String configJson = bundle.network().config().toJson();
    int parallelism = sc.defaultParallelism();
    int threads = SparkSetup.autoThreadsPerWorker(sc, parallelism);
    JavaRDD<Row> scored = ContiguousSpread.of(rows, line, total, parallelism)
        .mapPartitions(it -> {
          ThreadLimits.apply(threads);
          Network net = NetworkPool.borrow(configJson);
          try {
            NativeArrays.copyInto(net.params(), weights.value());
            return scorer.score(net, it).iterator();
          } finally {
            NetworkPool.giveBack(configJson, net);
          }
        });
    try {
      SparkSession.builder().sparkContext(sc.sc()).getOrCreate()
          .createDataFrame(scored, schema).write()
          .mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists)
          .format(outputFormat).option("header", "true").save(outputUri);
    } finally {
      weights.destroy();
    }
    return total;
  }
}
