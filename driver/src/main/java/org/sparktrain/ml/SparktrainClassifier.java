package org.sparktrain.ml;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.sparktrain.driver.run.FrameTrainJob;
import org.sparktrain.driver.run.TrainJob;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.sparktrain.driver.train.SparkSetup;

/**
 * sparktrain as a Spark ML classifier: a {@code features} vector column (VectorAssembler's) and
 * a numeric {@code label} column (StringIndexer's) in, a {@link SparktrainClassificationModel}
 * out, trained by the same engine, spec checks and run directory as {@code sparktrain train}.
 * Its params are the spec's keys; it drops into a {@code Pipeline}, {@code CrossValidator} and
 * {@code TrainValidationSplit}, and saves and loads with them.
 *
 * <p>The session must carry sparktrain's Spark settings (Kryo and its registrator):
 * {@code SparkSession.builder().config(SparkSetup.conf(master, app, new SparkConf()))}.
 */
public class SparktrainClassifier extends
    ProbabilisticClassifier<Vector, SparktrainClassifier, SparktrainClassificationModel>
    implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final Param<String> model;
  private final IntArrayParam hidden;
  private final Param<String> activation;
  private final IntParam epochs;
  private final IntParam batchSize;
  private final IntParam workers;
  private final IntParam averagingFrequency;
  private final Param<String> optimizer;
  private final DoubleParam learningRate;
  private final LongParam seed;
  private final Param<String> normalize;
  private final Param<String> sync;
  private final Param<String> runDir;

  public SparktrainClassifier() {
    this(Identifiable$.MODULE$.randomUID("sparktrain"));
  }

  public SparktrainClassifier(String uid) {
    this(UidDuringConstruction.stash(uid), true);
  }

  private SparktrainClassifier(String uid, boolean stashed) {
    this.uid = uid;
    UidDuringConstruction.done();
    model = new Param<>(this, "model", "mlp or logistic (model.name)");
    hidden = new IntArrayParam(this, "hidden", "mlp hidden layer sizes (model.hidden)");
    activation = new Param<>(this, "activation", "relu, leakyrelu, tanh, sigmoid or gelu");
    epochs = new IntParam(this, "epochs", "passes over the data (train.epochs)",
        ParamValidators.gtEq(1));
    batchSize = new IntParam(this, "batchSize", "minibatch per worker (train.batchSize)",
        ParamValidators.gtEq(1));
    workers = new IntParam(this, "workers", "data-parallel workers (train.workers)",
        ParamValidators.gtEq(1));
    averagingFrequency = new IntParam(this, "averagingFrequency",
        "local steps between averagings (train.averagingFrequency)", ParamValidators.gtEq(1));
    optimizer = new Param<>(this, "optimizer", "sgd, nesterov or adam (train.optimizer.name)");
    learningRate = new DoubleParam(this, "learningRate", "train.optimizer.learningRate",
        ParamValidators.gt(0));
    seed = new LongParam(this, "seed", "train.seed: splits, initialization, order");
    normalize = new Param<>(this, "normalize", "none, standardize, minmax or scale");
    sync = new Param<>(this, "sync", "auto, collective or driver (train.sync)");
    runDir = new Param<>(this, "runDir", "the run directory (output.dir); empty = a temporary "
        + "one, removed after fitting");
    setDefault(model, "mlp");
    setDefault(hidden, new int[] {64});
    setDefault(activation, "relu");
    setDefault(epochs, 10);
    setDefault(batchSize, 32);
    setDefault(workers, 2);
    setDefault(averagingFrequency, 5);
    setDefault(optimizer, "adam");
    setDefault(learningRate, 0.003);
    setDefault(seed, 42L);
    setDefault(normalize, "standardize");
    setDefault(sync, "auto");
    setDefault(runDir, "");
  }

  @Override
  public String uid() {
    return UidDuringConstruction.uid(uid);
  }

  public Param<String> model() {
    return model;
  }

  public IntArrayParam hidden() {
    return hidden;
  }

  public Param<String> activation() {
    return activation;
  }

  public IntParam epochs() {
    return epochs;
  }

  public IntParam batchSize() {
    return batchSize;
  }

  public IntParam workers() {
    return workers;
  }

  public IntParam averagingFrequency() {
    return averagingFrequency;
  }

  public Param<String> optimizer() {
    return optimizer;
  }

  public DoubleParam learningRate() {
    return learningRate;
  }

  public LongParam seed() {
    return seed;
  }

  public Param<String> normalize() {
    return normalize;
  }

  public Param<String> sync() {
    return sync;
  }

  public Param<String> runDir() {
    return runDir;
  }

  public SparktrainClassifier setModel(String v) {
    return (SparktrainClassifier) set(model, v);
  }

  public SparktrainClassifier setHidden(int... v) {
    return (SparktrainClassifier) set(hidden, v);
  }

  public SparktrainClassifier setActivation(String v) {
    return (SparktrainClassifier) set(activation, v);
  }

  public SparktrainClassifier setEpochs(int v) {
    return (SparktrainClassifier) set(epochs, v);
  }

  public SparktrainClassifier setBatchSize(int v) {
    return (SparktrainClassifier) set(batchSize, v);
  }

  public SparktrainClassifier setWorkers(int v) {
    return (SparktrainClassifier) set(workers, v);
  }

  public SparktrainClassifier setAveragingFrequency(int v) {
    return (SparktrainClassifier) set(averagingFrequency, v);
  }

  public SparktrainClassifier setOptimizer(String v) {
    return (SparktrainClassifier) set(optimizer, v);
  }

  public SparktrainClassifier setLearningRate(double v) {
    return (SparktrainClassifier) set(learningRate, v);
  }

  public SparktrainClassifier setSeed(long v) {
    return (SparktrainClassifier) set(seed, v);
  }

  public SparktrainClassifier setNormalize(String v) {
    return (SparktrainClassifier) set(normalize, v);
  }

  public SparktrainClassifier setSync(String v) {
    return (SparktrainClassifier) set(sync, v);
  }

  public SparktrainClassifier setRunDir(String v) {
    return (SparktrainClassifier) set(runDir, v);
  }

  /**
   * The job spec this estimator's params describe, reading {@code table}'s features and label.
   * The spec parser checks it with the same messages as a YAML spec's.
   */
  JobSpec spec(String table, int numClasses, String outputDir) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("table", table);
    data.put("featureColumns", List.of(getFeaturesCol()));
    data.put("labelColumn", getLabelCol());
    data.put("numClasses", numClasses);
    data.put("split", Map.of("train", 1.0, "validation", 0.0, "test", 0.0));
    Map<String, Object> modelNode = new LinkedHashMap<>();
    modelNode.put("name", $(model));
    if ($(model).equals("mlp")) {
      List<Integer> sizes = new ArrayList<>();
      for (int h : $(hidden)) {
        sizes.add(h);
      }
      modelNode.put("hidden", sizes);
      modelNode.put("activation", $(activation));
    }
    Map<String, Object> train = new LinkedHashMap<>();
    train.put("epochs", $(epochs));
    train.put("batchSize", $(batchSize));
    train.put("workers", $(workers));
    train.put("averagingFrequency", $(averagingFrequency));
    train.put("optimizer", Map.of("name", $(optimizer), "learningRate", $(learningRate)));
    train.put("seed", $(seed));
    train.put("sync", $(sync));
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("data", data);
    tree.put("preprocess", Map.of("normalize", $(normalize)));
    tree.put("model", modelNode);
    tree.put("train", train);
    tree.put("output", Map.of("dir", outputDir));
    return JobSpecParser.parseTree(tree, null);
  }

  @Override
  public SparktrainClassificationModel train(Dataset<?> dataset) {
    SparkSession spark = dataset.sparkSession();
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    String registrator = sc.getConf().get("spark.kryo.registrator", "");
    if (!registrator.contains(SparkSetup.KRYO_REGISTRATOR)) {
      throw new IllegalStateException("SparktrainClassifier needs sparktrain's Spark settings "
          + "(Kryo with its registrator); build the session with SparkSession.builder()"
          + ".config(SparkSetup.conf(master, appName, new SparkConf()))");
    }
    int numClasses = getNumClasses(dataset, 1_000_000);
    Dataset<Row> frame = dataset.select(functions.col(getFeaturesCol()),
        functions.col(getLabelCol()).cast("double"));
    TrainJob.Result result = FrameTrainJob.run(frame, $(runDir).isEmpty() ? null : $(runDir),
        "SparktrainClassifier.fit " + uid, (view, scratch, dir) -> spec(view, numClasses, dir));
    // Predictor.fit copies the column params over and sets this as the parent.
    return SparktrainClassificationModel.of(uid, result.bundle());
  }

  @Override
  public SparktrainClassifier copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<SparktrainClassifier> read() {
    return new DefaultParamsReader<>();
  }

  public static SparktrainClassifier load(String path) {
    return read().load(path);
  }
}
