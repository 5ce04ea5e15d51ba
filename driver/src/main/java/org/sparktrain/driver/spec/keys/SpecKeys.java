package org.sparktrain.driver.spec.keys;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sparktrain.driver.spec.keys.SpecKey.Type;
import org.sparktrain.worker.backend.BackendChoice;
import org.sparktrain.worker.data.NormalizationMethod;
import org.sparktrain.worker.optim.OptimizerConfig;
import org.sparktrain.worker.sync.SyncPrecision;

/**
 * Every key of the job spec, declared once: the parser refuses to read a key that is not here
 * ({@code SpecNode}), a test proves the parser reads every key that is, and the JSON Schema, the
 * README's key reference and {@code sparktrain spec keys} are written from it. Sections come
 * before their keys, in the order the reference lists them.
 *
 * <p>Defaults and bounds that depend on other keys (e.g. the learning rate's default per
 * optimizer) stay with the parser; here their default is null and the doc says how.
 */
public final class SpecKeys {
  /** The version every key of the first release came with. */
  static final String FIRST = "0.1.0";

  private static final List<SpecKey> ALL = List.of(
      section("data", "Where the data is, how to read it and how to split it."),
      string("data.uri", null, "A file, a folder (all its files) or a glob, relative to the "
          + "spec's folder or a file://, hdfs:// or s3a:// URI; .gz is decompressed. Required "
          + "unless data.table or data.query is given."),
      string("data.format", "csv", "csv, idx, libsvm or text; or a format Spark reads "
          + "(parquet, orc, json, avro, delta, ...), read as a table."),
      column("data.labelColumn", -1, "csv: the label's column, negative counts from the end; "
          + "a table (or csv read by Spark): the label column's name."),
      bool("data.header", false, "csv: skip the first line of each file."),
      integer("data.numClasses", null, 0, 1_000_000, "The number of classes (labels "
          + "0..numClasses-1); required for classification, counted from the labels for a "
          + "table; 0 otherwise."),
      integer("data.numFeatures", 0, 0, 1 << 24, "0 = from the data; required for libsvm "
          + "(the highest feature index)."),
      string("data.labelsUri", null, "idx: the label file paired with data.uri's images."),
      string("data.testUri", null, "A separate test set; data.split.test must then be 0."),
      string("data.testLabelsUri", null, "idx: the label file paired with data.testUri."),
      choice("data.tokenizer", "char", List.of("char", "bpe"), "text and bert-classifier: "
          + "characters, or byte-level BPE (GPT-2 style pre-split)."),
      integer("data.vocabSize", 4000, 261, 1_000_000, "bpe: the vocabulary size including "
          + "the 256 byte tokens and 5 specials."),
      choice("data.documents", "file", List.of("file", "paragraph"), "text: what one "
          + "document is, a whole file or a blank-line separated paragraph."),
      integer("data.textColumn", 0, Integer.MIN_VALUE, Integer.MAX_VALUE, "bert-classifier: "
          + "the column holding the text; negative counts from the end."),
      string("data.table", null, "A catalog table to read with Spark SQL, e.g. db.penguins."),
      string("data.query", null, "A Spark SQL query whose rows are the data."),
      stringMap("data.options", "Files read by Spark: the reader's options, e.g. {header: "
          + "true} for csv."),
      names("data.featureColumns", 100_000, "A table: the feature columns in order; absent = "
          + "every column but the label."),
      names("data.categorical", 100_000, "A table: text columns to one-hot encode; absent = "
          + "every text column whose values are not all numbers."),
      integer("data.maxCategories", 100, 1, 100_000, "A table: the most frequent categories "
          + "kept per column; the others share one \"other\" slot."),
      section("data.split", "Fractions of the data for training, validation and test, "
          + "deterministic from train.seed; they must add up to 1."),
      number("data.split.train", null, 0, true, 1, "Default: what validation and test leave."),
      number("data.split.validation", 0.05, 0, false, 1, "Validation fraction."),
      number("data.split.test", null, 0, false, 1, "Test fraction; default 0.15, or 0 with "
          + "data.testUri and for text."),

      section("preprocess", "Cleaning and normalization, fitted on the training split."),
      choice("preprocess.badRecords", "drop", List.of("drop", "fail"), "drop (and count) "
          + "bad records, or fail at the first one, naming file and line."),
      choice("preprocess.normalize", "standardize", lower(NormalizationMethod.values()),
          "standardize (zero mean, unit variance), minmax ([0, 1] per feature), scale (one "
          + "factor) or none."),
      section("preprocess.augmentation", "Random image augmentation of training minibatches; "
          + "needs normalize: scale or none."),
      integer("preprocess.augmentation.shiftPixels", 0, 0, 1000, "Random crop: pad by s and "
          + "cut a window shifted by up to s per axis."),
      number("preprocess.augmentation.pShift", null, 0, false, 1, "Probability of a shift; "
          + "default 0.5 when shiftPixels is set, else 0."),
      number("preprocess.augmentation.rotationDegrees", 0.0, 0, false, 180, "Rotation "
          + "uniform in [-r, r] degrees."),
      number("preprocess.augmentation.pRotate", null, 0, false, 1, "Probability of a "
          + "rotation; default 0.5 when rotationDegrees is set, else 0."),
      number("preprocess.augmentation.scaleMin", 1.0, 0, true, 10, "Zoom uniform in "
          + "[scaleMin, scaleMax]."),
      number("preprocess.augmentation.scaleMax", 1.0, 0, true, 10, "See scaleMin."),
      number("preprocess.augmentation.pScale", null, 0, false, 1, "Probability of a zoom; "
          + "default 0.5 when scaleMin or scaleMax is not 1, else 0."),
      number("preprocess.augmentation.pFlipHorizontal", 0.0, 0, false, 1, "Probability of "
          + "mirroring an image; 0 for digits and letters."),
      choice("preprocess.missing", "drop", List.of("drop", "mean", "median", "mostFrequent"),
          "A table: what replaces a missing value; one policy, or a mapping {numeric, "
              + "categorical}."),
      choice("preprocess.missing.numeric", "drop", List.of("drop", "mean", "median",
          "mostFrequent"), "The policy for number columns."),
      choice("preprocess.missing.categorical", "drop", List.of("drop", "mostFrequent"),
          "The policy for category columns."),
      number("preprocess.scaleBy", null, 0, true, 1e12, "With normalize: none, divide every "
          + "feature by this fixed bound (255 for 8-bit pixels) instead of fitted statistics."),

      section("model", "The network: a model of the zoo and its hyperparameters."),
      choice("model.name", null, List.of("logistic", "mlp", "resnet", "gpt", "bert",
          "bert-classifier", "dl4j"), "Which model; required."),
      intList("model.hidden", List.of(128), 1, 65_536, 64, "mlp: hidden layer sizes."),
      choice("model.activation", "relu", List.of("relu", "leakyrelu", "tanh", "sigmoid",
          "gelu"), "mlp: the hidden layers' activation."),
      number("model.dropout", 0.0, 0, false, 0.95, "mlp: probability of dropping a hidden "
          + "unit."),
      choice("model.task", "classification", List.of("classification", "regression"),
          "mlp: softmax classes, or one value with MSE loss."),
      intList("model.inputShape", null, 1, 8192, 3, "resnet: [height, width, channels]; "
          + "default: square single-channel rows."),
      integer("model.stemWidth", 16, 1, 4096, "resnet: channels of the stem convolution."),
      integer("model.stemStride", 1, 1, 2, "resnet: 2 halves the resolution in the stem."),
      intList("model.widths", List.of(16, 32, 64), 1, 16_384, 16, "resnet: channels per "
          + "stage."),
      integer("model.blocksPerStage", 1, 1, 100, "resnet: residual blocks per stage."),
      integer("model.blockSize", 128, 1, 8192, "gpt, bert: tokens per block (context "
          + "length)."),
      integer("model.layers", 4, 1, 96, "gpt, bert: transformer blocks."),
      integer("model.width", 128, 1, 16_384, "gpt, bert: embedding width."),
      integer("model.heads", 4, 1, 256, "gpt, bert: attention heads; must divide width."),
      string("model.pretrained", null, "bert-classifier: a bert run's model folder to start "
          + "from; its tokenizer is used."),
      string("model.configuration", null, "dl4j: the MultiLayerConfiguration JSON file; "
          + "required."),
      string("model.teacher", null, "A classifier's model folder to distill from (see "
          + "train.distillation)."),

      section("train", "How training runs: epochs, workers, synchronization, optimizer."),
      integer("train.epochs", 10, 1, 1_000_000, "Passes over the training data."),
      integer("train.batchSize", 32, 1, 1_000_000, "Minibatch size per worker."),
      integer("train.workers", 2, 1, 100_000, "Shards of the training data: parallel tasks."),
      integer("train.averagingFrequency", 5, 1, 1_000_000, "H: local steps per worker "
          + "between two averagings."),
      section("train.optimizer", "The optimizer each worker runs."),
      choice("train.optimizer.name", "adam", lower(OptimizerConfig.Kind.values()), "sgd, "
          + "nesterov (momentum) or adam."),
      number("train.optimizer.learningRate", null, 0, true, 10, "Default 0.001 for adam, "
          + "0.01 otherwise."),
      number("train.optimizer.momentum", 0.9, 0, false, 0.9999, "nesterov: momentum."),
      number("train.optimizer.beta1", 0.9, 0, false, 0.9999, "adam: first moment decay."),
      number("train.optimizer.beta2", 0.999, 0, false, 0.999999, "adam: second moment "
          + "decay."),
      number("train.optimizer.epsilon", 1e-8, 0, true, 1, "adam: added to the denominator."),
      choice("train.optimizer.decay", null, lower(OptimizerConfig.Decay.values()), "The "
          + "learning rate schedule; default step when decayRate is set, else none."),
      number("train.optimizer.decayRate", null, 0, true, 1, "decay: step: the factor the "
          + "rate is multiplied by every decayEveryEpochs epochs; required for step."),
      integer("train.optimizer.decayEveryEpochs", 1, 1, 1_000_000, "decay: step: epochs "
          + "between two decays."),
      number("train.optimizer.minLearningRate", 0.0, 0, false, 10, "decay: cosine: the rate "
          + "at the end; at most learningRate."),
      integer("train.optimizer.warmupSteps", 0, 0, Integer.MAX_VALUE, "Linear warmup over "
          + "this many steps per worker."),
      bool("train.averageOptimizerState", true, "Average optimizer state like parameters; "
          + "false: each worker keeps its own."),
      longInteger("train.seed", 42L, "Seeds every random draw: initialization, split, "
          + "shuffling, sampling."),
      integer("train.threadsPerWorker", 0, 0, 1024, "ND4J threads per task; 0 = cores / "
          + "concurrent tasks."),
      choice("train.backend", "auto", lower(BackendChoice.values()), "The ND4J backend the "
          + "run must get; auto: whatever the build ships."),
      choice("train.sync", "auto", List.of("auto", "collective", "driver"), "Who averages: "
          + "the driver per round, the workers among themselves, or auto (collective where "
          + "the cluster allows a barrier job)."),
      choice("train.syncPrecision", "float32", lower(SyncPrecision.values()), "What workers "
          + "exchange: float32 values, or bfloat16 changes (half the bytes)."),
      section("train.outer", "An outer optimizer applied to each round's averaged change."),
      choice("train.outer.name", "none", List.of("none", "nesterov"), "none (plain "
          + "averaging) or nesterov (DiLoCo)."),
      number("train.outer.learningRate", 0.7, 0, true, 10, "nesterov: the outer learning "
          + "rate."),
      number("train.outer.momentum", 0.9, 0, false, 0.9999, "nesterov: the outer momentum."),
      section("train.earlyStopping", "Stop when the validation metric stops improving; "
          + "absent = train every epoch. Needs validation data."),
      choice("train.earlyStopping.metric", null, List.of("accuracy", "macroF1", "mse", "mae",
          "r2", "loss", "perplexity", "maskedLoss", "maskedAccuracy"), "The validation "
              + "metric, one the model reports; default its first (accuracy, mse, loss or "
              + "maskedLoss)."),
      integer("train.earlyStopping.patience", 3, 1, 1_000_000, "Validations without "
          + "improvement before stopping."),
      number("train.earlyStopping.minDelta", 0.0, 0, false, 1e9, "The least change that "
          + "counts as an improvement."),
      section("train.init", "Start from a saved model's parameters instead of a fresh "
          + "initialization."),
      string("train.init.model", null, "The model folder to start from (a run's model/, or "
          + "one sparktrain compress wrote); required."),
      bool("train.init.keepZeros", false, "Hold the weights that are zero in it at zero (a "
          + "pruned model stays pruned)."),
      section("train.distillation", "With model.teacher: learn from the teacher's softened "
          + "outputs besides the labels."),
      number("train.distillation.temperature", 4.0, 0, true, 100, "The softmax temperature "
          + "T."),
      number("train.distillation.alpha", 0.7, 0, false, 1, "The weight of the teacher's "
          + "term; 1 - alpha weighs the labels."),
      section("train.onDivergence", "What a loss or parameters that are not finite lead to; "
          + "absent = stop."),
      integer("train.onDivergence.rollbacks", 0, 0, 100, "Times to roll back to the last "
          + "checkpoint with a lower rate; 0 stops at the first divergence."),
      number("train.onDivergence.learningRateFactor", 0.5, 0, true, 0.99, "What each "
          + "rollback multiplies the learning rate by."),
      section("train.privacy", "Differentially private training (DP-SGD) with a Poisson "
          + "sampling accountant."),
      number("train.privacy.noiseMultiplier", null, 0, true, 1000, "The noise's standard "
          + "deviation over clipNorm; this or targetEpsilon is required."),
      number("train.privacy.targetEpsilon", null, 0, true, 1000, "The epsilon the run may "
          + "spend; without noiseMultiplier, the noise is chosen to spend exactly this."),
      number("train.privacy.delta", 1e-5, 0, true, 0.01, "Keep it below 1 / training "
          + "examples."),
      number("train.privacy.clipNorm", 1.0, 0, true, 1e6, "Each gradient is clipped to this "
          + "L2 norm."),
      integer("train.privacy.microbatchSize", 1, 1, 1_000_000, "Examples per clipped "
          + "gradient; 1 = per-example clipping."),
      choice("train.privacy.sampling", "poisson", List.of("poisson"), "The only sampling the "
          + "accountant's guarantee holds for."),

      section("eval", "When the model is validated."),
      integer("eval.validateEveryRounds", 0, 0, Integer.MAX_VALUE, "0 = at the end of every "
          + "epoch."),

      section("checkpoint", "When checkpoints are written and which are kept."),
      integer("checkpoint.everyRounds", 0, 0, Integer.MAX_VALUE, "0 = not by round count."),
      bool("checkpoint.everyEpoch", true, "A checkpoint at the end of every epoch."),
      number("checkpoint.everyMinutes", 0.0, 0, false, 525_600, "0 = not by time."),
      integer("checkpoint.keepLast", 3, 1, 1_000_000, "Checkpoints kept, plus the final one "
          + "and, with keepBestBy, the best."),
      choice("checkpoint.keepBestBy", "none", List.of("none", "accuracy", "macroF1", "mse",
          "mae", "r2"), "Also keep the best checkpoint by this validation metric."),
      choice("checkpoint.onWriteFailure", "continue", List.of("continue", "stop"), "What a "
          + "write that failed all retries leads to."),
      integer("checkpoint.retries", 5, 0, 100, "Retries of a failed write, with exponential "
          + "backoff capped at 30 s."),
      longInteger("checkpoint.retryBackoffMs", 1000L, 1, 600_000, "The first retry's wait."),

      section("output", "Where the run directory goes."),
      string("output.dir", "runs/latest", "The run directory: a path relative to the spec's "
          + "folder, or a URI."));

