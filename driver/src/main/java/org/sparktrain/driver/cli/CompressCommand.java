package org.sparktrain.driver.cli;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.compress.CompressJob;
import org.sparktrain.driver.output.Json;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.train.SparkSetup;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sparktrain compress}: int8 weights or magnitude pruning, measured. */
@Command(name = "compress", mixinStandardHelpOptions = true, description = "Make a smaller "
    + "model: int8 weights (per output channel) or magnitude pruning. Writes a model folder "
    + "that predict and evaluate load, with a summary.json of size, parameters, metrics on "
    + "--data before and after, and inference rows/s.")
final class CompressCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "a run's model folder")
  String model;

  @Option(names = "--method", required = true, description = "int8 or prune")
  String method;

  @Option(names = "--sparsity", defaultValue = "0.5", description = "prune: the share of "
      + "weights set to zero (default 0.5)")
  double sparsity;

  @Option(names = "--per-layer", description = "prune: that share in every layer (default: "
      + "over all weights at once)")
  boolean perLayer;

  @Option(names = "--output", required = true, description = "the new model folder (must not "
      + "exist or be empty)")
  String output;

  @CommandLine.Mixin
  SparktrainMain.LabelledData data;

  @CommandLine.Mixin
  SparktrainMain.SparkOptionsMixin spark;

  @Override
  public Integer call() throws IOException {
    spark.applyLogging();
    CompressJob.Options options = new CompressJob.Options(CompressJob.Method.parse(method),
        sparsity, perLayer);
    String modelUri = JobSpecParser.resolve(model, null);
    String outputUri = JobSpecParser.resolve(output, null);
    Map<String, Object> summary;
    if (data.given()) {
      data.requireOne(this, "compress");
      try (JavaSparkContext sc = SparkSetup.start(spark.master, "sparktrain compress")) {
        summary = CompressJob.run(modelUri, outputUri, options, uri -> data.evaluate(sc, uri),
            sc.hadoopConfiguration());
      }
    } else {
      summary = CompressJob.run(modelUri, outputUri, options, null, new Configuration());
    }
    System.out.println(Json.pretty(summary));
    return 0;
  }
}
