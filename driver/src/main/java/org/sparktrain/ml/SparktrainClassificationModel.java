package org.sparktrain.ml;

import java.util.List;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.worker.model.Network;

/**
 * A trained sparktrain network as a Spark ML model: {@code transform} adds
 * {@code rawPrediction}, {@code probability} (the network's class probabilities; for a single
 * sigmoid unit [1 - p, p]) and {@code prediction} in Spark ML's conventions, so Spark's
 * evaluators, CrossValidator and TrainValidationSplit work on it. Saved as Spark ML metadata
 * plus the model's own files ({@code data/model.zip} and {@code data/preprocessing.json}), which
 * {@code sparktrain predict} and {@code evaluate} also read.
 */
public class SparktrainClassificationModel
    extends ProbabilisticClassificationModel<Vector, SparktrainClassificationModel>
    implements MLWritable, TransformParams<SparktrainClassificationModel> {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final SavedNetwork saved;
  private final TransformParamSet transformParams;
  private final StringArrayParam classNames;

  SparktrainClassificationModel(String uid, SavedNetwork saved) {
    this(UidDuringConstruction.stash(uid), saved, true);
  }

  private SparktrainClassificationModel(String uid, SavedNetwork saved, boolean stashed) {
    this.uid = uid;
    UidDuringConstruction.done();
    this.saved = saved;
    transformParams = new TransformParamSet(this);
    classNames = new StringArrayParam(this, "classNames", "the classes' names, in the order "
        + "of prediction's values (the training label column's nominal metadata, e.g. "
        + "StringIndexer's labels); empty when unknown");
    setDefault(classNames, new String[0]);
  }

  /**
   * A Spark ML model of a sparktrain model folder: a run's {@code model/}, an exported model or
   * a compressed one (int8 weights are dequantized on load). It must be a classifier of numbers
   * or table rows; files are read with the active SparkContext's Hadoop configuration, if any.
   */
  public static SparktrainClassificationModel fromModel(String modelUri) {
    return of(Identifiable$.MODULE$.randomUID("sparktrain"), SavedNetwork.load(modelUri, true));
  }

  static SparktrainClassificationModel of(String uid, ModelBundle bundle) {
    return new SparktrainClassificationModel(uid, SavedNetwork.of(bundle));
  }

  @Override
  public String uid() {
    return UidDuringConstruction.uid(uid);
  }

  @Override
  public TransformParamSet transformParams() {
    return transformParams;
  }

  public StringArrayParam classNames() {
    return classNames;
  }

  public String[] getClassNames() {
    return getOrDefault(classNames);
  }

  SparktrainClassificationModel setClassNames(String[] names) {
    set(classNames, names);
    return this;
  }

  /**
   * Spark ML's output schema ({@code prediction} nominal with {@link #numClasses()} values,
   * {@code rawPrediction} and {@code probability} vectors of that size), with the classes' names
   * on {@code prediction} where they are known, as {@code IndexToString} reads them.
   */
  @Override
  public StructType transformSchema(StructType schema) {
    StructType out = super.transformSchema(schema);
    String[] names = getClassNames();
    String prediction = getPredictionCol();
    if (prediction.isEmpty() || names.length != numClasses()) {
      return out;
    }
    StructField[] fields = out.fields().clone();
    int index = out.fieldIndex(prediction);
    fields[index] = NominalAttribute.defaultAttr().withName(prediction).withValues(names)
        .toStructField();
    return new StructType(fields);
  }

  @Override
  public int numClasses() {
    return saved.numClasses();
  }

  @Override
  public int numFeatures() {
    return saved.numFeatures();
  }

  /** The network, restored once per JVM copy of this model (executors get the bytes). */
  public Network network() {
    return saved.network(uid);
  }

  /**
   * One row's raw prediction; its features must be a vector of finite numbers (transform
   * applies {@code handleInvalid} instead).
   */
  @Override
  public Vector predictRaw(Vector features) {
    return predictRaw(List.of(features))[0];
  }

  /** {@link #predictRaw(Vector)} of many rows in one network call. */
  Vector[] predictRaw(List<Vector> rows) {
    float[] out = saved.output(rows, uid);
    int outputs = out.length / rows.size();
    Vector[] raws = new Vector[rows.size()];
    for (int r = 0; r < raws.length; r++) {
      double[] raw = new double[Math.max(outputs, 2)];
      if (outputs == 1) {
        raw[0] = 1 - out[r];
        raw[1] = out[r];
      } else {
        for (int k = 0; k < outputs; k++) {
          raw[k] = out[r * outputs + k];
        }
      }
      raws[r] = Vectors.dense(raw);
    }
    return raws;
  }

  /**
   * Scores in minibatches (see {@link BatchedTransform}) where Spark ML's transform would call
   * the network once per row.
   */
  @Override
  public Dataset<Row> transform(
      Dataset<?> dataset) {
    return BatchedTransform.apply(this, dataset);
  }

  /** The network's outputs already are probabilities (softmax, or the sigmoid's pair). */
  @Override
  public Vector raw2probabilityInPlace(Vector rawPrediction) {
    return rawPrediction;
  }

  /**
   * Spark's training-summary hook, inherited twice from Scala traits, so Java must pick one:
   * this model, with its own probability and prediction columns.
   */
  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public scala.Tuple3 findSummaryModel() {
    // Raw: the two inherited signatures differ only in the tuple's type argument.
    return new scala.Tuple3(this, getProbabilityCol(), getPredictionCol());
  }

  @Override
  public SparktrainClassificationModel copy(ParamMap extra) {
    SparktrainClassificationModel copy = new SparktrainClassificationModel(uid, saved);
    return copyValues(copy, extra).setParent(parent());
  }

  /** The model as sparktrain's files (the CLI's predict and evaluate read them). */
  public ModelBundle bundle() {
    return saved.bundle(uid);
  }

  @Override
  public MLWriter write() {
    return new SavedNetwork.Writer(this, this::bundle);
  }

  public static MLReader<SparktrainClassificationModel> read() {
    return new SavedNetwork.Reader<>(SparktrainClassificationModel.class,
        SparktrainClassificationModel::of);
  }

  public static SparktrainClassificationModel load(String path) {
    return read().load(path);
  }
}
