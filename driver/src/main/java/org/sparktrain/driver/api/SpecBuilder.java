package org.sparktrain.driver.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.driver.spec.JobSpecParser;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * A job spec built in code. Each method sets the key of the YAML spec it names (see the README's
 * job spec section); {@link #build()} hands the nested map to {@link JobSpecParser}, so defaults,
 * checks and error messages are exactly those of a YAML file. Relative paths resolve against the
 * working directory (a YAML file's resolve against its own folder).
 *
 * <p>Mutable, like a StringBuilder: {@link #copy()} branches off a variant.
 */
public final class SpecBuilder {
  private final Map<String, Object> tree = new LinkedHashMap<>();

  SpecBuilder() {}

  /** Starts from a spec, e.g. one loaded from YAML, to change a few keys. */
  public static SpecBuilder from(JobSpec spec) {
    SpecBuilder b = new SpecBuilder();
    b.tree.putAll(mutableCopy(spec.toMap()));
    return b;
  }

  // data

  /** {@code data.uri} with {@code data.format: csv}. */
  public SpecBuilder csv(String uri) {
    return set("data.uri", uri).set("data.format", "csv");
  }

  /** IDX images and their labels ({@code data.uri}, {@code data.labelsUri}). */
  public SpecBuilder idx(String imagesUri, String labelsUri) {
    return set("data.uri", imagesUri).set("data.format", "idx").set("data.labelsUri", labelsUri);
  }

  public SpecBuilder libsvm(String uri, int numFeatures) {
    return set("data.uri", uri).set("data.format", "libsvm").set("data.numFeatures", numFeatures);
  }

  /**
   * Files of a format Spark reads ({@code data.format}: parquet, orc, json, csv through Spark's
   * reader, ...): a table run. Name its label with {@link #labelColumn(String)}.
   */
  public SpecBuilder table(String format, String uri) {
    return set("data.uri", uri).set("data.format", format);
  }

  /** A catalog table or temporary view ({@code data.table}). */
  public SpecBuilder catalogTable(String name) {
    return set("data.table", name);
  }

  /** The rows of a Spark SQL query ({@code data.query}). */
  public SpecBuilder query(String sql) {
    return set("data.query", sql);
  }

  /** A reader option of a table's format ({@code data.options.KEY}), e.g. header, true. */
  public SpecBuilder option(String key, Object value) {
    return set("data.options." + key, value);
  }

  /** A table's label column, by name. */
  public SpecBuilder labelColumn(String name) {
    return set("data.labelColumn", name);
  }

  /** A table's feature columns in order (default: every column but the label). */
  public SpecBuilder featureColumns(String... names) {
    return set("data.featureColumns", List.of(names));
  }

  /** drop | mean | median | mostFrequent ({@code preprocess.missing}). */
  public SpecBuilder missing(String policy) {
    return set("preprocess.missing", policy);
  }

  public SpecBuilder header(boolean header) {
    return set("data.header", header);
  }

  /** Negative counts from the end: -1 is the last column. */
  public SpecBuilder labelColumn(int column) {
    return set("data.labelColumn", column);
  }

  public SpecBuilder numClasses(int numClasses) {
    return set("data.numClasses", numClasses);
  }

  /** A separate test set ({@code data.testUri}); sets {@code split.test} to 0 as it must be. */
  public SpecBuilder testData(String uri) {
    return set("data.testUri", uri).set("data.split.test", 0.0);
  }

  public SpecBuilder split(double train, double validation, double test) {
    return set("data.split.train", train).set("data.split.validation", validation)
        .set("data.split.test", test);
  }

  // preprocess

  /** none | standardize | minmax | scale. */
  public SpecBuilder normalize(String method) {
    return set("preprocess.normalize", method);
  }

  /** drop | fail. */
  public SpecBuilder badRecords(String policy) {
    return set("preprocess.badRecords", policy);
  }

  // model

  public SpecBuilder mlp(int... hidden) {
    List<Integer> sizes = new ArrayList<>();
    for (int h : hidden) {
      sizes.add(h);
    }
    return set("model.name", "mlp").set("model.hidden", sizes);
  }

  /** The single sigmoid unit; replaces any MLP settings (it has none). */
  public SpecBuilder logistic() {
    tree.remove("model");
    return set("model.name", "logistic");
  }

  /** relu | leakyrelu | tanh | sigmoid | gelu. */
  public SpecBuilder activation(String activation) {
    return set("model.activation", activation);
  }

  public SpecBuilder dropout(double probability) {
    return set("model.dropout", probability);
  }

  /** Identity output and MSE loss instead of softmax classification. */
  public SpecBuilder regression() {
    return set("model.task", "regression");
  }

  // train

  public SpecBuilder epochs(int epochs) {
    return set("train.epochs", epochs);
  }

  /** Per worker. */
  public SpecBuilder batchSize(int batchSize) {
    return set("train.batchSize", batchSize);
  }

  public SpecBuilder workers(int workers) {
    return set("train.workers", workers);
  }

  /** Who averages: "auto", "collective" (the workers, over TCP) or "driver". */
  public SpecBuilder sync(String strategy) {
    return set("train.sync", strategy);
  }

  /** H: local minibatch steps between two averagings. */
  public SpecBuilder averagingFrequency(int steps) {
    return set("train.averagingFrequency", steps);
  }

  public SpecBuilder sgd(double learningRate) {
    return optimizer("sgd", learningRate);
  }

  public SpecBuilder nesterov(double learningRate, double momentum) {
    return optimizer("nesterov", learningRate).set("train.optimizer.momentum", momentum);
  }

  public SpecBuilder adam(double learningRate) {
    return optimizer("adam", learningRate);
  }

  /** Linear warmup over {@code warmupSteps} steps per worker, then cosine decay to zero. */
  public SpecBuilder warmupCosine(int warmupSteps) {
    return set("train.optimizer.warmupSteps", warmupSteps).set("train.optimizer.decay", "cosine");
  }

  /** {@code train.syncPrecision}: float32, or bfloat16 (half the synchronized bytes). */
  public SpecBuilder syncPrecision(String precision) {
    return set("train.syncPrecision", precision);
  }

  /** DiLoCo's outer step: Nesterov momentum on each round's averaged change. */
  public SpecBuilder outerNesterov(double learningRate, double momentum) {
    Map<String, Object> outer = new LinkedHashMap<>();
    outer.put("name", "nesterov");
    outer.put("learningRate", learningRate);
    outer.put("momentum", momentum);
    return set("train.outer", outer);
  }

  /** Stop after {@code patience} validations without a better {@code metric}; keep the best. */
  public SpecBuilder earlyStopping(String metric, int patience) {
    Map<String, Object> stopping = new LinkedHashMap<>();
    stopping.put("metric", metric);
    stopping.put("patience", patience);
    return set("train.earlyStopping", stopping);
  }

  /**
   * {@code train.onDivergence}: when the loss or the parameters stop being finite, go back to
   * the last checkpoint with the learning rate times {@code learningRateFactor}, at most
   * {@code rollbacks} times, instead of stopping at once.
   */
  public SpecBuilder rollBackOnDivergence(int rollbacks, double learningRateFactor) {
    Map<String, Object> policy = new LinkedHashMap<>();
    policy.put("rollbacks", rollbacks);
    policy.put("learningRateFactor", learningRateFactor);
    return set("train.onDivergence", policy);
  }

  /**
   * Knowledge distillation ({@code model.teacher}, {@code train.distillation}): the model learns
   * from the teacher's class probabilities softened at {@code temperature} as well as the
   * labels, {@code alpha} weighing the teacher's part.
   */
  public SpecBuilder distillFrom(String teacherModel, double temperature, double alpha) {
    Map<String, Object> distillation = new LinkedHashMap<>();
    distillation.put("temperature", temperature);
    distillation.put("alpha", alpha);
    return set("model.teacher", teacherModel).set("train.distillation", distillation);
  }

  /**
   * {@code train.init}: start from a saved model's parameters; {@code keepZeros} holds its zero
   * weights at zero (fine-tuning a pruned model).
   */
  public SpecBuilder startFrom(String model, boolean keepZeros) {
    Map<String, Object> init = new LinkedHashMap<>();
    init.put("model", model);
    init.put("keepZeros", keepZeros);
    return set("train.init", init);
  }

  public SpecBuilder seed(long seed) {
    // An Integer where it fits, as YAML gives, so toMap() equals the YAML file's map.
    if (seed == (int) seed) {
      return set("train.seed", (int) seed);
    }
    return set("train.seed", seed);
  }

  // eval, checkpoint, output

  /** 0 = at the end of every epoch. */
  public SpecBuilder validateEveryRounds(int rounds) {
    return set("eval.validateEveryRounds", rounds);
  }

  /** The run directory. */
  public SpecBuilder output(String dir) {
    return set("output.dir", dir);
  }

  /**
   * Any key of the YAML spec by its dotted path, e.g. {@code set("checkpoint.keepLast", 5)}, for
   * the keys without a method of their own. Values are what YAML would give: numbers, booleans,
   * strings, lists.
   */
  public SpecBuilder set(String dottedPath, Object value) {
    String[] keys = dottedPath.split("\\.");
    Map<String, Object> section = tree;
    for (int i = 0; i < keys.length - 1; i++) {
      section = sectionOf(section, keys[i], dottedPath);
    }
    section.put(keys[keys.length - 1], value instanceof int[] ints
        ? IntStream.of(ints).boxed().collect(Collectors.toList()) : value);
    return this;
  }

  /** The builder is mutable (each method changes it); copy it to branch off variants. */
  public SpecBuilder copy() {
    SpecBuilder b = new SpecBuilder();
    b.tree.putAll(mutableCopy(tree));
    return b;
  }

  /** The validated spec; a bad value throws the parser's message naming the key. */
  public JobSpec build() {
    return JobSpecParser.parseTree(mutableCopy(tree), Path.of("").toAbsolutePath());
  }

  /** The nested map {@link #build()} parses: what the equivalent YAML file would hold. */
  public Map<String, Object> toMap() {
    return mutableCopy(tree);
  }

  public String toYaml() {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return new Yaml(options).dump(tree);
  }

  @Override
  public String toString() {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.FLOW);
    options.setWidth(Integer.MAX_VALUE);
    return "SpecBuilder" + new Yaml(options).dump(tree).strip();
  }

  /** Replaces the whole optimizer section: another optimizer's keys would be rejected. */
  private SpecBuilder optimizer(String name, double learningRate) {
    Map<String, Object> optimizer = new LinkedHashMap<>();
    optimizer.put("name", name);
    optimizer.put("learningRate", learningRate);
    return set("train.optimizer", optimizer);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> sectionOf(Map<String, Object> parent, String key,
      String dottedPath) {
    Object existing = parent.get(key);
    if (existing == null) {
      Map<String, Object> created = new LinkedHashMap<>();
      parent.put(key, created);
      return created;
    }
    if (!(existing instanceof Map<?, ?>)) {
      throw new IllegalArgumentException(dottedPath + ": '" + key + "' holds the value "
          + existing + ", not a section of keys");
    }
    return (Map<String, Object>) existing;
  }

  /** A deep copy with mutable maps and lists, so the builder never shares state. */
  private static Map<String, Object> mutableCopy(Map<String, ?> map) {
    Map<String, Object> copy = new LinkedHashMap<>();
    map.forEach((k, v) -> copy.put(k, copyValue(v)));
    return copy;
  }

  private static Object copyValue(Object v) {
    if (v instanceof Map<?, ?> m) {
      @SuppressWarnings("unchecked")
      Map<String, ?> typed = (Map<String, ?>) m;
      return mutableCopy(typed);
    }
    if (v instanceof List<?> l) {
      List<Object> copy = new ArrayList<>();
      l.forEach(e -> copy.add(copyValue(e)));
      return copy;
    }
    return v;
  }
}
