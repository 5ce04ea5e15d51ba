package org.sparktrain.driver.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.explain.ExplainJob;
import org.sparktrain.driver.explain.TextExplainJob;
import org.sparktrain.driver.output.Json;
import org.sparktrain.driver.output.OutputGuard;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.cluster.SparkSetup;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sparktrain explain}: permutation importance and integrated gradients of rows, or a
 * transformer's attention (and a text classifier's token attributions) for a text.
 */
@Command(name = "explain", mixinStandardHelpOptions = true, description = "Which inputs a "
    + "model relies on: permutation importance of every column (on the executors, with 95% "
    + "confidence intervals) and integrated-gradients attributions of chosen rows; or, with "
    + "--text, every attention head's map over the text's tokens (gpt, bert, bert-classifier) "
    + "and each token's attribution to a bert-classifier's class. Written as explain.json and "
    + "explain.html.")
final class ExplainCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "a run's model folder")
  String model;

  @CommandLine.Mixin
  SparktrainMain.LabelledData data;

  @Option(names = "--output", required = true, description = "folder for explain.json and "
      + "explain.html")
  String output;

  @Option(names = "--rows", split = ",", description = "rows to attribute (0-based, among "
      + "the rows used; default 0,1,2)")
  List<Integer> rows = new ArrayList<>(List.of(0, 1, 2));

  @Option(names = "--repeats", defaultValue = "5", description = "shuffles per column "
      + "(default 5)")
  int repeats;

  @Option(names = "--max-rows", defaultValue = "5000", description = "use the first N rows "
      + "(default 5000)")
  int maxRows;

  @Option(names = "--steps", defaultValue = "64", description = "integrated gradients' path "
      + "steps (default 64)")
  int steps;

  @Option(names = "--seed", defaultValue = "1")
  long seed;

  @Option(names = "--text", description = "a text to explain (gpt, bert, bert-classifier "
      + "models; instead of --data)")
  String text;

  @CommandLine.Mixin
  SparktrainMain.SparkOptionsMixin spark;

  @Override
  public Integer call() throws IOException {
    spark.applyLogging();
    List<OutputGuard.Kept> kept = new ArrayList<>(List.of(
        new OutputGuard.Kept("the model", JobSpecParser.resolve(model, null))));
    if (data.data != null) {
      kept.add(new OutputGuard.Kept("an input", JobSpecParser.resolve(data.data, null)));
    }
    OutputGuard.refuseInside("explain", "--output", JobSpecParser.resolve(output, null), kept,
        new Configuration());
    if (text != null) {
      if (data.data != null) {
        throw new CommandLine.ParameterException(new CommandLine(this), "explain: give --text "
            + "or --data, not both");
      }
      Map<String, Object> out = TextExplainJob.run(JobSpecParser.resolve(model, null), text,
          JobSpecParser.resolve(output, null), new Configuration());
      System.out.println("tokens: " + out.get("tokens"));
      if (out.containsKey("predicted")) {
        System.out.println("predicted class: " + out.get("predicted"));
      }
      System.out.println("explain.html: " + output);
      return 0;
    }
    data.requireOne(this, "explain");
    ExplainJob.Options options = new ExplainJob.Options(repeats, maxRows, rows, steps, seed);
    try (JavaSparkContext sc = SparkSetup.start(spark.master, "sparktrain explain")) {
      Map<String, Object> out = ExplainJob.run(sc, JobSpecParser.resolve(model, null),
          data.options(), data.table(), options, JobSpecParser.resolve(output, null));
      Map<?, ?> importance = (Map<?, ?>) out.get("permutationImportance");
      System.out.println(Json.pretty(importance));
      System.out.println("explain.html: " + output);
    }
    return 0;
  }
}
