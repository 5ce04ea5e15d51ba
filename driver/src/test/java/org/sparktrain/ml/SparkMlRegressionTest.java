package org.sparktrain.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.testing.SharedSpark;

/** sparktrain as a Spark ML regressor: fit, evaluate, save and load, tune. */
class SparkMlRegressionTest {
  private final SparkSession spark = SparkSession.builder()
      .sparkContext(SharedSpark.context().sc()).getOrCreate();
  @TempDir
  Path dir;

  /** y = 3 x1 - 2 x2 + 1 + a little noise. */
  private Dataset<Row> linear(int rows, long seed) {
    Random r = new Random(seed);
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      double x1 = r.nextGaussian();
      double x2 = r.nextGaussian();
      out.add(RowFactory.create(x1, x2, 3 * x1 - 2 * x2 + 1 + 0.05 * r.nextGaussian()));
    }
    return spark.createDataFrame(out, DataTypes.createStructType(List.of(
        DataTypes.createStructField("x1", DataTypes.DoubleType, false),
        DataTypes.createStructField("x2", DataTypes.DoubleType, false),
        DataTypes.createStructField("label", DataTypes.DoubleType, false))));
  }

  private static Pipeline pipeline(SparktrainRegressor regressor) {
    return new Pipeline().setStages(new PipelineStage[] {
        new VectorAssembler().setInputCols(new String[] {"x1", "x2"}).setOutputCol("features"),
        regressor});
  }

  @Test
  void aPipelineFitsEvaluatesSavesAndLoads() throws Exception {
    Dataset<Row> data = linear(400, 1);
    PipelineModel fitted = pipeline(new SparktrainRegressor().setHidden(16).setEpochs(20)
        .setBatchSize(16).setLearningRate(0.01)).fit(data);
    Dataset<Row> scored = fitted.transform(data);
    double r2 = new RegressionEvaluator().setMetricName("r2").evaluate(scored);
    assertThat(r2).isGreaterThan(0.95);

    String path = dir.resolve("pipeline").toString();
    fitted.save(path);
    PipelineModel loaded = PipelineModel.load(path);
    List<Row> before = scored.select("features", "prediction").collectAsList();
    List<Row> after = loaded.transform(data).select("prediction").collectAsList();
    SparktrainRegressionModel model = (SparktrainRegressionModel) loaded.stages()[1];
    for (int i = 0; i < before.size(); i++) {
      assertThat(after.get(i).getDouble(0)).isEqualTo(before.get(i).getDouble(1));
      if (i % 41 == 0) {
        // The minibatched transform equals the one-row prediction.
        assertThat(model.predict((Vector) before.get(i).get(0)))
            .isCloseTo(before.get(i).getDouble(1), within(1e-5));
      }
    }
    assertThat(model.numFeatures()).isEqualTo(2);
    assertThat(model.getOrDefault(model.featuresCol())).isEqualTo("features");

    assertThatThrownBy(() -> SparktrainClassificationModel.fromModel(
        dir.resolve("pipeline/stages/1_" + model.uid() + "/data").toString()))
        .hasMessageContaining("is a regression model; use SparktrainRegressionModel.fromModel");
    assertThat(SparktrainRegressionModel.fromModel(dir.resolve("pipeline/stages/1_"
        + model.uid() + "/data").toString()).predict((Vector) before.get(0).get(0)))
        .isCloseTo(before.get(0).getDouble(1), within(1e-5));
  }

  @Test
  void crossValidatorTunesTheLearningRate() {
    Dataset<Row> data = linear(240, 2);
    SparktrainRegressor regressor = new SparktrainRegressor().setHidden(8).setEpochs(4)
        .setBatchSize(16);
    ParamMap[] grid = new ParamGridBuilder()
        .addGrid(regressor.learningRate(), new double[] {1e-5, 0.02}).build();
    CrossValidatorModel cv = new CrossValidator().setEstimator(pipeline(regressor))
        .setEstimatorParamMaps(grid).setEvaluator(new RegressionEvaluator())
        .setNumFolds(2).setSeed(3).fit(data);
    double[] rmse = cv.avgMetrics();
    assertThat(rmse).hasSize(2);
    // The tiny rate barely moves from the initialization: the larger one wins.
    assertThat(rmse[1]).isLessThan(rmse[0]);
    SparktrainRegressionModel best = (SparktrainRegressionModel)
        ((PipelineModel) cv.bestModel()).stages()[1];
    assertThat(best.parent()).isInstanceOf(SparktrainRegressor.class);
    assertThat(((SparktrainRegressor) best.parent()).getOrDefault(regressor.learningRate()))
        .isEqualTo(0.02);
  }
}
