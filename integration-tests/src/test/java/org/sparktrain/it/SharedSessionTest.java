package org.sparktrain.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.SparkConf;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.driver.cluster.SparkSetup;
import org.sparktrain.ml.SparktrainClassifier;

/**
 * sparktrain in a user's own session, built as the README says (SparkSetup.conf): Spark ML's
 * own estimators, a saved StandardScaler pipeline loaded back, and a streaming query to the
 * memory sink work beside a sparktrain fit. With spark.kryo.registrationRequired forced on, as
 * SparkSetup.conf did, each of them failed with "Class is not registered".
 */
class SharedSessionTest {
  @TempDir
  Path dir;

  @Test
  void sparkMlsOwnWorkRunsBesideASparktrainFit() throws Exception {
    SparkSession spark = SparkSession.builder()
        .config(SparkSetup.conf("local[2]", "shared-session", new SparkConf())).getOrCreate();
    try {
      assertThat(spark.conf().get("spark.kryo.registrationRequired", "false"))
          .isEqualTo("false");
      Dataset<Row> data = new VectorAssembler().setInputCols(new String[] {"a", "b"})
          .setOutputCol("features").transform(table(spark));

      double sparktrainAccuracy = accuracy(new SparktrainClassifier().setHidden(8)
          .setEpochs(5).setLearningRate(0.02).fit(data).transform(data));
      assertThat(sparktrainAccuracy).isGreaterThan(0.8);

      assertThat(accuracy(new LogisticRegression().fit(data).transform(data)))
          .isGreaterThan(0.8);
      assertThat(accuracy(new RandomForestClassifier().setNumTrees(5).fit(data)
          .transform(data))).isGreaterThan(0.8);
      assertThat(new LinearRegression().setLabelCol("y").fit(data).summary().r2())
          .isGreaterThan(0.5);

      PipelineModel scaler = new Pipeline().setStages(new PipelineStage[] {
          new StandardScaler().setInputCol("features").setOutputCol("scaled")}).fit(data);
      String saved = dir.resolve("scaler").toString();
      scaler.save(saved);
      assertThat(PipelineModel.load(saved).transform(data).count()).isEqualTo(data.count());

      // Structured Streaming through a file source: public API on both Spark lines (the
      // in-memory test source moved between packages in Spark 4).
      Path streamIn = Files.createDirectories(dir.resolve("stream-in"));
      Files.writeString(streamIn.resolve("numbers.txt"), "1\n2\n3\n");
      StreamingQuery query = spark.readStream().text(streamIn.toString()).writeStream()
          .format("memory").queryName("numbers").start();
      query.processAllAvailable();
      query.stop();
      assertThat(spark.sql("select count(*) from numbers").first().getLong(0)).isEqualTo(3);
    } finally {
      spark.stop();
    }
  }

  private static double accuracy(Dataset<Row> predicted) {
    return predicted.filter("prediction = label").count() / (double) predicted.count();
  }

  /** Two classes split by a + b, and a regression target y = 2a - b + noise. */
  private static Dataset<Row> table(SparkSession spark) {
    Random r = new Random(3);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      double a = r.nextGaussian();
      double b = r.nextGaussian();
      rows.add(RowFactory.create(a, b, a + b > 0 ? 1.0 : 0.0,
          2 * a - b + 0.1 * r.nextGaussian()));
    }
    return spark.createDataFrame(rows, DataTypes.createStructType(List.of(
        DataTypes.createStructField("a", DataTypes.DoubleType, false),
        DataTypes.createStructField("b", DataTypes.DoubleType, false),
        DataTypes.createStructField("label", DataTypes.DoubleType, false),
        DataTypes.createStructField("y", DataTypes.DoubleType, false))));
  }
}
