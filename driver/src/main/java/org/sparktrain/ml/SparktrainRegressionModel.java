package org.sparktrain.ml;

import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.regression.RegressionModel;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.worker.model.Network;

/**
 * A trained sparktrain regressor as a Spark ML model: {@code transform} adds the
 * {@code prediction} column (the network's output for the normalized features), so Spark's
 * {@code RegressionEvaluator}, CrossValidator and TrainValidationSplit work on it. Saved like the
 * classifier's model: Spark ML metadata plus the model's own files under {@code data/}.
 */
public class SparktrainRegressionModel extends RegressionModel<Vector, SparktrainRegressionModel>
    implements MLWritable, TransformParams<SparktrainRegressionModel> {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final SavedNetwork saved;
  private final TransformParamSet transformParams;

  SparktrainRegressionModel(String uid, SavedNetwork saved) {
    this(UidDuringConstruction.stash(uid), saved, true);
  }

  private SparktrainRegressionModel(String uid, SavedNetwork saved, boolean stashed) {
    this.uid = uid;
    UidDuringConstruction.done();
    this.saved = saved;
    transformParams = new TransformParamSet(this);
  }

  @Override
  public TransformParamSet transformParams() {
    return transformParams;
  }

  /**
   * A Spark ML model of a sparktrain regression model folder (a run's {@code model/}, exported
   * or compressed), read with the active SparkContext's Hadoop configuration, if any.
   */
  public static SparktrainRegressionModel fromModel(String modelUri) {
    return of(Identifiable$.MODULE$.randomUID("sparktrain"), SavedNetwork.load(modelUri, false));
  }

  static SparktrainRegressionModel of(String uid, ModelBundle bundle) {
    return new SparktrainRegressionModel(uid, SavedNetwork.of(bundle));
  }

  @Override
  public String uid() {
    return UidDuringConstruction.uid(uid);
  }

  @Override
  public int numFeatures() {
    return saved.numFeatures();
  }

  /** The network, restored once per JVM copy of this model (executors get the bytes). */
  public Network network() {
    return saved.network(uid);
  }

  @Override
  public double predict(Vector features) {
    return predict(List.of(features))[0];
  }

  /** {@link #predict(Vector)} of many rows in one network call. */
  double[] predict(List<Vector> rows) {
    float[] out = saved.output(rows, uid);
    double[] values = new double[rows.size()];
    for (int r = 0; r < values.length; r++) {
      values[r] = out[r];
    }
    return values;
  }

  /** Scores in minibatches (see {@link BatchedTransform}), not one network call per row. */
  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema(), true);
    if (out.size() == dataset.schema().size()) {
      return dataset.toDF(); // no prediction column asked for
    }
    return BatchedTransform.apply(dataset, new BatchedTransform.Scoring("model " + uid, out,
        getFeaturesCol(), InvalidFeatures.of(getHandleInvalid()), new Object[] {Double.NaN},
        rows -> {
          double[] values = predict(rows);
          Object[][] added = new Object[values.length][];
          for (int i = 0; i < values.length; i++) {
            added[i] = new Object[] {values[i]};
          }
          return added;
        }));
  }

  @Override
  public SparktrainRegressionModel copy(ParamMap extra) {
    SparktrainRegressionModel copy = new SparktrainRegressionModel(uid, saved);
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

  public static MLReader<SparktrainRegressionModel> read() {
    return new SavedNetwork.Reader<>(SparktrainRegressionModel.class,
        SparktrainRegressionModel::of);
  }

  public static SparktrainRegressionModel load(String path) {
    return read().load(path);
  }
}
