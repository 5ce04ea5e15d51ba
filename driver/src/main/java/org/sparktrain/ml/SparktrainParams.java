package org.sparktrain.ml;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.sparktrain.driver.cluster.SparkSetup;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.train.SparkNativeKernels;

/**
 * The spec's keys as Spark ML params, for the classifier and the regressor alike: accessors
 * (public, argument-free, returning a Param: what Spark ML's reflection collects), fluent setters
 * of the estimator's own type, and the job spec they describe.
 *
 * @param <T> the estimator
 */
public interface SparktrainParams<T extends SparktrainParams<T>> extends Params {
  /**
   * Refuses a session without sparktrain's Spark settings (Kryo with its registrator), which
   * training needs, naming how to build one.
   */
  static void requireSparktrainSettings(JavaSparkContext sc,
      String estimator) {
    // Before the fit touches ND4J (SparkSetup.conf chose already where it built the session).
    SparkNativeKernels.choose(sc.getConf());
    String registrator = sc.getConf().get("spark.kryo.registrator", "");
    if (!registrator.contains(SparkSetup.KRYO_REGISTRATOR)) {
      throw new IllegalStateException(estimator + " needs sparktrain's Spark settings "
          + "(Kryo with its registrator); build the session with SparkSession.builder()"
          + ".config(SparkSetup.conf(master, appName, new SparkConf()))");
    }
  }

  /** This estimator's param instances (see {@link SparktrainParamSet}). */
  SparktrainParamSet sparktrainParams();

  default Param<String> model() {
    return sparktrainParams().model;
  }

  default IntArrayParam hidden() {
    return sparktrainParams().hidden;
  }

  default Param<String> activation() {
    return sparktrainParams().activation;
  }

  default IntParam epochs() {
    return sparktrainParams().epochs;
  }

  default IntParam batchSize() {
    return sparktrainParams().batchSize;
  }

  default IntParam workers() {
    return sparktrainParams().workers;
  }

  default IntParam averagingFrequency() {
    return sparktrainParams().averagingFrequency;
  }

  default Param<String> optimizer() {
    return sparktrainParams().optimizer;
  }

  default DoubleParam learningRate() {
    return sparktrainParams().learningRate;
  }

  default LongParam seed() {
    return sparktrainParams().seed;
  }

  default Param<String> normalize() {
    return sparktrainParams().normalize;
  }

  default Param<String> sync() {
    return sparktrainParams().sync;
  }

  default Param<String> runDir() {
    return sparktrainParams().runDir;
  }

  @SuppressWarnings("unchecked")
  private T with(Param<?> param, Object value) {
    return (T) set((Param<Object>) param, value);
  }

  default T setModel(String v) {
    return with(model(), v);
  }

  default T setHidden(int... v) {
    return with(hidden(), v);
  }

  default T setActivation(String v) {
    return with(activation(), v);
  }

  default T setEpochs(int v) {
    return with(epochs(), v);
  }

  default T setBatchSize(int v) {
    return with(batchSize(), v);
  }

  default T setWorkers(int v) {
    return with(workers(), v);
  }

  default T setAveragingFrequency(int v) {
    return with(averagingFrequency(), v);
  }

  default T setOptimizer(String v) {
    return with(optimizer(), v);
  }

  default T setLearningRate(double v) {
    return with(learningRate(), v);
  }

  default T setSeed(long v) {
    return with(seed(), v);
  }

  default T setNormalize(String v) {
    return with(normalize(), v);
  }

  default T setSync(String v) {
    return with(sync(), v);
  }

  default T setRunDir(String v) {
    return with(runDir(), v);
  }

  /**
   * The job spec these params describe, reading {@code table}'s features and label column; the
   * spec parser checks it with the same messages as a YAML spec's.
   *
   * @param numClasses the classes of a classifier; null for a regressor
   */
  default JobSpec spec(String table, String featuresCol, String labelCol, Integer numClasses,
      String outputDir) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("table", table);
    data.put("featureColumns", List.of(featuresCol));
    data.put("labelColumn", labelCol);
    if (numClasses != null) {
      data.put("numClasses", numClasses);
    }
    data.put("split", Map.of("train", 1.0, "validation", 0.0, "test", 0.0));
    Map<String, Object> modelNode = new LinkedHashMap<>();
    String name = getOrDefault(model());
    modelNode.put("name", name);
    if (name.equals("mlp")) {
      List<Integer> sizes = new ArrayList<>();
      for (int h : getOrDefault(hidden())) {
        sizes.add(h);
      }
      modelNode.put("hidden", sizes);
      modelNode.put("activation", getOrDefault(activation()));
      if (numClasses == null) {
        modelNode.put("task", "regression");
      }
    }
    Map<String, Object> train = new LinkedHashMap<>();
    train.put("epochs", getOrDefault(epochs()));
    train.put("batchSize", getOrDefault(batchSize()));
    train.put("workers", getOrDefault(workers()));
    train.put("averagingFrequency", getOrDefault(averagingFrequency()));
    train.put("optimizer", Map.of("name", getOrDefault(optimizer()), "learningRate",
        getOrDefault(learningRate())));
    train.put("seed", getOrDefault(seed()));
    train.put("sync", getOrDefault(sync()));
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("data", data);
    tree.put("preprocess", Map.of("normalize", getOrDefault(normalize())));
    tree.put("model", modelNode);
    tree.put("train", train);
    tree.put("output", Map.of("dir", outputDir));
    return JobSpecParser.parseTree(tree, null);
  }
}
