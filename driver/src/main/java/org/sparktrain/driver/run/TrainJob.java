package org.sparktrain.driver.run;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.data.DataPreparation;
import org.sparktrain.driver.data.PreparedData;
import org.sparktrain.driver.output.Json;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.output.RunDirectory;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.SpecYaml;
import org.sparktrain.driver.train.RoundMetrics;
import org.sparktrain.driver.train.TrainedModel;
import org.sparktrain.driver.train.TrainingLoop;
import org.sparktrain.worker.eval.EvalResult;

/**
 * One training run, top to bottom: log the spec, prepare data, train, test, write the run
 * directory (spec.yaml, metrics.jsonl, model/, summary.json).
 */
public final class TrainJob {
  private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

  /** What a run produced. */
  public record Result(Map<String, Object> summary, TrainedModel model, EvalResult test,
      ModelBundle bundle) {}

  private TrainJob() {}

  public static Result run(JavaSparkContext sc, JobSpec spec, boolean onTerminal)
      throws IOException {
    long start = System.nanoTime();
    String specYaml = SpecYaml.write(spec);
    LOG.info("resolved job spec:\n{}", specYaml);
    try (RunDirectory runDir = new RunDirectory(spec.output().dir(), sc.hadoopConfiguration())) {
      runDir.writeText(RunDirectory.SPEC, specYaml);
      PreparedData data = DataPreparation.prepare(sc, spec, DataPreparation.Selection.SPEC_SPLIT);
      try {
        TrainingLoop loop = new TrainingLoop(sc, spec, data);
        TrainedModel model = loop.run(new ProgressReporter(runDir, spec.train().epochs(),
            onTerminal));
        EvalResult test = loop.evaluate(data.test(), model.network().params().toFloatVector());
        ModelBundle bundle = new ModelBundle(model.network(), data.normalizer(),
            spec.model().name(), spec.model().classification(), spec.data().numClasses());
        bundle.save(runDir.modelUri(), sc.hadoopConfiguration());
        Map<String, Object> summary = summary(spec, data, model, test,
            (System.nanoTime() - start) / 1e9);
        runDir.writeText(RunDirectory.SUMMARY, Json.pretty(summary));
        LOG.info("run directory: {}", runDir.uri());
        return new Result(summary, model, test, bundle);
      } finally {
        data.release();
      }
    }
  }

  static Map<String, Object> summary(JobSpec spec, PreparedData data, TrainedModel model,
      EvalResult test, double wallSeconds) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("model", spec.model().name());
    s.put("test", test.count() > 0 ? Summaries.metrics(test) : Map.of("examples", 0));
    List<RoundMetrics> history = model.history();
    for (int i = history.size() - 1; i >= 0; i--) {
      if (history.get(i).validation() != null) {
        s.put("validation", history.get(i).validation());
        break;
      }
    }
    Map<String, Object> throughput = new LinkedHashMap<>();
    throughput.put("examplesPerSec", model.examplesPerSec());
    throughput.put("rounds", history.size());
    throughput.put("meanComputeMs", history.stream().mapToDouble(RoundMetrics::computeMs)
        .average().orElse(0));
    throughput.put("meanSyncMs", history.stream().mapToDouble(RoundMetrics::syncMs)
        .average().orElse(0));
    throughput.put("bytesMoved", history.stream().mapToLong(RoundMetrics::bytesMoved).sum());
    s.put("throughput", throughput);
    s.put("finalTrainLoss", history.isEmpty() ? Double.NaN
        : history.get(history.size() - 1).loss());
    s.put("records", data.counts().toMap());
    s.put("trainSeconds", model.trainSeconds());
    s.put("wallTimeSeconds", wallSeconds);
    return s;
  }
}
