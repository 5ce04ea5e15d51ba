package org.sparktrain.ml;

import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.sparktrain.driver.output.ModelBundle;

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
    implements SparktrainParams<SparktrainClassifier>, TransformParams<SparktrainClassifier>,
    DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final SparktrainParamSet params;
  private final TransformParamSet transformParams;
  private final BooleanParam allowLabelGaps;

  public SparktrainClassifier() {
    this(Identifiable$.MODULE$.randomUID("sparktrain"));
  }

  public SparktrainClassifier(String uid) {
    this(UidDuringConstruction.stash(uid), true);
  }

  private SparktrainClassifier(String uid, boolean stashed) {
    this.uid = uid;
    UidDuringConstruction.done();
    params = new SparktrainParamSet(this, "mlp or logistic", "mlp");
    transformParams = new TransformParamSet(this);
    allowLabelGaps = new BooleanParam(this, "allowLabelGaps", "train labels with gaps "
        + "(e.g. {0, 5}: a 6-class model whose classes 1-4 never occur) instead of refusing "
        + "them; only read when the label column has no nominal metadata");
    setDefault(allowLabelGaps, false);
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
  public TransformParamSet transformParams() {
    return transformParams;
  }

  public BooleanParam allowLabelGaps() {
    return allowLabelGaps;
  }

  public boolean getAllowLabelGaps() {
    return (Boolean) getOrDefault(allowLabelGaps);
  }

  public SparktrainClassifier setAllowLabelGaps(boolean allow) {
    set(allowLabelGaps, allow);
    return this;
  }

  @Override
  public SparktrainClassificationModel train(Dataset<?> dataset) {
    EstimatorFit.requireSparktrainSettings(dataset, "SparktrainClassifier");
    LabelClasses classes = LabelClasses.of(dataset, getLabelCol(), getAllowLabelGaps(),
        "SparktrainClassifier");
    ModelBundle bundle = EstimatorFit.train(this, dataset, getFeaturesCol(), getLabelCol(),
        classes.count(), "SparktrainClassifier.fit " + uid);
    // Predictor.fit copies the column params over and sets this as the parent.
    return SparktrainClassificationModel.of(uid, bundle).setClassNames(classes.names());
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
