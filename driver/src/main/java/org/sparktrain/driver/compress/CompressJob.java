package org.sparktrain.driver.compress;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.output.AtomicFiles;
import org.sparktrain.driver.output.Json;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.output.OutputGuard;
import org.sparktrain.driver.output.RunDirectory;

/**
 * {@code sparktrain compress}: a smaller model from a trained one, written as a model folder
 * that predict, evaluate and the Spark ML model load like any other, with a summary.json of
 * what it cost: size on disk and parameters before and after, the metrics of both on the same
 * labelled data, and inference rows/s of both.
 */
public final class CompressJob {
  private static final Logger LOG = LoggerFactory.getLogger(CompressJob.class);

  /** What to do: int8 weights, or zeros for the smallest weights. */
  public enum Method {
    INT8, PRUNE;

    public static Method parse(String name) {
      try {
        return valueOf(name.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--method: '" + name + "' is not allowed (must be "
            + "int8 or prune)");
      }
    }
  }

  /**
   * @param sparsity prune: the share of weights to zero
   * @param perLayer prune: that share in every layer, instead of over all weights at once
   */
  public record Options(Method method, double sparsity, boolean perLayer) {}

  /** Measures a model on labelled data (evaluate's metrics); null when no data was given. */
  public interface Evaluation {
    Map<String, Object> metrics(String modelUri) throws IOException;
  }

  /**
   * Trains a pruned model further on Spark with its zeros held ({@code train.init} with
   * {@code keepZeros}).
   */
  public interface FineTuning {
    /** @return the fine-tuned model's folder */
    String fineTune(String prunedModelUri) throws IOException;
  }

  private CompressJob() {}

  /** Compresses the model at {@code modelUri} into the folder {@code outputUri}. */
  public static Map<String, Object> run(String modelUri, String outputUri, Options options,
      Evaluation evaluation, Configuration conf) throws IOException {
    return run(modelUri, outputUri, options, evaluation, null, conf);
  }

