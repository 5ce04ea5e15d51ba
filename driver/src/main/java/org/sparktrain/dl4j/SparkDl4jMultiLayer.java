package org.sparktrain.dl4j;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.driver.data.TableReader;
import org.sparktrain.driver.run.FrameTrainJob;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.worker.train.NativeArrays;

/**
 * For Deeplearning4j Spark users: the shape of their {@code SparkDl4jMultiLayer}
 * ({@code fit(JavaRDD<DataSet>)}, {@code getNetwork()}, {@code evaluate}) over sparktrain's
 * engine, so their program changes an import and a constructor. The configuration trains as it
 * is (its layers, initialization and updater); {@link Options} holds what their
 * TrainingMaster held (batch size per worker, averaging frequency, workers) plus epochs.
 * Features are not normalized: DL4J programs normalize their DataSets themselves.
 */
public final class SparkDl4jMultiLayer {
  /**
   * @param runDir the run directory (checkpoints, metrics, report); null = a temporary one,
   *     removed after {@code fit}
   */
  public record Options(int epochs, int batchSizePerWorker, int averagingFrequency, int workers,
      long seed, String runDir) {
    public static Options defaults() {
      return new Options(1, 32, 5, 2, 42, null);
    }
  }

  private final JavaSparkContext sc;
  private final MultiLayerConfiguration conf;
  private final Options options;
  private MultiLayerNetwork network;

  public SparkDl4jMultiLayer(JavaSparkContext sc, MultiLayerConfiguration conf) {
    this(sc, conf, Options.defaults());
  }

  public SparkDl4jMultiLayer(JavaSparkContext sc, MultiLayerConfiguration conf,
      Options options) {
    this.sc = sc;
    this.conf = conf;
    this.options = options;
  }

  /**
   * Trains on every example of {@code data} ({@code options.epochs()} passes) and returns the
   * trained network. Examples keep their order (DataSets in partition order, rows in order), so
   * the same RDD trains to the same parameters.
   */
  public MultiLayerNetwork fit(JavaRDD<DataSet> data) {
    StructType schema = DataTypes.createStructType(List.of(
        DataTypes.createStructField("features", DataTypes.createArrayType(DataTypes.FloatType,
            false), false),
        DataTypes.createStructField("label", DataTypes.IntegerType, false)));
    Dataset<Row> frame = TableReader.session(sc).createDataFrame(
        data.flatMap(SparkDl4jMultiLayer::rows), schema);
    int outputs = (int) ((org.deeplearning4j.nn.conf.layers.FeedForwardLayer) conf.getConf(
        conf.getConfs().size() - 1).getLayer()).getNOut();
    TrainJob.Result result = FrameTrainJob.run(frame, options.runDir(),
        "SparkDl4jMultiLayer.fit", (view, scratch, runDir) -> {
          Path configuration = scratch.resolve("configuration.json");
          Files.writeString(configuration, conf.toJson(), StandardCharsets.UTF_8);
          return JobSpecParser.parseTree(java.util.Map.of(
              "data", java.util.Map.of("table", view, "labelColumn", "label",
                  "featureColumns", List.of("features"), "numClasses", outputs,
                  "split", java.util.Map.of("train", 1.0, "validation", 0.0, "test", 0.0)),
              "preprocess", java.util.Map.of("normalize", "none"),
              "model", java.util.Map.of("name", "dl4j", "configuration",
                  configuration.toUri().toString()),
              "train", java.util.Map.of("epochs", options.epochs(), "batchSize",
                  options.batchSizePerWorker(), "workers", options.workers(),
                  "averagingFrequency", options.averagingFrequency(), "seed", options.seed()),
              "output", java.util.Map.of("dir", runDir)), null);
        });
    network = result.bundle().network().layers();
    return network;
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

  /** The trained network (after {@link #fit}). */
  public MultiLayerNetwork getNetwork() {
    if (network == null) {
      throw new IllegalStateException("fit first: there is no trained network yet");
    }
    return network;
  }

  /** Classification metrics of the trained network on {@code data}, computed on the driver. */
  public Evaluation evaluate(JavaRDD<DataSet> data) {
    Evaluation evaluation = new Evaluation();
    for (DataSet ds : data.collect()) {
      evaluation.eval(ds.getLabels(), getNetwork().output(ds.getFeatures()));
    }
    return evaluation;
  }
}
