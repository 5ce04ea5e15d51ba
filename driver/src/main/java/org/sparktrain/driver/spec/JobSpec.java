package org.sparktrain.driver.spec;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.sparktrain.worker.augment.AugmentationConfig;
import org.sparktrain.worker.backend.BackendChoice;
import org.sparktrain.worker.data.NormalizationMethod;
import org.sparktrain.worker.model.ModelConfig;
import org.sparktrain.worker.optim.OptimizerConfig;
import org.sparktrain.worker.optim.OuterOptimizer;
import org.sparktrain.worker.sync.SyncPrecision;

/** A validated, immutable job spec. Built only by {@link JobSpecParser}. */
public record JobSpec(Data data, Preprocess preprocess, ModelConfig model, Train train, Eval eval,
    Checkpoint checkpoint, Output output) implements Serializable {

  /** TABLE: any Spark SQL source (a format Spark reads, a catalog table or a query). */
  public enum Format { CSV, IDX, LIBSVM, TEXT, TABLE }

  public enum BadRecordPolicy { DROP, FAIL }

  /**
   * Where the data is and how to read and split it.
   *
   * @param labelColumn CSV only; negative counts from the end (-1 = last column)
   * @param numClasses 0 for regression
   * @param numFeatures 0 = taken from the data (CSV's first record, IDX's header)
   * @param labelsUri IDX only: the label file paired with {@code uri}'s images
   * @param testUri optional separate test set; then {@code testFraction} must be 0
   * @param text tokenizer and document settings; format text only, else null
   * @param table the Spark SQL source; format table only, else null
   */
  public record Data(String uri, Format format, int labelColumn, boolean header, int numClasses,
      int numFeatures, String labelsUri, String testUri, String testLabelsUri,
      double trainFraction, double validationFraction, double testFraction, Text text,
      Table table) implements Serializable {}

  /**
   * A data set read with Spark SQL: files of a format Spark reads ({@code uri} with
   * {@code sourceFormat}), a catalog table, or a query. Exactly one of the three is set.
   *
   * @param sourceFormat Spark's reader name (parquet, orc, json, csv, avro, delta, ...)
   * @param options the reader's options (Spark's names, e.g. header, inferSchema)
   * @param featureColumns the feature columns in order; empty = every column but the label
   * @param labelColumn the label column's name
   * @param categorical string columns to one-hot encode; null = every string column whose
   *     training values are not all numbers
   * @param maxCategories categories kept per column, the most frequent; the others, and values
   *     not seen in training, share one "other" slot
   */
  public record Table(String sourceFormat, Map<String, String> options, String table,
      String query, List<String> featureColumns, String labelColumn,
      List<String> categorical, int maxCategories) implements Serializable {

    /** What the data is, for messages: the files, the table or the query. */
    public String describe(String uri) {
      if (table != null) {
        return "table " + table;
      }
      if (query != null) {
        return "query '" + (query.length() <= 60 ? query : query.substring(0, 57) + "...") + "'";
      }
      return uri;
    }
  }

  /** What replaces a missing value (null, empty, NA, NaN) in a feature column. */
  public enum MissingPolicy {
    DROP("drop"), MEAN("mean"), MEDIAN("median"), MOST_FREQUENT("mostFrequent");

    private final String key;

    MissingPolicy(String key) {
      this.key = key;
    }

    public String key() {
      return key;
    }
  }

  /**
   * {@code preprocess.missing}, per column type: number columns may take any policy, category
   * columns drop or take the most frequent category. Fitted on the training split only.
   */
  public record MissingValues(MissingPolicy numeric, MissingPolicy categorical)
      implements Serializable {
    public static final MissingValues DROP = new MissingValues(MissingPolicy.DROP,
        MissingPolicy.DROP);
  }

  public enum TokenizerKind { CHAR, BPE }

  /** What one document of a text corpus is: a whole file, or a paragraph (blank-line separated). */
  public enum DocumentUnit { FILE, PARAGRAPH }

  /**
   * How plain text becomes token blocks. The tokenizer is trained on the training documents only
   * and saved with the model.
   *
   * @param vocabSize bpe only: the vocabulary size including the 256 byte tokens and specials
   * @param textColumn bert-classifier's CSV: the column holding the text; negative counts from
   *     the end. The tokenizer settings apply when it has no pretrained model to take one from.
   */
  public record Text(TokenizerKind tokenizer, int vocabSize, DocumentUnit documents,
      int textColumn) implements Serializable {}

  /**
   * @param augmentation random image augmentation of the training data; null for none
   * @param scaleBy a fixed divisor for every feature, a bound known without the data (255 for
   *     8-bit pixels), used instead of fitted statistics; 0 for none
   */
  public record Preprocess(BadRecordPolicy badRecords, NormalizationMethod normalize,
      AugmentationConfig augmentation, MissingValues missing, double scaleBy)
      implements Serializable {}

  /**
   * @param batchSize minibatch size per worker
   * @param averagingFrequency H: local steps per worker between two averagings. Small H keeps
   *     the replicas close (better convergence) but synchronizes often; large H moves fewer bytes
   *     per example but lets replicas drift apart.
   * @param averageOptimizerState average optimizer state like parameters (true), or let each
   *     worker keep its own state (false; the driver holds one state per worker)
   * @param threadsPerWorker ND4J threads per task; 0 = cores of the machine / concurrent tasks
   * @param backend the ND4J backend the run must get (auto: whatever the build ships)
   * @param sync how parameters are averaged between workers (see {@link SyncMode})
   * @param outer the outer optimizer applied to each round's averaged change; null for plain
   *     averaging
   * @param earlyStopping when to stop before the last epoch; null to train every epoch
   * @param syncPrecision what workers exchange: their values, or bfloat16 changes
   * @param init a saved model to start from instead of a fresh initialization; null for none
   * @param distillation learn from a teacher model's outputs besides the labels; null for none
   * @param onDivergence what a loss or parameters that are not finite lead to
   * @param privacy differentially private training (DP-SGD); null for ordinary training
   */
  public record Train(int epochs, int batchSize, int workers, int averagingFrequency,
      OptimizerConfig optimizer, boolean averageOptimizerState, long seed, int threadsPerWorker,
      BackendChoice backend, SyncMode sync, OuterOptimizer outer, EarlyStopping earlyStopping,
      SyncPrecision syncPrecision, Init init, Distillation distillation,
      OnDivergence onDivergence, Privacy privacy) implements Serializable {}

  /**
   * {@code train.privacy}: DP-SGD (Abadi et al. 2016) on every worker, with Poisson sampling of
   * its shard at rate {@code batchSize / smallest shard} per step.
   *
   * @param noiseMultiplier sigma: the noise's standard deviation over {@code clipNorm}; NaN when
   *     it is to be chosen for {@code targetEpsilon}
   * @param targetEpsilon the budget: with a noise multiplier, the run stops before it would
   *     spend more; without one, the noise is chosen so the planned run spends exactly this;
   *     NaN for no budget (a noise multiplier is then required)
   * @param microbatchSize examples per clipped gradient (1 = per-example clipping)
   */
  public record Privacy(double noiseMultiplier, double targetEpsilon, double delta,
      double clipNorm, int microbatchSize) implements Serializable {
    public boolean hasNoiseMultiplier() {
      return !Double.isNaN(noiseMultiplier);
    }

    public boolean hasTarget() {
      return !Double.isNaN(targetEpsilon);
    }
  }

  /**
   * {@code train.onDivergence}: when a round's loss or averaged parameters are not finite, roll
   * back to the last checkpoint (or the run's start) with the learning rate multiplied by
   * {@code learningRateFactor}, at most {@code rollbacks} times; then stop with an error.
   *
   * @param rollbacks how many times to roll back; 0 stops at the first divergence
   */
  public record OnDivergence(int rollbacks, double learningRateFactor) implements Serializable {
    /** Stop at the first divergence (the default). */
    public static final OnDivergence STOP = new OnDivergence(0, 0.5);
  }

  /**
   * Knowledge distillation: {@code model.teacher} with {@code train.distillation}. The loss is
   * {@code (1 - alpha)} cross-entropy on the labels plus {@code alpha T^2} the divergence from
   * the teacher's class probabilities softened at temperature {@code T}.
   *
   * @param teacher the teacher's model folder (a run's model/)
   */
  public record Distillation(String teacher, double temperature, double alpha)
      implements Serializable {}

  /**
   * {@code train.init}: start from a saved model's parameters (a run's model folder, or a
   * compressed one), e.g. to fine-tune a pruned model.
   *
   * @param keepZeros hold the weights that are zero in it at zero (a pruned model stays pruned)
   */
  public record Init(String model, boolean keepZeros) implements Serializable {}

  /**
   * {@code train.earlyStopping}: stop when the validation metric has not improved by more than
   * {@code minDelta} for {@code patience} validations in a row; the best validated parameters
   * become the model.
   */
  public record EarlyStopping(String metric, int patience, double minDelta)
      implements Serializable {
    public boolean lowerIsBetter() {
      return JobSpec.lowerIsBetter(metric);
    }
  }

  private static final Set<String> LOWER_IS_BETTER = Set.of("mse", "mae",
      "loss", "perplexity", "maskedLoss");

  /**
   * Whether a smaller value of this validation metric is better (errors and losses), for
   * early stopping and for {@code checkpoint.keepBestBy}.
   */
  public static boolean lowerIsBetter(String metric) {
    return LOWER_IS_BETTER.contains(metric);
  }

  /**
   * {@code train.sync}: {@code driver} runs one Spark job per round and averages on the driver;
   * {@code collective} runs one barrier job per stretch of rounds in which the workers average
   * among themselves; {@code auto} takes collective where the cluster allows a barrier job.
   * Both give bitwise the same result.
   */
  public enum SyncMode {
    AUTO, COLLECTIVE, DRIVER;

    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** @param validateEveryRounds 0 = at the end of every epoch */
  public record Eval(int validateEveryRounds) implements Serializable {}

  public record Output(String dir) implements Serializable {}

  /**
   * When checkpoints are written and which are kept. A checkpoint is also written after the
   * last round.
   *
   * @param everyRounds 0 = not by round count
   * @param everyMinutes 0 = not by time
   * @param keepBestBy a validation metric (accuracy, macroF1, r2: higher is better; mse, mae:
   *     lower is better) whose best checkpoint is kept besides the last {@code keepLast}; null
   *     for none
   * @param stopOnWriteFailure stop training when a checkpoint still fails after all retries
   *     (true), or report it and go on (false)
   */
  public record Checkpoint(int everyRounds, boolean everyEpoch, double everyMinutes, int keepLast,
      String keepBestBy, boolean stopOnWriteFailure, int retries, long retryBackoffMs)
      implements Serializable {}

  /** The resolved spec as plain maps, for spec.yaml and the start-of-run log line. */
  public Map<String, Object> toMap() {
    Map<String, Object> root = new LinkedHashMap<>();
    Map<String, Object> d = new LinkedHashMap<>();
    putIfSet(d, "uri", data.uri());
    d.put("format", lower(data.format()));
    if (data.format() == Format.CSV) {
      d.put("labelColumn", data.labelColumn());
      d.put("header", data.header());
    }
    Table table = data.table();
    if (table != null) {
      if (table.sourceFormat() != null) {
        d.put("format", table.sourceFormat());
      }
      putIfSet(d, "table", table.table());
      putIfSet(d, "query", table.query());
      if (!table.options().isEmpty()) {
        d.put("options", table.options());
      }
      if (!table.featureColumns().isEmpty()) {
        d.put("featureColumns", table.featureColumns());
      }
      d.put("labelColumn", table.labelColumn());
      if (table.categorical() != null) {
        d.put("categorical", table.categorical());
      }
      d.put("maxCategories", table.maxCategories());
    }
    d.put("numClasses", data.numClasses());
    d.put("numFeatures", data.numFeatures());
    if (data.text() != null) {
      d.put("tokenizer", lower(data.text().tokenizer()));
      if (data.text().tokenizer() == TokenizerKind.BPE) {
        d.put("vocabSize", data.text().vocabSize());
      }
      if (data.format() == Format.TEXT) {
        d.put("documents", lower(data.text().documents()));
      } else {
        d.put("textColumn", data.text().textColumn());
      }
    }
    putIfSet(d, "labelsUri", data.labelsUri());
    putIfSet(d, "testUri", data.testUri());
    putIfSet(d, "testLabelsUri", data.testLabelsUri());
    Map<String, Object> split = new LinkedHashMap<>();
    split.put("train", data.trainFraction());
    split.put("validation", data.validationFraction());
    split.put("test", data.testFraction());
    d.put("split", split);
    root.put("data", d);
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("badRecords", lower(preprocess.badRecords()));
    p.put("normalize", preprocess.normalize().key());
    if (preprocess.scaleBy() > 0) {
      p.put("scaleBy", preprocess.scaleBy());
    }
    if (data.table() != null) {
      Map<String, Object> missing = new LinkedHashMap<>();
      missing.put("numeric", preprocess.missing().numeric().key());
      missing.put("categorical", preprocess.missing().categorical().key());
      p.put("missing", missing);
    }
    AugmentationConfig a = preprocess.augmentation();
    if (a != null) {
      Map<String, Object> aug = new LinkedHashMap<>();
      aug.put("shiftPixels", a.shiftPixels());
      aug.put("pShift", a.pShift());
      aug.put("rotationDegrees", a.rotationDegrees());
      aug.put("pRotate", a.pRotate());
      aug.put("scaleMin", a.scaleMin());
      aug.put("scaleMax", a.scaleMax());
      aug.put("pScale", a.pScale());
      aug.put("pFlipHorizontal", a.pFlipHorizontal());
      p.put("augmentation", aug);
    }
    root.put("preprocess", p);
    Map<String, Object> m = new LinkedHashMap<>(ModelSpecs.toMap(model));
    if (train.distillation() != null) {
      m.put("teacher", train.distillation().teacher());
    }
    root.put("model", m);
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("epochs", train.epochs());
    t.put("batchSize", train.batchSize());
    t.put("workers", train.workers());
    t.put("averagingFrequency", train.averagingFrequency());
    Map<String, Object> o = new LinkedHashMap<>();
    OptimizerConfig opt = train.optimizer();
    o.put("name", opt.kind().key());
    o.put("learningRate", opt.learningRate());
    if (opt.kind() == OptimizerConfig.Kind.NESTEROV) {
      o.put("momentum", opt.momentum());
    }
    if (opt.kind() == OptimizerConfig.Kind.ADAM) {
      o.put("beta1", opt.beta1());
      o.put("beta2", opt.beta2());
      o.put("epsilon", opt.epsilon());
    }
    o.put("decay", opt.decay().key());
    if (opt.decay() == OptimizerConfig.Decay.STEP) {
      o.put("decayRate", opt.decayRate());
      o.put("decayEveryEpochs", opt.decayEveryEpochs());
    }
    if (opt.decay() == OptimizerConfig.Decay.COSINE) {
      o.put("minLearningRate", opt.minLearningRate());
    }
    o.put("warmupSteps", opt.warmupSteps());
    t.put("optimizer", o);
    t.put("averageOptimizerState", train.averageOptimizerState());
    t.put("seed", train.seed());
    t.put("threadsPerWorker", train.threadsPerWorker());
    t.put("backend", train.backend().key());
    t.put("sync", train.sync().key());
    t.put("syncPrecision", train.syncPrecision().key());
    Map<String, Object> outer = new LinkedHashMap<>();
    outer.put("name", train.outer() == null ? "none" : "nesterov");
    if (train.outer() != null) {
      outer.put("learningRate", train.outer().learningRate());
      outer.put("momentum", train.outer().momentum());
    }
    t.put("outer", outer);
    if (train.init() != null) {
      Map<String, Object> init = new LinkedHashMap<>();
      init.put("model", train.init().model());
      init.put("keepZeros", train.init().keepZeros());
      t.put("init", init);
    }
    if (train.distillation() != null) {
      Map<String, Object> distill = new LinkedHashMap<>();
      distill.put("temperature", train.distillation().temperature());
      distill.put("alpha", train.distillation().alpha());
      t.put("distillation", distill);
    }
    if (train.onDivergence().rollbacks() > 0) {
      t.put("onDivergence", Map.of("rollbacks", train.onDivergence().rollbacks(),
          "learningRateFactor", train.onDivergence().learningRateFactor()));
    }
    if (train.privacy() != null) {
      Privacy dp = train.privacy();
      Map<String, Object> privacy = new LinkedHashMap<>();
      if (dp.hasNoiseMultiplier()) {
        privacy.put("noiseMultiplier", dp.noiseMultiplier());
      }
      if (dp.hasTarget()) {
        privacy.put("targetEpsilon", dp.targetEpsilon());
      }
      privacy.put("delta", dp.delta());
      privacy.put("clipNorm", dp.clipNorm());
      privacy.put("microbatchSize", dp.microbatchSize());
      privacy.put("sampling", "poisson");
      t.put("privacy", privacy);
    }
    if (train.earlyStopping() != null) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("metric", train.earlyStopping().metric());
      e.put("patience", train.earlyStopping().patience());
      e.put("minDelta", train.earlyStopping().minDelta());
      t.put("earlyStopping", e);
    }
    root.put("train", t);
    root.put("eval", Map.of("validateEveryRounds", eval.validateEveryRounds()));
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("everyRounds", checkpoint.everyRounds());
    c.put("everyEpoch", checkpoint.everyEpoch());
    c.put("everyMinutes", checkpoint.everyMinutes());
    c.put("keepLast", checkpoint.keepLast());
    c.put("keepBestBy", checkpoint.keepBestBy() == null ? "none" : checkpoint.keepBestBy());
    c.put("onWriteFailure", checkpoint.stopOnWriteFailure() ? "stop" : "continue");
    c.put("retries", checkpoint.retries());
    c.put("retryBackoffMs", checkpoint.retryBackoffMs());
    root.put("checkpoint", c);
    root.put("output", Map.of("dir", output.dir()));
    return root;
  }

  public JobSpec withTrain(Train newTrain) {
    return new JobSpec(data, preprocess, model, newTrain, eval, checkpoint, output);
  }

  public JobSpec withOutputDir(String dir) {
    return new JobSpec(data, preprocess, model, train, eval, checkpoint, new Output(dir));
  }

  private static void putIfSet(Map<String, Object> m, String key, String value) {
    if (value != null) {
      m.put(key, value);
    }
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
