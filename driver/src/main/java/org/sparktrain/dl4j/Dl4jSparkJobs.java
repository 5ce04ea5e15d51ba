package org.sparktrain.dl4j;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.driver.data.TableReader;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.run.FrameTrainJob;
import org.sparktrain.driver.run.TaskNetwork;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.train.NativeArrays;

/**
 * What the DL4J-shaped classes ({@link SparkDl4jMultiLayer}, {@link SparkComputationGraph}) do
 * alike: train a DL4J configuration on a {@code JavaRDD<DataSet>} with sparktrain's engine, and
 * evaluate a trained network on one, on the executors.
 */
final class Dl4jSparkJobs {
  private Dl4jSparkJobs() {}

  /**
   * Trains {@code configurationJson} on every example of {@code data}, in order (DataSets in
   * partition order, rows in order), as a {@code model: {name: dl4j}} spec.
   *
   * @param classes the network's output width (one-hot labels)
   */
  static ModelBundle fit(JavaSparkContext sc, JavaRDD<DataSet> data, String configurationJson,
      int classes, SparkDl4jMultiLayer.Options options, String caller) {
    StructType schema = DataTypes.createStructType(List.of(
        DataTypes.createStructField("features", DataTypes.createArrayType(DataTypes.FloatType,
            false), false),
        DataTypes.createStructField("label", DataTypes.IntegerType, false)));
    Dataset<Row> frame = TableReader.session(sc).createDataFrame(
        data.flatMap(Dl4jSparkJobs::rows), schema);
    TrainJob.Result result = FrameTrainJob.run(frame, options.runDir(), caller,
        (view, scratch, runDir) -> {
          Path configuration = scratch.resolve("configuration.json");
          Files.writeString(configuration, configurationJson, StandardCharsets.UTF_8);
          return JobSpecParser.parseTree(Map.of(
              "data", Map.of("table", view, "labelColumn", "label",
                  "featureColumns", List.of("features"), "numClasses", classes,
                  "split", Map.of("train", 1.0, "validation", 0.0, "test", 0.0)),
              "preprocess", Map.of("normalize", "none"),
              "model", Map.of("name", "dl4j", "configuration",
                  configuration.toUri().toString()),
              "train", Map.of("epochs", options.epochs(), "batchSize",
                  options.batchSizePerWorker(), "workers", options.workers(),
                  "averagingFrequency", options.averagingFrequency(), "seed", options.seed()),
              "output", Map.of("dir", runDir)), null);
        });
    return result.bundle();
  }

  /** One row per example: its features flattened, its class (the label's argmax). */
  private static Iterator<Row> rows(DataSet ds) {
    INDArray x = ds.getFeatures();
    INDArray y = ds.getLabels();
    long n = x.size(0);
    long width = x.length() / n;
    List<Row> out = new ArrayList<>();
    float[] all = NativeArrays.toFloats(x.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT));
    for (int i = 0; i < n; i++) {
      Float[] features = new Float[(int) width];
      for (int j = 0; j < width; j++) {
        features[j] = all[(int) (i * width + j)];
      }
      out.add(RowFactory.create(features, y.getRow(i).argMax().getInt(0)));
    }
    return out.iterator();
  }

  /**
   * Classification metrics of {@code network} on {@code data}: each task evaluates its
   * partition's DataSets with its executor's copy of the network, and the partial evaluations
   * are merged, so no example travels to the driver.
   */
  static Evaluation evaluate(JavaRDD<DataSet> data, Network network) {
    String configurationJson = network.config().toJson();
    float[] params = NativeArrays.toFloats(network.params());
    return data.mapPartitions((Iterator<DataSet> sets) -> {
      Network net = TaskNetwork.borrow(configurationJson, params, 1);
      Evaluation evaluation = new Evaluation();
      sets.forEachRemaining(ds -> evaluation.eval(ds.getLabels(),
          net.output(ds.getFeatures())));
      return List.of(evaluation).iterator();
    }).reduce((a, b) -> {
      a.merge(b);
      return a;
    });
  }
}