  private static final Map<String, SpecKey> BY_PATH = byPath(ALL);

  private SpecKeys() {}

  /** Every key, sections before their keys. */
  public static List<SpecKey> all() {
    return ALL;
  }

  /** Whether the spec has this key (or section), e.g. {@code train.optimizer.name}. */
  public static boolean declares(String path) {
    return BY_PATH.containsKey(path);
  }

  /** The key at this path; null when there is none. */
  public static SpecKey get(String path) {
    return BY_PATH.get(path);
  }

  /** The keys whose path starts with {@code prefix} (a whole section, or one key). */
  public static List<SpecKey> under(String prefix) {
    List<SpecKey> out = new ArrayList<>();
    for (SpecKey key : ALL) {
      if (prefix.isEmpty() || key.path().equals(prefix) || key.path().startsWith(prefix + ".")) {
        out.add(key);
      }
    }
    return out;
  }

  /** The keys directly inside a section ({@code ""} for the top level). */
  public static List<SpecKey> children(String section) {
    List<SpecKey> out = new ArrayList<>();
    for (SpecKey key : ALL) {
      if (key.parent().equals(section)) {
        out.add(key);
      }
    }
    return out;
  }

  private static Map<String, SpecKey> byPath(List<SpecKey> keys) {
    Map<String, SpecKey> out = new LinkedHashMap<>();
    for (SpecKey key : keys) {
      if (out.put(key.path(), key) != null) {
        throw new IllegalStateException("spec key " + key.path() + " is declared twice");
      }
      if (!key.parent().isEmpty() && !out.containsKey(key.parent())) {
        throw new IllegalStateException("spec key " + key.path() + " comes before its "
            + "section " + key.parent());
      }
    }
    return out;
  }

