package org.sparktrain.driver.cli;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.compress.CompressJob;
import org.sparktrain.driver.output.Json;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.cluster.SparkSetup;
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

  @Option(names = "--fine-tune", paramLabel = "SPEC", description = "prune: then train the "
      + "pruned model further on Spark with its zeros held, with this spec (the one the model "
      + "was trained with); the run goes to OUTPUT/fine-tune")
  java.nio.file.Path fineTuneSpec;

  @Option(names = "--fine-tune-epochs", defaultValue = "2", description = "epochs of "
      + "--fine-tune (default 2)")
  int fineTuneEpochs;

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
    if (data.given() || fineTuneSpec != null) {
      if (data.given()) {
        data.requireOne(this, "compress");
      }
      try (JavaSparkContext sc = SparkSetup.start(spark.master, "sparktrain compress")) {
        CompressJob.Evaluation evaluation = data.given() ? uri -> data.evaluate(sc, uri) : null;
        CompressJob.FineTuning fineTuning = fineTuneSpec == null ? null
            : pruned -> fineTune(sc, pruned, outputUri);
        summary = CompressJob.run(modelUri, outputUri, options, evaluation, fineTuning,
            sc.hadoopConfiguration());
      }
    } else {
      summary = CompressJob.run(modelUri, outputUri, options, null, new Configuration());
    }
    System.out.println(Json.pretty(summary));
    return 0;
  }

  /** The spec's run from the pruned model, zeros held, into OUTPUT/fine-tune. */
  private String fineTune(JavaSparkContext sc, String pruned, String outputUri)
      throws IOException {
    String runDir = new Path(outputUri, "fine-tune").toString();
    JobSpec spec = JobSpecParser.parseFile(fineTuneSpec, List.of(
        "train.init={model: '" + pruned.replace("'", "''") + "', keepZeros: true}",
        "train.epochs=" + fineTuneEpochs,
        "output.dir='" + runDir.replace("'", "''") + "'"));
    TrainJob.run(sc, spec, spark.progressBar());
    return new Path(runDir, "model").toString();
  }
}
