package org.sparktrain.driver.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.output.Json;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.run.CrossValidation;
import org.sparktrain.driver.run.EvaluateJob;
import org.sparktrain.driver.run.PredictJob;
import org.sparktrain.driver.run.TablePredictJob;
import org.sparktrain.driver.run.TextGenerator;
import org.sparktrain.driver.run.TextPredictJob;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.cluster.SparkSetup;
import org.sparktrain.worker.backend.BackendException;
import org.sparktrain.worker.backend.NativeKernels;
import org.sparktrain.worker.backend.ResidentSizeCheck;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The command line, and the main class for spark-submit. Errors a user can cause print one line
 * saying what was wrong; {@code --verbose} adds the stack trace.
 */
@Command(name = "sparktrain", mixinStandardHelpOptions = true, version = "sparktrain 0.1.0",
    description = "Data-parallel neural network training on Apache Spark.",
    subcommands = {SparktrainMain.Train.class, SparktrainMain.Evaluate.class,
        SparktrainMain.Predict.class, SparktrainMain.Crossval.class,
        SparktrainMain.Generate.class, CheckpointCommands.List.class,
        CheckpointCommands.Export.class, CompareCommand.class, CompressCommand.class,
        ExplainCommand.class, PrivacyCommand.class, AuditCommand.class, SpecCommand.class})
public final class SparktrainMain {

  /** Options every Spark-using command shares. */
  static class SparkOptions {
    @Option(names = "--master", description = "Spark master URL (default: spark-submit's, "
        + "else local[*])")
    String master;

    @Option(names = "--verbose", description = "print stack traces on errors")
    boolean verbose;

    @Option(names = "--quiet", description = "no progress bar and no INFO lines: warnings, "
        + "errors and the result only")
    boolean quiet;

    @Option(names = "--log-level", paramLabel = "LEVEL", description = "sparktrain's log "
        + "level: error, warn, info (the default) or debug; Spark's stays at warn")
    String logLevel;

    /** Sets sparktrain's log level from --quiet and --log-level, before anything logs. */
    void applyLogging() {
      String level = logLevel != null ? logLevel : quiet ? "warn" : null;
      if (level == null) {
        return;
      }
      if (!List.of("error", "warn", "info", "debug").contains(level)) {
        throw new CommandLine.ParameterException(new CommandLine(new SparktrainMain()),
            "--log-level: '" + level + "' is not allowed (must be one of error, warn, info, "
                + "debug)");
      }
      Configurator.setLevel("org.sparktrain",
          Level.valueOf(level));
    }

    /** A progress bar on a terminal, unless --quiet. */
    boolean progressBar() {
      return !quiet && System.console() != null;
    }
  }

  /** Changes to the spec from the command line, for the commands that read one. */
  static class SpecChanges {
    @Option(names = "--set", paramLabel = "KEY.PATH=VALUE", description = "override a spec key "
        + "(repeatable), e.g. --set train.optimizer.learningRate=0.01 --set model.hidden=[64,32]; "
        + "the value is read as YAML and checked like the file's own keys")
    List<String> set = new ArrayList<>();

    @Option(names = "--output", paramLabel = "DIR", description = "the run directory "
        + "(output.dir); a path without a scheme is relative to the working directory")
    String output;

    JobSpec read(Path spec) {
      List<String> overrides = new ArrayList<>(set);
      if (output != null) {
        String dir = output.contains("://") ? output
            : Path.of(output).toAbsolutePath().normalize().toString();
        // Single-quoted YAML: taken literally, whatever the path holds.
        overrides.add("output.dir='" + dir.replace("'", "''") + "'");
      }
      return JobSpecParser.parseFile(spec, overrides);
    }
  }

  /** picocli mixin wrapper (mixins must be classes with options). */
  static final class SpecChangesMixin extends SpecChanges {}

  @Command(name = "train", mixinStandardHelpOptions = true, description = "Train a model from a job spec (YAML).")
  static final class Train implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SPEC")
    Path spec;

    @CommandLine.Mixin
    SpecChangesMixin changes;

    @Option(names = "--resume", description = "resume from the newest valid checkpoint (a run "
        + "also resumes by itself when its output.dir has checkpoints)")
    boolean resume;

    @Option(names = "--overwrite", description = "replace the outputs and checkpoints of an "
        + "earlier run in output.dir that this spec cannot resume from (refused otherwise)")
    boolean overwrite;

    @CommandLine.Mixin
    SparkOptionsMixin spark;

