package org.sparktrain.ml;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.run.FrameTrainJob;

/**
 * What {@link SparktrainClassifier} and {@link SparktrainRegressor} do alike in {@code fit}.
 * (They cannot share a base class: Spark ML's classifier and regressor bases differ.)
 */
final class EstimatorFit {
  private EstimatorFit() {}

  /** Refuses the dataset's session unless it has sparktrain's Spark settings; see why there. */
  static void requireSparktrainSettings(Dataset<?> dataset, String estimator) {
    SparktrainParams.requireSparktrainSettings(
        JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext()), estimator);
  }

  /**
   * Trains on the features and label columns (the label as double) by the same engine as
   * {@code sparktrain train}, in the estimator's run directory or a temporary one.
   *
   * @param numClasses the classes of a classifier; null for a regressor
   * @param what who trains, for the view's name and error messages
   */
  static ModelBundle train(SparktrainParams<?> estimator, Dataset<?> dataset, String featuresCol,
      String labelCol, Integer numClasses, String what) {
    Dataset<Row> frame = dataset.select(functions.col(featuresCol),
        functions.col(labelCol).cast("double"));
    String directory = estimator.getOrDefault(estimator.runDir());
    return FrameTrainJob.run(frame, directory.isEmpty() ? null : directory, what,
        (view, scratch, dir) -> estimator.spec(view, featuresCol, labelCol, numClasses, dir))
        .bundle();
  }
}
