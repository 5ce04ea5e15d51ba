package org.sparktrain.driver.train;

import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.data.PreparedData;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.train.sync.Averaging;
import org.sparktrain.driver.train.sync.CollectiveSync;
import org.sparktrain.driver.train.sync.DriverSync;
import org.sparktrain.driver.train.sync.SyncChoice;
import org.sparktrain.driver.train.sync.SyncStrategy;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.eval.EvalResult;
import org.sparktrain.worker.train.TrainerSettings;

/** Trains and validates on the Spark cluster, synchronizing as {@code train.sync} resolved. */
final class SparkEngine implements TrainingEngine {
  private final JavaSparkContext sc;
  private final JobSpec spec;
  private final PreparedData data;
  /** The spec's settings: the learning rate before any rollback. */
  private final TrainerSettings settings;
  /** The shards trained on: the prepared ones, or a distilled run's with soft targets. */
  private final JavaRDD<ExampleBlock> shards;
  private final LanguageModelMetrics languageModelMetrics;
  private final Averaging averaging;
  private final SyncChoice sync;

  SparkEngine(JavaSparkContext sc, JobSpec spec, PreparedData data, TrainingSetup setup,
      SyncChoice sync) {
    this.sc = sc;
    this.spec = spec;
    this.data = data;
    this.settings = setup.settings();
    this.shards = setup.shards();
    this.languageModelMetrics = new LanguageModelMetrics(sc, spec, data, settings);
    JobSpec.Train t = spec.train();
    this.averaging = new Averaging(t.averageOptimizerState(), t.syncPrecision(), t.outer());
    this.sync = sync;
  }

  @Override
  public SyncStrategy strategy(double learningRateScale) {
    TrainerSettings trainWith =
        TrainingSetup.withLearningRateScaled(spec, data, settings, learningRateScale);
    return sync.mode() == JobSpec.SyncMode.COLLECTIVE
        ? new CollectiveSync(sc, shards, data.shardRows(), trainWith, averaging)
        : new DriverSync(sc, shards, trainWith, averaging);
  }

  @Override
  public String syncReason() {
    return sync.reason();
  }

  /**
   * The validation metrics of one round: accuracy/F1 or MSE/MAE/R² from the evaluator, or a
   * language model's (see {@link LanguageModelMetrics}).
   */
  @Override
  public Map<String, Double> validate(float[] params) {
    if (spec.model().kind().languageModel()) {
      return languageModelMetrics.validate(params);
    }
    return evaluate(data.validation(), params).scalars();
  }

  @Override
  public EvalResult evaluate(JavaRDD<ExampleBlock> blocks, float[] params) {
    if (spec.model().kind().languageModel()) {
      // Language models are judged on validation loss; a text corpus has no test split.
      return EvalResult.empty(false, 0);
    }
    return DistributedEvaluator.evaluate(sc, blocks, params, settings.configJson(),
        spec.model().kind().classification(), data.numClasses(), settings.threadsPerWorker(),
        settings.task());
  }

  @Override
  public void release() {
    if (shards != data.train()) {
      shards.unpersist(false);
    }
  }
}
