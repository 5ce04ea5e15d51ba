package org.sparktrain.driver.train;

import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.sparktrain.driver.train.sync.SyncStrategy;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.eval.EvalResult;

/**
 * What trains and judges the stretches a {@link TrainingLoop} cuts: {@link SparkEngine} in a
 * run; a test drives the loop with a small one of its own, without Spark.
 */
interface TrainingEngine {
  /** The strategy that trains with the spec's learning rate times {@code learningRateScale}. */
  SyncStrategy strategy(double learningRateScale);

  /** Why the run synchronizes the way it does, for the log. */
  String syncReason();

  /** The validation metrics of these parameters. */
  Map<String, Double> validate(float[] params);

  /** The evaluation of these parameters on {@code blocks} (a test split). */
  EvalResult evaluate(JavaRDD<ExampleBlock> blocks, float[] params);

  /** Drops what the engine cached beyond the prepared data (which its owner releases). */
  void release();
}