  private static List<String> lower(Enum<?>[] values) {
    return Arrays.stream(values).map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
  }

  private static SpecKey section(String path, String doc) {
    return new SpecKey(path, Type.SECTION, null, null, false, null, 0, List.of(), FIRST, doc);
  }

  /** Integer.MIN_VALUE and MAX_VALUE stand for no bound, as in the parser's messages. */
  private static SpecKey integer(String path, Integer defaultValue, int min, int max,
      String doc) {
    return new SpecKey(path, Type.INTEGER, defaultValue,
        min == Integer.MIN_VALUE ? null : min, false, max == Integer.MAX_VALUE ? null : max, 0,
        List.of(), FIRST, doc);
  }

  private static SpecKey longInteger(String path, Long defaultValue, String doc) {
    return new SpecKey(path, Type.INTEGER, defaultValue, null, false, null, 0, List.of(),
        FIRST, doc);
  }

  private static SpecKey longInteger(String path, Long defaultValue, long min, long max,
      String doc) {
    return new SpecKey(path, Type.INTEGER, defaultValue, min, false, max, 0, List.of(), FIRST,
        doc);
  }

  private static SpecKey number(String path, Double defaultValue, double min,
      boolean minExclusive, double max, String doc) {
    return new SpecKey(path, Type.NUMBER, defaultValue, min, minExclusive, max, 0, List.of(),
        FIRST, doc);
  }

