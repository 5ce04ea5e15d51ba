package org.sparktrain.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.testing.TestData;
import org.sparktrain.driver.cluster.SparkSetup;

/** Specs and Spark contexts shared by the storage and fault tests. */
final class ItSpecs {
  private ItSpecs() {}

  /** Gaussian blobs written once per folder: fast to train, enough rounds to interrupt. */
  static Path blobs(Path dir, int rows) throws IOException {
    Path file = dir.resolve("blobs-" + rows + ".csv");
    if (!Files.exists(file)) {
      TestData.write(dir, file.getFileName().toString(), TestData.blobsCsv(rows, 8, 4, 33));
    }
    return file;
  }

  static String yaml(String dataUri, String outputUri, int epochs, String checkpoint) {
    return """
        data: {uri: '%s', numClasses: 4}
        model: {name: mlp, hidden: [32], dropout: 0.1}
        train: {epochs: %d, batchSize: 16, workers: 2, averagingFrequency: 2,
                optimizer: {name: adam, learningRate: 0.003}, threadsPerWorker: 1}
        checkpoint: %s
        output: {dir: '%s'}
        """.formatted(dataUri, epochs, checkpoint, outputUri);
  }

  static JobSpec spec(String dataUri, String outputUri, int epochs, String checkpoint) {
    return JobSpecParser.parse(yaml(dataUri, outputUri, epochs, checkpoint), null);
  }

  /** {@link #spec} with {@code train.sync} set (auto, collective or driver). */
  static JobSpec spec(String dataUri, String outputUri, int epochs, String checkpoint,
      String sync) {
    return JobSpecParser.parse(yaml(dataUri, outputUri, epochs, checkpoint)
        .replace("threadsPerWorker: 1}", "threadsPerWorker: 1, sync: " + sync + "}"), null);
  }

  static JavaSparkContext local(SparkConf extra) {
    SparkConf conf = SparkSetup.strictKryo(SparkSetup.conf("local[2]", "sparktrain-it"));
    for (scala.Tuple2<String, String> kv : extra.getAll()) {
      conf.set(kv._1(), kv._2());
    }
    return new JavaSparkContext(conf);
  }

  static void copy(String from, String to, Configuration conf) throws IOException {
    org.apache.hadoop.fs.Path src = new org.apache.hadoop.fs.Path(from);
    org.apache.hadoop.fs.Path dst = new org.apache.hadoop.fs.Path(to);
    FileSystem srcFs = src.getFileSystem(conf);
    FileUtil.copy(srcFs, src, dst.getFileSystem(conf), dst, false, true, conf);
  }
}
