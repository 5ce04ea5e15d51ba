package org.sparktrain.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.StringIndexer;
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
import org.apache.spark.sql.types.StructType;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.testing.SharedSpark;

/** sparktrain inside Spark ML: a Pipeline that fits, saves, loads, and a CrossValidator. */
class SparkMlPipelineTest {
  private final SparkSession spark = SparkSession.builder()
      .sparkContext(SharedSpark.context().sc()).getOrCreate();
  @TempDir
  Path dir;

  /** Three species told apart by bill and flipper length, as text labels. */
  private Dataset<Row> penguins(int rows, long seed) {
    Random r = new Random(seed);
    String[] species = {"Adelie", "Gentoo", "Chinstrap"};
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      int s = r.nextInt(3);
      out.add(RowFactory.create(species[s], 39 + 5 * s + r.nextGaussian(),
          190 + 12 * s + 3 * r.nextGaussian()));
    }
    StructType schema = DataTypes.createStructType(List.of(
        DataTypes.createStructField("species", DataTypes.StringType, false),
        DataTypes.createStructField("bill", DataTypes.DoubleType, false),
        DataTypes.createStructField("flipper", DataTypes.DoubleType, false)));
    return spark.createDataFrame(out, schema);
  }

  private static Pipeline pipeline(SparktrainClassifier classifier) {
    return new Pipeline().setStages(new PipelineStage[] {
        new StringIndexer().setInputCol("species").setOutputCol("label"),
        new VectorAssembler().setInputCols(new String[] {"bill", "flipper"})
            .setOutputCol("features"),
        classifier});
  }

  @Test
  void aPipelineFitsSavesLoadsAndTransformsIdentically() throws Exception {
    Dataset<Row> data = penguins(300, 1);
    PipelineModel fitted = pipeline(new SparktrainClassifier().setHidden(16).setEpochs(15)
        .setBatchSize(16).setLearningRate(0.02)).fit(data);
    Dataset<Row> scored = fitted.transform(data);
    assertThat(scored.columns()).contains("rawPrediction", "probability", "prediction");
    double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy")
        .evaluate(scored);
    assertThat(accuracy).isGreaterThan(0.9);

    String path = dir.resolve("pipeline").toString();
    fitted.save(path);
    PipelineModel loaded = PipelineModel.load(path);
    List<Row> before = scored.select("probability", "prediction").collectAsList();
    List<Row> after = loaded.transform(data).select("probability", "prediction")
        .collectAsList();
    assertThat(after).hasSize(300);
    for (int i = 0; i < before.size(); i++) {
      assertThat(((Vector) after.get(i).get(0)).toArray())
          .isEqualTo(((Vector) before.get(i).get(0)).toArray());
      assertThat(after.get(i).getDouble(1)).isEqualTo(before.get(i).getDouble(1));
    }
    SparktrainClassificationModel model = (SparktrainClassificationModel) loaded.stages()[2];
    assertThat(model.getOrDefault(model.featuresCol())).isEqualTo("features");
    assertThat(model.numClasses()).isEqualTo(3);

    // transform scores in minibatches; each row must equal the one-row prediction, and a model
    // asked for fewer columns adds only those, in Spark ML's order.
    Dataset<Row> features = new VectorAssembler().setInputCols(new String[] {"bill", "flipper"})
        .setOutputCol("features").transform(data);
    List<Row> assembled = features.select("features").collectAsList();
    for (int i = 0; i < 300; i += 37) {
      Vector one = model.predictRaw((Vector) assembled.get(i).get(0));
      double[] batched = ((Vector) before.get(i).get(0)).toArray();
      for (int k = 0; k < 3; k++) {
        assertThat(batched[k]).isCloseTo(one.apply(k), Offset.offset(1e-6));
      }
    }
    model.setRawPredictionCol("").setProbabilityCol("");
    Dataset<Row> onlyPrediction = model.transform(features);
    assertThat(onlyPrediction.columns()).doesNotContain("rawPrediction", "probability")
        .contains("prediction");
    assertThat(onlyPrediction.select("prediction").collectAsList().get(0).getDouble(0))
        .isEqualTo(before.get(0).getDouble(1));
  }

  @Test
  void crossValidatorComparesTwoLearningRatesAndPicksOne() {
    Dataset<Row> data = penguins(200, 2);
    SparktrainClassifier classifier = new SparktrainClassifier().setHidden(8).setEpochs(8)
        .setBatchSize(16);
    ParamMap[] grid = new ParamGridBuilder()
        .addGrid(classifier.learningRate(), new double[] {1e-5, 0.03}).build();
    CrossValidatorModel cv = new CrossValidator().setEstimator(pipeline(classifier))
        .setEstimatorParamMaps(grid).setNumFolds(2).setSeed(3)
        .setEvaluator(new MulticlassClassificationEvaluator().setMetricName("accuracy"))
        .fit(data);
    assertThat(cv.avgMetrics()).hasSize(2);
    // A learning rate of 1e-5 barely moves the network in 8 epochs; 0.03 learns the species.
    assertThat(cv.avgMetrics()[1]).isGreaterThan(cv.avgMetrics()[0]);
    SparktrainClassifier best = (SparktrainClassifier) ((SparktrainClassificationModel)
        ((PipelineModel) cv.bestModel()).stages()[2]).parent();
    assertThat(best.getOrDefault(best.learningRate())).isEqualTo(0.03);
  }

  @Test
  void binaryLabelsGiveAnAreaUnderTheCurve() {
    Dataset<Row> data = penguins(200, 4).filter("species != 'Chinstrap'");
    Dataset<Row> scored = pipeline(new SparktrainClassifier().setModel("logistic")
        .setEpochs(10).setLearningRate(0.5).setOptimizer("sgd")).fit(data).transform(data);
    assertThat(new BinaryClassificationEvaluator().evaluate(scored)).isGreaterThan(0.95);
  }

  @Test
  void aSpecMistakeIsTheSpecParsersMessage() {
    assertThatThrownBy(() -> pipeline(new SparktrainClassifier().setModel("resnet50"))
        .fit(penguins(20, 5)))
        .hasMessageContaining("model.name");
  }
}
