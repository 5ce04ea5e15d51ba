package org.sparktrain.driver.run;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.data.DataPreparation;
import org.sparktrain.driver.data.PreparedData;
import org.sparktrain.driver.output.Json;
import org.sparktrain.driver.output.RunDirectory;
import org.sparktrain.driver.privacy.PrivateRun;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.SpecYaml;
import org.sparktrain.driver.train.TrainedModel;
import org.sparktrain.driver.train.TrainingLoop;
import org.sparktrain.worker.eval.EvalResult;

/**
 * k-fold cross-validation: every kept record falls in one fold by a seeded hash of its position;
 * each fold is tested once on a model trained from scratch on the other k-1 folds. The spec's
 * split fractions are ignored here.
 */
public final class CrossValidation {
  private static final Logger LOG = LoggerFactory.getLogger(CrossValidation.class);

  private CrossValidation() {}

  public static Map<String, Object> run(JavaSparkContext sc, JobSpec spec, int folds)
      throws IOException {
    if (folds < 2) {
      throw new IllegalArgumentException("--folds must be >= 2, got " + folds);
    }
    List<Map<String, Double>> perFold = new ArrayList<>();
    List<PrivateRun> privateFolds = new ArrayList<>();
    List<Long> privateSteps = new ArrayList<>();
    for (int fold = 0; fold < folds; fold++) {
      PreparedData data = DataPreparation.prepare(sc, spec,
          new DataPreparation.Selection(fold, folds));
      TrainingLoop loop = null;
      try {
        loop = new TrainingLoop(sc, spec, data);
        TrainedModel model = loop.run((m, s) -> { });
        EvalResult result = loop.evaluate(data.test(),
            model.params());
        perFold.add(result.scalars());
        if (loop.privateRun() != null) {
          privateFolds.add(loop.privateRun());
          privateSteps.add(model.finalProgress().snapshot().iteration());
        }
        LOG.info("fold {}/{}: {}", fold + 1, folds, result.scalars());
      } finally {
        if (loop != null) {
          loop.release();
        }
        data.release();
      }
    }
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("folds", folds);
    summary.put("perFold", perFold);
    Map<String, Map<String, Double>> stats = new LinkedHashMap<>();
    for (String metric : perFold.get(0).keySet()) {
      double[] values = perFold.stream().mapToDouble(m -> m.get(metric)).toArray();
      double mean = Arrays.stream(values).average().orElse(Double.NaN);
      double var = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum()
          / Math.max(1, values.length - 1);
      stats.put(metric, Map.of("mean", mean, "std", Math.sqrt(var)));
    }
    summary.put("metrics", stats);
    if (!privateFolds.isEmpty()) {
      summary.put("privacy", PrivateRun.composeFolds(privateFolds, privateSteps));
    }
    try (RunDirectory runDir = new RunDirectory(spec.output().dir(), sc.hadoopConfiguration())) {
      // The spec beside the results, so `compare` can line a crossval up with other runs.
      runDir.writeText(RunDirectory.SPEC, SpecYaml.write(spec));
      runDir.writeText(ComparedRun.CROSSVAL, Json.pretty(summary));
    }
    return summary;
  }
}