  /**
   * As {@link #run(String, String, Options, Evaluation, Configuration)}; a pruned model is then
   * fine-tuned by {@code fineTuning} (null for none) and the tuned one is the result.
   */
  public static Map<String, Object> run(String modelUri, String outputUri, Options options,
      Evaluation evaluation, FineTuning fineTuning, Configuration conf) throws IOException {
    if (fineTuning != null && options.method() != Method.PRUNE) {
      throw new IllegalArgumentException("--fine-tune is for --method prune: an int8 model is "
          + "for inference");
    }
    OutputGuard.refuseInside("compress", "--output", outputUri,
        List.of(new OutputGuard.Kept("the model", modelUri)), conf);
    Path output = new Path(outputUri);
    FileSystem fs = output.getFileSystem(conf);
    if (fs.exists(output) && fs.listStatus(output).length > 0) {
      throw new IllegalArgumentException("--output " + outputUri + " exists and is not empty; "
          + "compress writes a new model folder");
    }
    ModelBundle original = ModelBundle.load(modelUri, conf);
    Path originalFile = ModelBundle.networkFile(modelUri, conf);
    long params = original.network().numParams();
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("method", options.method().name().toLowerCase(Locale.ROOT));
    summary.put("model", original.modelName());
    summary.put("from", modelUri);
    summary.put("parameters", params);

    // A second copy to change: the original stays as loaded, for its own measurements.
    ModelBundle compressed = ModelBundle.load(modelUri, conf);
    Path written;
    if (options.method() == Method.INT8) {
      written = compressed.save(outputUri, conf, ModelBundle.NetworkFormat.INT8);
      summary.put("dequantizedOnLoad", "DL4J has no int8 kernels on the CPU: predict, evaluate "
          + "and the Spark ML model dequantize the weights to float on load, so inference runs "
          + "at float speed with the quantized weights' outputs");
    } else {
      MagnitudePruning.Result pruned = MagnitudePruning.prune(compressed.network(),
          options.sparsity(), options.perLayer());
      written = compressed.save(outputUri, conf, ModelBundle.NetworkFormat.INFERENCE);
      if (fineTuning != null) {
        if (evaluation != null) {
          summary.put("beforeFineTuning", scalars(evaluation.metrics(outputUri)));
        }
        String tuned = fineTuning.fineTune(outputUri);
        ModelBundle.load(tuned, conf).save(outputUri, conf, ModelBundle.NetworkFormat.INFERENCE);
        summary.put("fineTunedIn", tuned);
      }
      Map<String, Object> pruning = new LinkedHashMap<>();
      pruning.put("target", options.sparsity());
      pruning.put("scope", options.perLayer() ? "perLayer" : "global");
      pruning.put("weights", pruned.weights());
      pruning.put("zeroed", pruned.zeroed());
      pruning.put("sparsity", pruned.sparsity());
      pruning.put("sparsityByLayer", pruned.sparsityByLayer());
      summary.put("pruning", pruning);
      summary.put("nonZeroParameters", params - pruned.zeroed());
    }
    ModelBundle reloaded = ModelBundle.load(outputUri, conf);

    Map<String, Object> size = new LinkedHashMap<>();
    long before = fs.getFileStatus(originalFile).getLen();
    long after = fs.getFileStatus(written).getLen();
    size.put("beforeBytes", before);
    size.put("beforeFile", originalFile.getName() + (originalFile.getName().equals("model.zip")
        ? " (with the optimizer state, as training saves it)" : ""));
    size.put("afterBytes", after);
    size.put("afterFile", written.getName());
    size.put("ratio", (double) after / before);
    // The fair baseline for inference: the float parameters alone.
    size.put("floatParameterBytes", params * Float.BYTES);
    size.put("ratioToFloatParameters", (double) after / (params * Float.BYTES));
    summary.put("size", size);

    if (evaluation != null) {
      Map<String, Object> metricsBefore = scalars(evaluation.metrics(modelUri));
      Map<String, Object> metricsAfter = scalars(evaluation.metrics(outputUri));
      summary.put("before", metricsBefore);
      summary.put("after", metricsAfter);
      summary.put("change", change(metricsBefore, metricsAfter));
    } else {
      summary.put("before", null);
      summary.put("after", null);
      summary.put("change", "not measured: no labelled data given (--data, --table or --query)");
    }
    if (original.tokenizerJson() == null) {
      Map<String, Object> speed = new LinkedHashMap<>();
      speed.put("batch", InferenceSpeed.BATCH);
      speed.put("before", InferenceSpeed.rowsPerSecond(original.network(),
          original.numFeatures()));
      speed.put("after", InferenceSpeed.rowsPerSecond(reloaded.network(),
          reloaded.numFeatures()));
      summary.put("inferenceRowsPerSec", speed);
    }
    Path summaryFile = new Path(output, RunDirectory.SUMMARY);
    byte[] json = Json.pretty(summary).getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(fs, summaryFile, out -> out.write(json));
    LOG.info("compressed model: {}", output);
    return summary;
  }

  /** The metrics that are numbers (not per-class tables or the confusion matrix). */
  private static Map<String, Object> scalars(Map<String, Object> metrics) {
    Map<String, Object> out = new LinkedHashMap<>();
    metrics.forEach((k, v) -> {
      if (v instanceof Number) {
        out.put(k, v);
      }
    });
    return out;
  }

  /** after - before for every metric both have (counts of records aside). */
  private static Map<String, Double> change(Map<String, Object> before,
      Map<String, Object> after) {
    Map<String, Double> delta = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : before.entrySet()) {
      if (e.getValue() instanceof Number b && after.get(e.getKey()) instanceof Number a
          && !e.getKey().equals("examples") && !e.getKey().equals("recordsRead")) {
        delta.put(e.getKey(), a.doubleValue() - b.doubleValue());
      }
    }
    return delta;
  }
}
