package org.sparktrain.ml;

import org.apache.spark.ml.Predictor;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.sparktrain.driver.output.ModelBundle;

/**
 * sparktrain as a Spark ML regressor: a {@code features} vector column and a numeric
 * {@code label} in, a {@link SparktrainRegressionModel} out (an mlp with an identity output
 * trained on the squared error: {@code model.task: regression}), by the same engine, spec checks
 * and run directory as {@code sparktrain train}. Same params as {@link SparktrainClassifier};
 * drops into a {@code Pipeline}, {@code CrossValidator} and {@code TrainValidationSplit}.
 *
 * <p>The session must carry sparktrain's Spark settings (Kryo and its registrator):
 * {@code SparkSession.builder().config(SparkSetup.conf(master, app, new SparkConf()))}.
 */
public class SparktrainRegressor extends
    Predictor<Vector, SparktrainRegressor, SparktrainRegressionModel>
    implements SparktrainParams<SparktrainRegressor>, TransformParams<SparktrainRegressor>,
    DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final SparktrainParamSet params;
  private final TransformParamSet transformParams;

  public SparktrainRegressor() {
    this(Identifiable$.MODULE$.randomUID("sparktrain"));
  }

  public SparktrainRegressor(String uid) {
    this(UidDuringConstruction.stash(uid), true);
  }

  private SparktrainRegressor(String uid, boolean stashed) {
    this.uid = uid;
    UidDuringConstruction.done();
    params = new SparktrainParamSet(this, "mlp", "mlp");
    transformParams = new TransformParamSet(this);
  }

  @Override
  public TransformParamSet transformParams() {
    return transformParams;
  }

  @Override
  public String uid() {
    return UidDuringConstruction.uid(uid);
  }

  @Override
  public SparktrainParamSet sparktrainParams() {
    return params;
  }

  @Override
  public SparktrainRegressionModel train(Dataset<?> dataset) {
    EstimatorFit.requireSparktrainSettings(dataset, "SparktrainRegressor");
    ModelBundle bundle = EstimatorFit.train(this, dataset, getFeaturesCol(), getLabelCol(), null,
        "SparktrainRegressor.fit " + uid);
    // Predictor.fit copies the column params over and sets this as the parent.
    return SparktrainRegressionModel.of(uid, bundle);
  }

  @Override
  public SparktrainRegressor copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<SparktrainRegressor> read() {
    return new DefaultParamsReader<>();
  }

  public static SparktrainRegressor load(String path) {
    return read().load(path);
  }
}
