package org.sparktrain.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.sparktrain.dl4j.ParameterAveragingTrainingMaster;
import org.sparktrain.dl4j.SparkDl4jMultiLayer;
import org.sparktrain.driver.api.Session;
import org.sparktrain.driver.api.Sparktrain;
import org.sparktrain.driver.cluster.SparkSetup;
import org.sparktrain.ml.SparktrainClassifier;

/**
 * A user's program, as short as it can be: fit with the default sync (collective on local[2]),
 * stop Spark, return from {@code main}, no {@code System.exit}. {@code estimator DIR} uses the
 * Spark ML estimator, {@code notebook DIR} the notebook API, {@code dl4j DIR} the DL4J class.
 * The JVM must then end by itself; if it has not after {@link #REPORT_AFTER_S} s, a daemon
 * thread names the non-daemon threads that keep it alive on stderr.
 */
public final class FitAndReturnMain {
  static final String STOPPED = "spark stopped, main returns";
  private static final long REPORT_AFTER_S = 20;

  private FitAndReturnMain() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[1]);
    switch (args[0]) {
      case "estimator" -> estimator();
      case "notebook" -> notebook(dir);
      case "dl4j" -> dl4j();
      default -> throw new IllegalArgumentException("estimator, notebook or dl4j: " + args[0]);
    }
    System.out.println(STOPPED);
    reportLingeringThreads();
  }

  private static void estimator() {
    SparkSession spark = SparkSession.builder()
        .config(SparkSetup.conf("local[2]", "fit-and-return", new SparkConf())).getOrCreate();
    try {
      Dataset<Row> data = new VectorAssembler().setInputCols(new String[] {"a", "b"})
          .setOutputCol("features").transform(table(spark));
      new SparktrainClassifier().setHidden(8).setEpochs(2).fit(data).transform(data).count();
    } finally {
      spark.stop();
    }
  }

  private static void notebook(Path dir) throws IOException {
    Path csv = dir.resolve("points.csv");
    List<String> lines = new ArrayList<>();
    Random r = new Random(3);
    for (int i = 0; i < 200; i++) {
      double a = r.nextGaussian();
      double b = r.nextGaussian();
      lines.add(a + "," + b + "," + (a + b > 0 ? 1 : 0));
    }
    Files.write(csv, lines, StandardCharsets.UTF_8);
    try (Session session = Sparktrain.local(2)) {
      session.train(Sparktrain.spec().csv(csv.toString()).labelColumn(-1).numClasses(2)
          .mlp(8).epochs(2).workers(2).output(dir.resolve("run").toString()));
    }
  }

  private static void dl4j() {
    JavaSparkContext sc = new JavaSparkContext(
        SparkSetup.conf("local[2]", "fit-and-return", new SparkConf()));
    try {
      MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1)
          .updater(new Adam(0.01)).list()
          .layer(new DenseLayer.Builder().nIn(2).nOut(8).activation(Activation.RELU).build())
          .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(2)
              .activation(Activation.SOFTMAX).build())
          .build();
      List<DataSet> sets = new ArrayList<>();
      Random r = new Random(4);
      for (int i = 0; i < 8; i++) {
        float[] x = new float[32 * 2];
        float[] y = new float[32 * 2];
        for (int j = 0; j < 32; j++) {
          x[2 * j] = (float) r.nextGaussian();
          x[2 * j + 1] = (float) r.nextGaussian();
          y[2 * j + (x[2 * j] + x[2 * j + 1] > 0 ? 1 : 0)] = 1;
        }
        sets.add(new DataSet(Nd4j.create(x, new long[] {32, 2}),
            Nd4j.create(y, new long[] {32, 2})));
      }
      JavaRDD<DataSet> data = sc.parallelize(sets, 2);
      // DL4J's own way in; the training master's default sync is sparktrain's default (auto).
      new SparkDl4jMultiLayer(sc, conf,
          new ParameterAveragingTrainingMaster.Builder(32).batchSizePerWorker(32).build())
          .fit(data);
    } finally {
      sc.stop();
    }
  }

  private static Dataset<Row> table(SparkSession spark) {
    Random r = new Random(5);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      double a = r.nextGaussian();
      double b = r.nextGaussian();
      rows.add(RowFactory.create(a, b, a + b > 0 ? 1.0 : 0.0));
    }
    return spark.createDataFrame(rows, DataTypes.createStructType(List.of(
        DataTypes.createStructField("a", DataTypes.DoubleType, false),
        DataTypes.createStructField("b", DataTypes.DoubleType, false),
        DataTypes.createStructField("label", DataTypes.DoubleType, false))));
  }

  /** If the JVM is still up after a while, says which non-daemon threads hold it. */
  private static void reportLingeringThreads() {
    Thread reporter = new Thread(() -> {
      try {
        Thread.sleep(REPORT_AFTER_S * 1000);
      } catch (InterruptedException e) {
        return;
      }
      System.err.println("still running after " + REPORT_AFTER_S + " s; non-daemon threads:");
      Thread.getAllStackTraces().keySet().stream()
          .filter(t -> !t.isDaemon() && t.isAlive() && !t.getName().equals("DestroyJavaVM"))
          .forEach(t -> System.err.println("  " + t.getName()));
    }, "lingering-thread-reporter");
    reporter.setDaemon(true);
    reporter.start();
  }
}
