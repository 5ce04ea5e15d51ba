package org.sparktrain.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.SparkConf;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.sparktrain.driver.cluster.SparkSetup;
import org.sparktrain.ml.SparktrainClassifier;

/**
 * One side of the Pipeline round trip, in its own JVM: {@code fit DIR} fits a pipeline with
 * sparktrain, saves it to DIR/pipeline and writes its predictions to DIR/fitted.txt; {@code load
 * DIR} loads DIR/pipeline in a fresh JVM and writes its predictions to DIR/loaded.txt.
 */
public final class PipelineRoundTripMain {
  private PipelineRoundTripMain() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[1]);
    SparkSession spark = SparkSession.builder()
        .config(SparkSetup.conf("local[2]", "pipeline-" + args[0], new SparkConf()))
        .getOrCreate();
    try {
      Dataset<Row> data = penguins(spark);
      PipelineModel model;
      if (args[0].equals("fit")) {
        model = new Pipeline().setStages(new PipelineStage[] {
            new StringIndexer().setInputCol("species").setOutputCol("label"),
            new VectorAssembler().setInputCols(new String[] {"bill", "flipper"})
                .setOutputCol("features"),
            new SparktrainClassifier().setHidden(8).setEpochs(5).setLearningRate(0.02)})
            .fit(data);
        model.save(dir.resolve("pipeline").toString());
      } else {
        model = PipelineModel.load(dir.resolve("pipeline").toString());
      }
      List<String> lines = new ArrayList<>();
      for (Row r : model.transform(data).select("probability", "prediction").collectAsList()) {
        // Doubles printed in full (Double.toString round-trips), so equal text is equal bits.
        lines.add(Arrays.toString(((Vector) r.get(0)).toArray()) + " "
            + r.getDouble(1));
      }
      Files.write(dir.resolve(args[0].equals("fit") ? "fitted.txt" : "loaded.txt"), lines,
          StandardCharsets.UTF_8);
    } finally {
      spark.stop();
    }
    System.exit(0);
  }

  private static Dataset<Row> penguins(SparkSession spark) {
    Random r = new Random(9);
    String[] species = {"Adelie", "Gentoo", "Chinstrap"};
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      int s = r.nextInt(3);
      rows.add(RowFactory.create(species[s], 39 + 5 * s + r.nextGaussian(),
          190 + 12 * s + 3 * r.nextGaussian()));
    }
    return spark.createDataFrame(rows, DataTypes.createStructType(List.of(
        DataTypes.createStructField("species", DataTypes.StringType, false),
        DataTypes.createStructField("bill", DataTypes.DoubleType, false),
        DataTypes.createStructField("flipper", DataTypes.DoubleType, false))));
  }
}