  private static SpecKey bool(String path, boolean defaultValue, String doc) {
    return new SpecKey(path, Type.BOOLEAN, defaultValue, null, false, null, 0, List.of(),
        FIRST, doc);
  }

  private static SpecKey string(String path, String defaultValue, String doc) {
    return new SpecKey(path, Type.STRING, defaultValue, null, false, null, 0, List.of(), FIRST,
        doc);
  }

  private static SpecKey column(String path, int defaultValue, String doc) {
    return new SpecKey(path, Type.COLUMN, defaultValue, null, false, null, 0, List.of(), FIRST,
        doc);
  }

  private static SpecKey choice(String path, String defaultValue, List<String> allowed,
      String doc) {
    return new SpecKey(path, Type.CHOICE, defaultValue, null, false, null, 0, allowed, FIRST,
        doc);
  }

  private static SpecKey intList(String path, List<Integer> defaultValue, int min, int max,
      int maxItems, String doc) {
    return new SpecKey(path, Type.INTEGER_LIST, defaultValue, min, false, max, maxItems,
        List.of(), FIRST, doc);
  }

  private static SpecKey names(String path, int maxItems, String doc) {
    return new SpecKey(path, Type.STRING_LIST, null, null, false, null, maxItems, List.of(),
        FIRST, doc);
  }

  private static SpecKey stringMap(String path, String doc) {
    return new SpecKey(path, Type.STRING_MAP, null, null, false, null, 0, List.of(), FIRST,
        doc);
  }
}
