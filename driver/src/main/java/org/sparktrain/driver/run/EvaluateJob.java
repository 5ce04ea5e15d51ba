package org.sparktrain.driver.run;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.data.DataPreparation;
import org.sparktrain.driver.data.DatasetReader;
import org.sparktrain.driver.data.TableEncoding;
import org.sparktrain.driver.data.TableReader;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.train.DistributedEvaluator;
import org.sparktrain.worker.data.DropReason;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.data.LabelRule;
import org.sparktrain.worker.data.ParsedRecord;
import org.sparktrain.worker.eval.EvalResult;
import org.sparktrain.worker.train.NativeArrays;

/** Evaluates a saved model on a labelled data set, distributed, with the model's normalizer. */
public final class EvaluateJob {
  private EvaluateJob() {}

  /** Where the labelled data is and how to read it. */
  public record DataOptions(String uri, JobSpec.Format format, String labelsUri, int labelColumn,
      boolean header, int partitions) {}

  public static Map<String, Object> run(JavaSparkContext sc, String modelUri, DataOptions opts)
      throws IOException {
    return run(sc, modelUri, opts, null);
  }

  /**
   * @param table a table to evaluate on (format, table or query; the label column and the
   *     features are the model's), or null for {@code opts}' files of numbers
   */
  public static Map<String, Object> run(JavaSparkContext sc, String modelUri, DataOptions opts,
      JobSpec.Table table) throws IOException {
    ModelBundle bundle = ModelBundle.load(modelUri, sc.hadoopConfiguration())
        .requireNumericInput("evaluate");
    try (Labelled data = open(sc, modelUri, bundle, opts, table, "evaluate")) {
      Map<String, Object> out = evaluate(sc, modelUri, opts, bundle, data.source());
      if (data.encoding() != null && data.encoding().labelClasses() != null) {
        out.put("classes", data.encoding().labelClasses());
      }
      return out;
    }
  }

  /**
   * Labelled rows for a model, read as the model needs them.
   *
   * @param encoding a table model's column encoding, else null
   */
  public record Labelled(DatasetReader.Source source, TableEncoding encoding,
      TableReader.Input input) implements AutoCloseable {
    @Override
    public void close() {
      if (input != null) {
        input.release();
      }
    }
  }

  /**
   * Reads labelled rows for {@code bundle}: a table model's from {@code table} with its saved
   * encoding, any other's from files of numbers; the wrong kind of input is refused, saying
   * how to read it ({@code command} names who asks).
   */
  public static Labelled open(JavaSparkContext sc, String modelUri, ModelBundle bundle,
      DataOptions opts, JobSpec.Table table, String command) throws IOException {
    LabelRule rule = bundle.classification()
        ? LabelRule.classes(bundle.numClasses()) : LabelRule.regression();
    if (table != null) {
      if (bundle.tableEncodingJson() == null) {
        throw new IllegalArgumentException(command + ": the model at " + modelUri + " was "
            + "trained on numeric CSV, IDX or LibSVM rows, not a table; read its data as such "
            + "files");
      }
      TableEncoding encoding = TableEncoding.fromJson(bundle.tableEncodingJson());
      TableReader.Input input = TableReader.read(sc, table, opts.uri(), encoding.labelColumn(),
          encoding.featureColumns());
      return new Labelled(input.encode(encoding, encoding.labelClasses() != null
          ? LabelRule.regression() : rule), encoding, input);
    }
    if (bundle.tableEncodingJson() != null) {
      throw new IllegalArgumentException(command + ": the model at " + modelUri + " was "
          + "trained on a table; read its data with Spark: --format parquet|orc|json|..., "
          + "or csv with reader options (--option header=true), or --table / --query");
    }
    JobSpec.Data data = new JobSpec.Data(opts.uri(), opts.format(), opts.labelColumn(),
        opts.header(), bundle.numClasses(), bundle.numFeatures(), opts.labelsUri(), null,
        null, 1, 0, 0, null, null);
    return new Labelled(DatasetReader.read(sc, data, opts.uri(), opts.labelsUri(), rule), null,
        null);
  }

  private static Map<String, Object> evaluate(JavaSparkContext sc, String modelUri,
      DataOptions opts, ModelBundle bundle, DatasetReader.Source source) throws IOException {
    if (source.numFeatures() != bundle.numFeatures()) {
      throw new IOException(opts.uri() + " has " + source.numFeatures() + " features, but the "
          + "model at " + modelUri + " expects " + bundle.numFeatures());
    }
    long[] counts = DataPreparation.checkBadRecords(source, JobSpec.BadRecordPolicy.DROP);
    JavaRDD<ExampleBlock> blocks = DataPreparation.shard(source.records().filter(ParsedRecord::isOk),
        opts.partitions(), bundle.normalizer(), 1024);
    try {
      EvalResult result = DistributedEvaluator.evaluate(sc, blocks,
          NativeArrays.toFloats(bundle.network().params()),
          bundle.network().config().toJson(), bundle.classification(),
          bundle.numClasses(), 0);
      Map<String, Object> out = new LinkedHashMap<>(Summaries.metrics(result));
      Map<String, Long> dropped = new LinkedHashMap<>();
      for (DropReason r : DropReason.values()) {
        dropped.put(r.key(), counts[r.ordinal()]);
      }
      out.put("recordsRead", counts[DropReason.values().length]);
      out.put("droppedByReason", dropped);
      return out;
    } finally {
      blocks.unpersist(false);
    }
  }
}