    @Override
    public Integer call() throws IOException {
      spark.applyLogging();
      JobSpec parsed = changes.read(spec);
      try (JavaSparkContext sc = SparkSetup.start(spark.master, "sparktrain train " + spec)) {
        TrainJob.Result result = TrainJob.run(sc, parsed,
            new TrainJob.Options(spark.progressBar(), resume, overwrite));
        printResult(result.summary());
      }
      return 0;
    }
  }

  @Command(name = "evaluate", mixinStandardHelpOptions = true, description = "Evaluate a saved model on labelled data.")
  static final class Evaluate implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a run's model folder")
    String model;

    @CommandLine.Mixin
    LabelledData data;

    @CommandLine.Mixin
    SparkOptionsMixin spark;

    @Override
    public Integer call() throws IOException {
      spark.applyLogging();
      data.requireOne(this, "evaluate");
      try (JavaSparkContext sc = SparkSetup.start(spark.master, "sparktrain evaluate")) {
        System.out.println(Json.pretty(data.evaluate(sc, model)));
      }
      return 0;
    }
  }

  @Command(name = "predict", mixinStandardHelpOptions = true, description = "Predict for CSV feature rows (on this JVM), or for every row of a table (on the executors); one output row each.")
  static final class Predict implements Callable<Integer> {
    @Option(names = "--model", required = true)
    String model;

    @Option(names = "--input", description = "CSV of feature rows, or files of --format")
    String input;

    @Option(names = "--output", required = true, description = "CSV to write (table input: a "
        + "folder of --output-format)")
    String output;

    @CommandLine.Mixin
    TableSourceOptions source;

    @Option(names = "--output-format", defaultValue = "parquet", description = "table input: "
        + "parquet, csv, orc or json")
    String outputFormat;

    @Option(names = "--text-column", description = "a text model (gpt, bert-classifier): the "
        + "column holding the texts")
    String textColumn;

    @Option(names = "--master", description = "Spark master URL for table input (default: "
        + "spark-submit's, else local[*])")
    String master;

    @Option(names = "--label-column", description = "ignore this column (input with labels)")
    Integer labelColumn;

    @Option(names = "--header")
    boolean header;

    @Option(names = "--overwrite", description = "replace --output if it exists")
    boolean overwrite;

    @Option(names = "--verbose")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
      // predict reads numbers itself from CSV only; anything else is Spark's to read.
      if (source.readsTable(textColumn != null || !source.format.equalsIgnoreCase("csv"))) {
        return predictTable();
      }
      if (input == null) {
        throw new CommandLine.ParameterException(new CommandLine(this), "predict: --input is "
            + "required (or --table / --query for a table model)");
      }
      long rows = PredictJob.run(model, input, output, labelColumn, header, overwrite,
          new Configuration());
      System.out.println("wrote " + rows + " predictions to " + output);
      return 0;
    }

    private int predictTable() throws IOException {
      source.requireOneInput(this, "predict", input, "--input");
      if (header || labelColumn != null) {
        throw new CommandLine.ParameterException(new CommandLine(this), "predict: --header and "
            + "--label-column are for CSV rows of numbers; Spark's reader takes --option "
            + "header=true, and a table's label column is left out by itself");
      }
      JobSpec.Table table = source.source(input);
      String uri = TableSourceOptions.uriOf(input);
      try (JavaSparkContext sc = SparkSetup.start(master, "sparktrain predict")) {
        long rows = textColumn != null
            ? TextPredictJob.run(sc, model, table, uri, textColumn, output, outputFormat,
                overwrite)
            : TablePredictJob.run(sc, model, table, uri, output, outputFormat, overwrite);
        System.out.println("wrote " + rows + " predictions to " + output);
      }
      return 0;
    }
  }

  @Command(name = "generate", mixinStandardHelpOptions = true, description = "Sample text from a trained language model (gpt).")
  static final class Generate implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a run's model folder")
    String model;

    @Option(names = "--prompt", defaultValue = "", description = "text to continue")
    String prompt;

    @Option(names = "--tokens", defaultValue = "200", description = "tokens to generate")
    int tokens;

    @Option(names = "--temperature", defaultValue = "0.8",
        description = "below 1: more likely tokens; above 1: more varied")
    double temperature;

    @Option(names = "--top-k", defaultValue = "40", description = "sample among the k most "
        + "probable tokens; 0 = all")
    int topK;

    @Option(names = "--seed", defaultValue = "42")
    long seed;

    @Option(names = "--verbose", description = "print stack traces on errors")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
      ModelBundle bundle = ModelBundle.load(model, new Configuration());
      System.out.println(new TextGenerator(bundle).generate(prompt, tokens, temperature, topK,
          seed));
      return 0;
    }
  }

  @Command(name = "crossval", mixinStandardHelpOptions = true, description = "k-fold cross-validation of a job spec.")
  static final class Crossval implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SPEC")
    Path spec;

    @Option(names = "--folds", defaultValue = "5")
    int folds;

    @CommandLine.Mixin
    SpecChangesMixin changes;

    @CommandLine.Mixin
    SparkOptionsMixin spark;

    @Override
    public Integer call() throws IOException {
      spark.applyLogging();
      JobSpec parsed = changes.read(spec);
      try (JavaSparkContext sc = SparkSetup.start(spark.master, "sparktrain crossval " + spec)) {
        Map<String, Object> summary = CrossValidation.run(sc, parsed, folds);
        System.out.println(Json.pretty(summary.get("metrics")));
      }
      return 0;
    }
  }

  /** picocli mixin wrapper (mixins must be classes with options). */
  static final class SparkOptionsMixin extends SparkOptions {}

  /**
   * Labelled data to measure a model on, as evaluate reads it: files of numbers (--data with
   * --format csv|idx|libsvm) or, for a table model, any source Spark reads.
   */
  static final class LabelledData {
    @Option(names = "--data", description = "labelled data URI")
    String data;

    @CommandLine.Mixin
    TableSourceOptions source;

    @Option(names = "--labels", description = "IDX label file")
    String labels;

    @Option(names = "--label-column", defaultValue = "-1")
    int labelColumn;

    @Option(names = "--header", description = "skip the first line of each CSV file")
    boolean header;

    @Option(names = "--partitions", defaultValue = "2")
    int partitions;

    boolean given() {
      return data != null || source.table != null || source.query != null;
    }

    void requireOne(Object command, String name) {
      source.requireOneInput(command, name, data, "--data");
    }

    /** EvaluateJob's metrics of the model on this data. */
    Map<String, Object> evaluate(JavaSparkContext sc, String model) throws IOException {
      return EvaluateJob.run(sc, model, options(), table());
    }

    /** Where the rows are and how to read them. */
    EvaluateJob.DataOptions options() {
      boolean table = source.readsTable(false);
      JobSpec.Format f = table ? JobSpec.Format.TABLE : parseFormat(source.format);
      return new EvaluateJob.DataOptions(table ? TableSourceOptions.uriOf(data) : data, f,
          labels, labelColumn, header, partitions);
    }

    /** The table source, for a table model's data; else null. */
    JobSpec.Table table() {
      return source.readsTable(false) ? source.source(data) : null;
    }
  }

  /**
   * Where evaluate's and predict's rows come from when a table model reads them: files of a
   * format Spark reads, a catalog table or a query (the spec's data section, on the command
   * line).
   */
  static final class TableSourceOptions {
    private static final Set<String> NUMBER_FILES = Set.of("csv", "idx",
        "libsvm");

    @Option(names = "--format", defaultValue = "csv", description = "csv, idx, libsvm (files "
        + "of numbers) or a format Spark reads (parquet, orc, json, ...: a table model)")
    String format;

    @Option(names = "--table", description = "a catalog table (a table model)")
    String table;

    @Option(names = "--query", description = "a Spark SQL query (a table model)")
    String query;

    @Option(names = "--option", paramLabel = "KEY=VALUE", description = "a reader option of "
        + "--format (repeatable), e.g. header=true; csv with options is read by Spark")
    Map<String, String> options = new LinkedHashMap<>();

    /** Whether Spark SQL reads the rows: a table, a query, reader options, or {@code also}. */
    boolean readsTable(boolean also) {
      return also || table != null || query != null || !options.isEmpty()
          || !NUMBER_FILES.contains(format.toLowerCase(Locale.ROOT));
    }

    /** The spec's table source for these options and the files (or null). */
    JobSpec.Table source(String files) {
      return new JobSpec.Table(files == null ? null : format.toLowerCase(Locale.ROOT),
          options, table, query, List.of(), null, null, 0);
    }

    /** Exactly one of the files ({@code filesFlag}), a table or a query. */
    void requireOneInput(Object command, String name, String files, String filesFlag) {
      if ((table != null ? 1 : 0) + (query != null ? 1 : 0) + (files != null ? 1 : 0) != 1) {
        throw new CommandLine.ParameterException(new CommandLine(command), name + ": give "
            + "exactly one of " + filesFlag + ", --table or --query");
      }
    }

    /** A path as a URI (relative to the working directory), a URI as it is; null stays null. */
    static String uriOf(String path) {
      return path == null ? null : JobSpecParser.resolve(path, null);
    }
  }

  static JobSpec.Format parseFormat(String format) {
    try {
      return JobSpec.Format.valueOf(format.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(new CommandLine(new SparktrainMain()),
          "--format: '" + format + "' is not allowed (must be one of csv, idx, libsvm)");
    }
  }

  @SuppressWarnings("unchecked")
  static void printResult(Map<String, Object> summary) {
    Object test = summary.get("test");
    if (test instanceof Map<?, ?> t && t.get("accuracy") != null) {
      System.out.printf("test accuracy: %.4f (macro F1 %.4f, %s examples)%n",
          (Double) t.get("accuracy"), (Double) t.get("macroF1"), t.get("examples"));
    } else if (test instanceof Map<?, ?> t && t.get("mse") != null) {
      System.out.printf("test MSE %.6f, MAE %.6f, R2 %.4f%n", (Double) t.get("mse"),
          (Double) t.get("mae"), (Double) t.get("r2"));
    } else if (summary.get("validation") instanceof Map<?, ?> v && v.get("perplexity") != null) {
      System.out.printf("validation loss %.4f nats/token, perplexity %.2f%s%n",
          (Double) v.get("loss"), (Double) v.get("perplexity"), v.get("bitsPerChar") == null
              ? "" : String.format(", %.3f bits/char", (Double) v.get("bitsPerChar")));
    }
    Map<String, Object> throughput = (Map<String, Object>) summary.get("throughput");
    System.out.printf("throughput: %,.0f examples/s%n", (Double) throughput.get("examplesPerSec"));
  }

  /**
   * ND4J's CPU kernels for this JVM, from spark.sparktrain.native as spark-submit's --conf or a
   * -D option passes it, before any command can load ND4J; 2 with one line when it is wrong.
   */
  private static int chooseNativeKernels() {
    try {
      NativeKernels.chooseBeforeNd4j(null);
      return 0;
    } catch (BackendException e) {
      System.err.println("sparktrain: error: " + e.getMessage());
      return 2;
    }
  }

  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new SparktrainMain());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      boolean verbose = parseResult.originalArgs().contains("--verbose");
      VirtualMachineError resource = ResourceErrors.find(e);
      commandLine.getErr().println("sparktrain: error: " + (resource != null
          ? ResourceErrors.describe(resource, args) : ErrorMessages.describe(e)));
      if (verbose) {
        e.printStackTrace(commandLine.getErr());
      } else {
        commandLine.getErr().println("(run with --verbose for the stack trace)");
      }
      return 2;
    });
    try {
      return cli.execute(args);
    } catch (StackOverflowError | OutOfMemoryError e) {
      // picocli hands only Exceptions to the handler; these two a user's input can cause.
      return reportError(cli, args, ResourceErrors.describe(e, args), e, 2);
    } catch (Error e) {
      // Anything else (a class missing, a native library that does not load) is the
      // installation's fault, not the input's.
      return reportError(cli, args, "internal error: " + e, e, 1);
    }
  }

  private static int reportError(CommandLine cli, String[] args, String line, Error e,
      int code) {
    cli.getErr().println("sparktrain: error: " + line);
    if (List.of(args).contains("--verbose")) {
      e.printStackTrace(cli.getErr());
    } else {
      cli.getErr().println("(run with --verbose for the stack trace)");
    }
    cli.getErr().flush();
    return code;
  }

  public static void main(String[] args) {
    int code = 1;
    try {
      // Before anything loads ND4J: in local mode the workers train in this JVM.
      ResidentSizeCheck.turnOffUnlessSet();
      code = chooseNativeKernels();
      if (code == 0) {
        code = execute(args);
      }
    } finally {
      // Otherwise the JVM ends by itself when main returns, which YARN's cluster mode expects.
      // sparktrain's barrier tasks no longer start Spark 3.5's non-daemon barrier timer; should
      // something else in this JVM have started it, exit explicitly rather than hang. In a
      // finally, so that nothing thrown on the way (an Error past every handler) skips it.
      if (code != 0 || SparkSetup.barrierTimerRunsHere()) {
        JvmExit.exit(code);
      }
    }
  }
}
