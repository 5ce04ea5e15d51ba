package org.sparktrain.driver.spec;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.sparktrain.driver.spec.JobSpec.BadRecordPolicy;
import org.sparktrain.driver.spec.JobSpec.Format;
import org.sparktrain.worker.augment.AugmentationConfig;
import org.sparktrain.worker.backend.BackendChoice;
import org.sparktrain.worker.data.NormalizationMethod;
import org.sparktrain.worker.model.ModelConfig;
import org.sparktrain.worker.optim.OptimizerConfig;
import org.sparktrain.worker.optim.OuterOptimizer;
import org.sparktrain.worker.sync.SyncPrecision;

/**
 * Turns a YAML job spec into a {@link JobSpec}. Relative paths in the spec are resolved against
 * the spec file's folder, so a spec and its data can travel together.
 */
public final class JobSpecParser {
  private static final double FRACTION_TOLERANCE = 1e-9;

  private JobSpecParser() {}

  public static JobSpec parseFile(Path file) {
    return parseFile(file, List.of());
  }

  /**
   * @param overrides {@code key.path=value} changes applied before parsing
   *     ({@link SpecOverrides}), as given by {@code --set}
   */
  public static JobSpec parseFile(Path file, List<String> overrides) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new SpecException("cannot read job spec " + file + ": " + e.getMessage());
    }
    Path base = file.toAbsolutePath().getParent();
    try {
      return parse(text, base, overrides);
    } catch (SpecException e) {
      throw new SpecException(file + (overrides.isEmpty() ? "" : " with --set/--output") + ": "
          + e.getMessage());
    }
  }

  public static JobSpec parse(String yamlText, Path baseDir) {
    return parse(yamlText, baseDir, List.of());
  }

  private static JobSpec parse(String yamlText, Path baseDir, List<String> overrides) {
    Object parsed = BoundedYaml.load(yamlText, "the job spec");
    return fromTree(SpecOverrides.apply(parsed, overrides), baseDir);
  }

  /**
   * A spec given as the nested maps and lists that YAML would give (String keys; Integer, Long,
   * Double, Boolean and String values), for specs built in code: same checks, same messages.
   */
  public static JobSpec parseTree(Map<String, ?> tree, Path baseDir) {
    return fromTree(tree, baseDir);
  }

  /**
   * Reads the whole spec, going on past a mistake (a stand-in value takes the bad one's place),
   * so that one run names every mistake with its key path; then throws them all at once.
   */
  private static JobSpec fromTree(Object parsed, Path baseDir) {
    // First, and alone: any later message might quote the value.
    SpecSecrets.refuseIn(parsed);
    SpecNode root = SpecNode.root(parsed);
    JobSpec spec;
    try {
      spec = read(root, baseDir);
    } catch (RuntimeException e) {
      root.throwProblems(e);
      throw e;
    }
    root.throwProblems(null);
    return spec;
  }

  /**
   * The path of every key the parser asks for while it reads this spec: the keys it accepts in
   * this spec's context (its model, data format, optimizer...). For the test that holds the
   * parser and {@link org.sparktrain.driver.spec.keys.SpecKeys} to each other.
   */
  static Set<String> keysRead(Map<String, ?> tree, Path baseDir) {
    SpecNode root = SpecNode.root(tree);
    try {
      read(root, baseDir);
    } catch (SpecException e) {
      // The keys asked for before a mistake that ends the reading were asked all the same.
    }
    return root.asked();
  }

  private static JobSpec read(SpecNode root, Path baseDir) {
    SpecNode model = root.section("model");
    ModelConfig modelConfig = ModelSpecs.parse(model, baseDir);
    String teacher = model.has("teacher") ? resolve(model.string("teacher", null), baseDir)
        : null;
    if (teacher != null && !(modelConfig.kind() == ModelConfig.Kind.CLASSES
        && modelConfig.oneHotLabels())) {
      throw new SpecException(model.pathOf("teacher") + ": distillation is for classifiers with "
          + "one softmax output per class (mlp, resnet, logistic, dl4j with a softmax output); "
          + "model " + modelConfig.name() + " is not one");
    }
    model.finish();
    // Each section below is read even when an earlier one has a mistake, so one message names
    // them all; a section whose own check failed stands as null until the mistakes are thrown.
    JobSpec.Data data = root.recording(() -> parseData(root.section("data"), baseDir,
        modelConfig));
    JobSpec.Preprocess preprocess = root.recording(() -> parsePreprocess(
        root.section("preprocess"), modelConfig));
    JobSpec.Train train = root.recording(() -> parseTrain(root.section("train"), modelConfig,
        baseDir, teacher));
    if (train != null && data != null && train.earlyStopping() != null
        && data.validationFraction() == 0) {
      root.record("train.earlyStopping needs validation data: data.split.validation is 0 (set "
          + "it above 0, e.g. 0.1)");
    }
    SpecNode evalNode = root.section("eval");
    JobSpec.Eval eval = new JobSpec.Eval(
        evalNode.integer("validateEveryRounds"));
    evalNode.finish();
    JobSpec.Checkpoint checkpoint = root.recording(() -> parseCheckpoint(
        root.section("checkpoint")));
    SpecNode outputNode = root.section("output");
    JobSpec.Output output = new JobSpec.Output(
        resolve(outputNode.string("dir"), baseDir));
    outputNode.finish();
    root.finish();
    root.throwProblems(null);
    return new JobSpec(data, preprocess, modelConfig, train, eval, checkpoint, output);
  }

  private static JobSpec.Checkpoint parseCheckpoint(SpecNode c) {
    int everyRounds = c.integer("everyRounds");
    boolean everyEpoch = c.bool("everyEpoch");
    double everyMinutes = c.number("everyMinutes");
    int keepLast = c.integer("keepLast");
    String keepBestBy = c.string("keepBestBy");
    if (!Set.of("none", "accuracy", "macroF1", "mse", "mae", "r2")
        .contains(keepBestBy)) {
      c.record(c.pathOf("keepBestBy") + ": " + SpecNode.describe(keepBestBy)
          + " is not allowed (must be one "
          + "of none, accuracy, macroF1, mse, mae, r2)");
      keepBestBy = "none";
    }
    String onFailure = c.string("onWriteFailure");
    if (!onFailure.equals("continue") && !onFailure.equals("stop")) {
      c.record(c.pathOf("onWriteFailure") + ": " + SpecNode.describe(onFailure)
          + " is not allowed (must be "
          + "one of continue, stop)");
    }
    int retries = c.integer("retries");
    long backoff = c.longValue("retryBackoffMs");
    c.finish();
    return new JobSpec.Checkpoint(everyRounds, everyEpoch, everyMinutes, keepLast,
        keepBestBy.equals("none") ? null : keepBestBy, onFailure.equals("stop"), retries,
        backoff);
  }

  private static JobSpec.Data parseData(SpecNode d, Path base, ModelConfig model) {
    String formatName = d.string("format", "csv").trim();
    boolean catalogSource = d.has("table") || d.has("query");
    // csv with the label named (not numbered) is read by Spark's CSV reader, as a table.
    boolean sparkCsv = formatName.equalsIgnoreCase("csv") && d.isText("labelColumn");
    Format format = catalogSource || sparkCsv ? Format.TABLE : formatOf(d, formatName);
    if (format == Format.TABLE) {
      return parseTableData(d, base, model, catalogSource ? null : formatName.toLowerCase(
          Locale.ROOT));
    }
    String uri = resolve(d.requiredString("uri", "digits.csv.gz"), base);
    int labelColumn = d.integer("labelColumn", -1, Integer.MIN_VALUE, Integer.MAX_VALUE);
    boolean header = d.bool("header", false);
    int numClasses = numClasses(d, model, false);
    // Rows are dense float vectors: 16M features is 64 MB per record already.
    int numFeatures = d.integer("numFeatures", 0, 0, 1 << 24);
    if (format == Format.LIBSVM && numFeatures == 0) {
      d.record(d.pathOf("numFeatures") + " is required for format libsvm "
          + "(the highest feature index)");
    }
    String labelsUri = resolveOrNull(d.string("labelsUri", null), base);
    String testUri = resolveOrNull(d.string("testUri", null), base);
    String testLabelsUri = resolveOrNull(d.string("testLabelsUri", null), base);
    if (format == Format.IDX && labelsUri == null) {
      d.record(d.pathOf("labelsUri") + " is required for format idx (the label "
          + "file paired with data.uri's images, e.g. train-labels-idx1-ubyte.gz)");
    }
    if (format == Format.IDX && testUri != null && testLabelsUri == null) {
      d.record(d.pathOf("testLabelsUri") + " is required when data.testUri is "
          + "set for format idx");
    }
    if (format != Format.IDX && (labelsUri != null || testLabelsUri != null)) {
      d.record(d.pathOf(labelsUri != null ? "labelsUri" : "testLabelsUri")
          + " is only allowed for format idx (got format " + format.name().toLowerCase() + ")");
    }
    JobSpec.Text text = null;
    String textIsForLanguageModels = "format text is for language models, gpt and bert; the "
        + "others read csv, idx or libsvm";
    String wrongFormat = switch (model.kind()) {
      case NEXT_TOKEN, MASKED_TOKENS -> format == Format.TEXT ? null : textIsForLanguageModels;
      case CLASSES, VALUES -> format != Format.TEXT ? null : textIsForLanguageModels;
      case TEXT_CLASSES -> format == Format.CSV ? null : "it reads csv: a text column and a label";
    };
    if (wrongFormat != null) {
      d.record(d.pathOf("format") + ": " + format.name().toLowerCase()
          + " does not go with model " + model.name() + " (" + wrongFormat + ")");
    }
    boolean textClassifier = model.kind() == ModelConfig.Kind.TEXT_CLASSES;
    if (format == Format.TEXT || textClassifier) {
      JobSpec.TokenizerKind kind = d.choice("tokenizer", JobSpec.TokenizerKind.CHAR,
          JobSpec.TokenizerKind.class);
      int vocabSize = kind == JobSpec.TokenizerKind.BPE
          ? d.integer("vocabSize", 4000, 261, 1_000_000) : 0;
      JobSpec.DocumentUnit documents = format == Format.TEXT ? d.choice("documents",
          JobSpec.DocumentUnit.FILE, JobSpec.DocumentUnit.class) : JobSpec.DocumentUnit.FILE;
      int textColumn = textClassifier ? d.integer("textColumn", 0, Integer.MIN_VALUE,
          Integer.MAX_VALUE) : 0;
      text = new JobSpec.Text(kind, vocabSize, documents, textColumn);
    }
    double[] fractions = parseSplit(d, testUri, format == Format.TEXT);
    double train = fractions[0];
    double validation = fractions[1];
    double test = fractions[2];
    if (textClassifier && testUri != null) {
      d.record(d.pathOf("testUri") + " is not supported for bert-classifier "
          + "(split one CSV with split.test)");
    }
    if (format == Format.TEXT && (test != 0 || testUri != null)) {
      d.record(d.pathOf("split.test") + ": a text corpus is split into train and "
          + "validation documents only (split.test must be 0 and testUri unset)");
    }
    d.finish();
    return new JobSpec.Data(uri, format, labelColumn, header, numClasses, numFeatures, labelsUri,
        testUri, testLabelsUri, train, validation, test, text, null);
  }

  /** data.split as {train, validation, test}. */
  private static double[] parseSplit(SpecNode d, String testUri, boolean text) {
    SpecNode split = d.section("split");
    double test = split.number("test", testUri == null && !text ? 0.15 : 0.0, 0, false, 1);
    double validation = split.number("validation", 0.05, 0, false, 1);
    double train = split.number("train", 1 - test - validation, 0, true, 1);
    split.finish();
    if (Math.abs(train + validation + test - 1) > FRACTION_TOLERANCE) {
      d.record(d.pathOf("split") + ": train " + train + " + validation "
          + validation + " + test " + test + " = " + (train + validation + test)
          + " (the fractions must add up to 1)");
    }
    if (testUri != null && test != 0) {
      d.record(d.pathOf("split.test") + ": " + test + " is not allowed when "
          + "data.testUri names a separate test set (must be 0)");
    }
    return new double[] {train, validation, test};
  }

  private static Format formatOf(SpecNode d, String name) {
    for (Format f : new Format[] {Format.CSV, Format.IDX, Format.LIBSVM, Format.TEXT}) {
      if (f.name().equalsIgnoreCase(name)) {
        return f;
      }
    }
    if (name.equalsIgnoreCase("table")) {
      throw new SpecException(d.pathOf("format") + ": 'table' needs data.table (a catalog "
          + "table's name) or data.query (a Spark SQL query)");
    }
    if (!name.matches("[A-Za-z][A-Za-z0-9_.\\-]*")) {
      throw new SpecException(d.pathOf("format") + ": " + SpecNode.describe(name)
          + " is not allowed (csv, idx, "
          + "libsvm, text, or a format Spark reads: parquet, orc, json, avro, delta, ...)");
    }
    return Format.TABLE;
  }

  /**
   * The classes a classification model needs: given by the spec, or (table data,
   * {@code fromLabels}) counted from the training split's labels when absent (numClasses 0).
   */
  private static int numClasses(SpecNode d, ModelConfig model, boolean fromLabels) {
    if (model.kind().languageModel()) {
      // The vocabulary is the tokenizer's, trained on the data.
      return d.integer("numClasses", 0, 0, 0);
    } else if (!model.kind().classification()) {
      return d.integer("numClasses", 0, 0, 0);
    } else if (model.outputWidth(2) == 1 && !model.oneHotLabels()) {
      return d.integer("numClasses", 2, 2, 2);
    } else if (!d.has("numClasses") && !fromLabels) {
      d.record(d.pathOf("numClasses") + " is required for a classification model (the "
          + "number of classes; labels must be integers 0..numClasses-1)");
      return 2;
    }
    return d.integer("numClasses", 0, 2, 1_000_000);
  }

  /** {@code data} read with Spark SQL: files of any format Spark reads, a table or a query. */
  private static JobSpec.Data parseTableData(SpecNode d, Path base, ModelConfig model,
      String sourceFormat) {
    if (model.kind() != ModelConfig.Kind.CLASSES && model.kind() != ModelConfig.Kind.VALUES) {
      d.record(d.pathOf("format") + ": model " + model.name() + " does not read "
          + "tables (tables are for mlp, logistic and resnet; text models read format text or "
          + "csv)");
    }
    String table = d.string("table", null);
    String query = d.string("query", null);
    String uri = resolveOrNull(d.string("uri", null), base);
    int given = (table != null ? 1 : 0) + (query != null ? 1 : 0) + (uri != null ? 1 : 0);
    if (given != 1) {
      d.record(d.pathOf(given == 0 ? "uri" : "table") + ": give exactly one of "
          + "data.uri (files, with data.format), data.table (a catalog table) or data.query "
          + "(a Spark SQL query)");
    }
    if (uri == null && !d.string("format", "table").equalsIgnoreCase("table")) {
      d.record(d.pathOf("format") + " is for files (data.uri); data."
          + (table != null ? "table" : "query") + " is read through Spark's catalog (remove "
          + "data.format or set it to table)");
    }
    Map<String, String> options = d.stringMap("options");
    if (uri == null && !options.isEmpty()) {
      d.record(d.pathOf("options") + " are reader options for files (data.uri); "
          + "a table or query has none");
    }
    String what = uri == null ? "a table or query" : "format " + sourceFormat;
    if (!d.isText("labelColumn")) {
      d.record(d.pathOf("labelColumn") + " is required by name for " + what
          + " (the column holding the label, e.g. species)");
    }
    String labelColumn = d.string("labelColumn", null);
    List<String> features = d.stringList("featureColumns", 100_000);
    if (features != null && features.contains(labelColumn)) {
      d.record(d.pathOf("featureColumns") + ": " + SpecNode.describe(labelColumn) + " is the "
          + "label column (data.labelColumn); it cannot also be a feature");
    }
    List<String> categorical = d.stringList("categorical", 100_000);
    if (categorical != null && features != null) {
      for (String c : categorical) {
        if (!features.contains(c)) {
          d.record(d.pathOf("categorical") + ": " + SpecNode.describe(c) + " is not among "
              + "data.featureColumns " + features);
        }
      }
    }
    int maxCategories = d.integer("maxCategories", 100, 1, 100_000);
    int numClasses = numClasses(d, model, true);
    for (String key : new String[] {"header", "numFeatures", "labelsUri", "testLabelsUri"}) {
      if (d.has(key)) {
        d.record(d.pathOf(key) + " is not used for " + what + (key.equals(
            "header") ? " (Spark's reader takes it in data.options: {header: true})" : ""));
      }
    }
    String testUri = resolveOrNull(d.string("testUri", null), base);
    if (testUri != null && uri == null) {
      d.record(d.pathOf("testUri") + " is for files (data.uri); split a table "
          + "or query with data.split.test");
    }
    double[] split = parseSplit(d, testUri, false);
    d.finish();
    JobSpec.Table source = new JobSpec.Table(uri == null ? null : sourceFormat, options, table,
        query, features == null ? List.of() : features, labelColumn, categorical,
        maxCategories);
    return new JobSpec.Data(uri, Format.TABLE, 0, false, numClasses, 0, null, testUri, null,
        split[0], split[1], split[2], null, source);
  }


  private static JobSpec.Preprocess parsePreprocess(SpecNode p, ModelConfig model) {
    BadRecordPolicy badRecords = p.choice("badRecords", BadRecordPolicy.DROP,
        BadRecordPolicy.class);
    NormalizationMethod normalize = p.choice("normalize", NormalizationMethod.STANDARDIZE,
        NormalizationMethod.class);
    AugmentationConfig augmentation = null;
    if (p.has("augmentation")) {
      augmentation = parseAugmentation(p.section("augmentation"));
      if (model.kind().languageModel()) {
        p.record(p.pathOf("augmentation") + " is for images; model "
            + model.name() + " reads text");
      }
      if (normalize != NormalizationMethod.SCALE && normalize != NormalizationMethod.NONE) {
        p.record(p.pathOf("augmentation") + " needs preprocess.normalize: scale "
            + "or none (got " + normalize.key() + "): moving pixels between positions that "
            + "were normalized with different per-pixel statistics would corrupt them");
      }
    }
    JobSpec.MissingValues missing = parseMissing(p);
    double scaleBy = 0;
    if (p.has("scaleBy")) {
      scaleBy = p.number("scaleBy", 1, 0, true, 1e12);
      if (normalize != NormalizationMethod.NONE) {
        p.record(p.pathOf("scaleBy") + " replaces fitted statistics: it needs "
            + "preprocess.normalize: none (got " + normalize.key() + ")");
      }
    }
    p.finish();
    return new JobSpec.Preprocess(badRecords, normalize, augmentation, missing, scaleBy);
  }

  /**
   * {@code preprocess.missing}: one policy (number columns take it; category columns take
   * mostFrequent for mean and median) or {@code {numeric: ..., categorical: ...}}.
   */
  private static JobSpec.MissingValues parseMissing(SpecNode p) {
    if (!p.has("missing")) {
      return JobSpec.MissingValues.DROP;
    }
    if (p.isText("missing")) {
      JobSpec.MissingPolicy policy = missingPolicy(p, "missing", p.string("missing", null));
      return new JobSpec.MissingValues(policy, policy == JobSpec.MissingPolicy.DROP
          ? JobSpec.MissingPolicy.DROP : JobSpec.MissingPolicy.MOST_FREQUENT);
    }
    SpecNode m = p.section("missing");
    JobSpec.MissingPolicy numeric = missingPolicy(m, "numeric", m.string("numeric", "drop"));
    JobSpec.MissingPolicy categorical = missingPolicy(m, "categorical",
        m.string("categorical", "drop"));
    if (categorical == JobSpec.MissingPolicy.MEAN || categorical == JobSpec.MissingPolicy.MEDIAN) {
      m.record(m.pathOf("categorical") + ": " + SpecNode.describe(categorical.key())
          + " is not allowed for "
          + "category columns (must be one of drop, mostFrequent)");
    }
    m.finish();
    return new JobSpec.MissingValues(numeric, categorical);
  }

  private static JobSpec.MissingPolicy missingPolicy(SpecNode node, String key, String value) {
    for (JobSpec.MissingPolicy policy : JobSpec.MissingPolicy.values()) {
      if (policy.key().equalsIgnoreCase(value)) {
        return policy;
      }
    }
    node.record(node.pathOf(key) + ": " + SpecNode.describe(value)
        + " is not allowed (must be one of drop, "
        + "mean, median, mostFrequent)");
    return JobSpec.MissingPolicy.DROP;
  }

  /** Every augmentation is off unless its probability is set. */
  private static AugmentationConfig parseAugmentation(SpecNode a) {
    int shift = a.integer("shiftPixels");
    double pShift = a.number("pShift", shift > 0 ? 0.5 : 0, 0, false, 1);
    double rotation = a.number("rotationDegrees");
    double pRotate = a.number("pRotate", rotation > 0 ? 0.5 : 0, 0, false, 1);
    double scaleMin = a.number("scaleMin");
    double scaleMax = a.number("scaleMax");
    if (scaleMin > scaleMax) {
      a.record(a.pathOf("scaleMin") + ": " + scaleMin + " is not allowed (must be <= scaleMax "
          + scaleMax + ")");
      scaleMin = scaleMax;
    }
    double pScale = a.number("pScale", scaleMin != 1 || scaleMax != 1 ? 0.5 : 0, 0, false, 1);
    double pFlip = a.number("pFlipHorizontal");
    a.finish();
    return new AugmentationConfig(shift, pShift, rotation, pRotate, scaleMin, scaleMax, pScale,
        pFlip);
  }

  private static JobSpec.Train parseTrain(SpecNode t, ModelConfig model, Path baseDir,
      String teacher) {
    int epochs = t.integer("epochs");
    int batchSize = t.integer("batchSize");
    int workers = t.integer("workers");
    int averagingFrequency = t.integer("averagingFrequency");
    SpecNode o = t.section("optimizer");
    OptimizerConfig.Kind kind = o.choice("name", OptimizerConfig.Kind.ADAM,
        OptimizerConfig.Kind.class);
    double defaultLr = kind == OptimizerConfig.Kind.ADAM ? 1e-3 : 0.01;
    double lr = o.number("learningRate", defaultLr, 0, true, 10);
    double momentum = kind == OptimizerConfig.Kind.NESTEROV
        ? o.number("momentum") : 0.9;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double epsilon = 1e-8;
    if (kind == OptimizerConfig.Kind.ADAM) {
      beta1 = o.number("beta1", beta1, 0, false, 0.9999);
      beta2 = o.number("beta2", beta2, 0, false, 0.999999);
      epsilon = o.number("epsilon", epsilon, 0, true, 1);
    }
    OptimizerConfig.Decay decay = o.choice("decay", o.has("decayRate")
        ? OptimizerConfig.Decay.STEP : OptimizerConfig.Decay.NONE, OptimizerConfig.Decay.class);
    double decayRate = 1.0;
    int decayEvery = 1;
    if (decay == OptimizerConfig.Decay.STEP) {
      if (!o.has("decayRate")) {
        o.record(o.pathOf("decayRate") + " is required for decay: step (the "
            + "factor the rate is multiplied by every decayEveryEpochs epochs, e.g. 0.5)");
      }
      decayRate = o.number("decayRate", 1.0, 0, true, 1);
      decayEvery = o.integer("decayEveryEpochs");
    }
    for (String stepKey : new String[] {"decayRate", "decayEveryEpochs"}) {
      if (decay != OptimizerConfig.Decay.STEP && o.has(stepKey)) {
        o.record(o.pathOf(stepKey) + " is for decay: step (got decay: "
            + decay.key() + ")");
      }
    }
    if (decay != OptimizerConfig.Decay.COSINE && o.has("minLearningRate")) {
      o.record(o.pathOf("minLearningRate") + " is for decay: cosine (got decay: "
          + decay.key() + ")");
    }
    double minLr = 0;
    if (decay == OptimizerConfig.Decay.COSINE) {
      minLr = o.number("minLearningRate", 0, 0, false, lr);
    }
    int warmupSteps = o.integer("warmupSteps");
    // finish() names any key left over, e.g. decayRate next to decay: cosine.
    o.finish();
    boolean averageState = t.bool("averageOptimizerState");
    long seed = t.longValue("seed");
    int threads = t.integer("threadsPerWorker");
    BackendChoice backend = t.choice("backend", BackendChoice.AUTO, BackendChoice.class);
    JobSpec.SyncMode sync = t.choice("sync", JobSpec.SyncMode.AUTO, JobSpec.SyncMode.class);
    SyncPrecision precision = t.choice("syncPrecision", SyncPrecision.FLOAT32,
        SyncPrecision.class);
    OuterOptimizer outer = parseOuter(t.section("outer"));
    JobSpec.EarlyStopping earlyStopping = t.has("earlyStopping")
        ? parseEarlyStopping(t.section("earlyStopping"), model) : null;
    JobSpec.Init init = t.has("init") ? parseInit(t.section("init"), baseDir) : null;
    JobSpec.Distillation distillation = parseDistillation(t, teacher);
    JobSpec.OnDivergence onDivergence = parseOnDivergence(t.section("onDivergence"));
    JobSpec.Privacy privacy = t.has("privacy") ? parsePrivacy(t.section("privacy")) : null;
    if (privacy != null && distillation != null) {
      t.record(t.pathOf("privacy") + " cannot be combined with train.distillation: the "
          + "teacher's outputs on the training data are not privatized");
    }
    if (privacy != null && onDivergence.rollbacks() > 0) {
      t.record(t.pathOf("privacy") + " cannot be combined with train.onDivergence "
          + "rollbacks: the rounds a rollback undoes ran on the training data too, and their "
          + "steps would go unaccounted; lower the learning rate instead");
    }
    t.finish();
    return new JobSpec.Train(epochs, batchSize, workers, averagingFrequency,
        new OptimizerConfig(kind, lr, momentum, beta1, beta2, epsilon, decayRate, decayEvery,
            warmupSteps, decay, 0, minLr),
        averageState, seed, threads, backend, sync, outer, earlyStopping, precision, init,
        distillation, onDivergence, privacy);
  }

  /**
   * {@code train.privacy}: {@code noiseMultiplier} and/or {@code targetEpsilon}, {@code delta},
   * {@code clipNorm}, {@code microbatchSize}, {@code sampling} (only poisson: the accountant's
   * amplification holds for the sampling it assumes, and shuffled fixed-size batches accounted
   * as Poisson overstate the guarantee).
   */
  private static JobSpec.Privacy parsePrivacy(SpecNode p) {
    double noise = p.has("noiseMultiplier")
        ? p.number("noiseMultiplier", 1, 0, true, 1000) : Double.NaN;
    double target = p.has("targetEpsilon")
        ? p.number("targetEpsilon", 1, 0, true, 1000) : Double.NaN;
    if (!p.has("noiseMultiplier") && !p.has("targetEpsilon")) {
      p.record(p.pathOf("noiseMultiplier") + " or " + p.pathOf("targetEpsilon")
          + " is required: the noise (e.g. 1.1), or the epsilon the run may spend (e.g. 3)");
    }
    // 1e-5 is below 1/N for any data set up to 100,000 examples, the usual rule.
    double delta = p.number("delta");
    double clipNorm = p.number("clipNorm");
    int microbatchSize = p.integer("microbatchSize");
    String sampling = p.string("sampling");
    if (!sampling.equals("poisson")) {
      p.record(p.pathOf("sampling") + ": '" + sampling.substring(0, Math.min(40, sampling.length())) + "' is not allowed "
          + "(must be poisson: the accountant's guarantee holds only for the sampling it "
          + "assumes)");
    }
    p.finish();
    return new JobSpec.Privacy(noise, target, delta, clipNorm, microbatchSize);
  }

  /** {@code train.onDivergence}: {@code rollbacks} (0 = stop) and {@code learningRateFactor}. */
  private static JobSpec.OnDivergence parseOnDivergence(SpecNode d) {
    int rollbacks = d.integer("rollbacks");
    double factor = d.number("learningRateFactor");
    d.finish();
    return new JobSpec.OnDivergence(rollbacks, factor);
  }

  /**
   * {@code train.distillation}: {@code temperature} and {@code alpha}, for a spec with a
   * {@code model.teacher}; null without one.
   */
  private static JobSpec.Distillation parseDistillation(SpecNode t, String teacher) {
    if (teacher == null) {
      if (t.has("distillation")) {
        t.record(t.pathOf("distillation") + " needs model.teacher: the model "
            + "folder of the teacher to learn from (a run's model/)");
      }
      return null;
    }
    SpecNode d = t.section("distillation");
    // Hinton et al. (2015) found temperatures of a few units and a heavy soft term work well.
    double temperature = d.number("temperature");
    double alpha = d.number("alpha");
    d.finish();
    return new JobSpec.Distillation(teacher, temperature, alpha);
  }

  /** {@code train.init}: {@code model} (required) and {@code keepZeros}. */
  private static JobSpec.Init parseInit(SpecNode i, Path baseDir) {
    if (!i.has("model")) {
      throw new SpecException(i.pathOf("model") + " is required: the model folder to start "
          + "from (a run's model/, or one sparktrain compress wrote)");
    }
    String model = resolve(i.string("model", null), baseDir);
    boolean keepZeros = i.bool("keepZeros");
    i.finish();
    return new JobSpec.Init(model, keepZeros);
  }

  /** {@code train.outer}: null for {@code none} (plain averaging). */
  private static OuterOptimizer parseOuter(SpecNode o) {
    String name = o.string("name");
    if (!name.equals("none") && !name.equals("nesterov")) {
      o.record(o.pathOf("name") + ": " + SpecNode.describe(name)
          + " is not allowed (must be one of none, "
          + "nesterov)");
    }
    OuterOptimizer outer = null;
    if (name.equals("nesterov")) {
      // DiLoCo's values (Douillard et al., 2023).
      outer = new OuterOptimizer(o.number("learningRate"),
          o.number("momentum"));
    }
    o.finish();
    return outer;
  }

  /** The validation metrics a model reports, the first being the default to stop on. */
  private static List<String> validationMetrics(ModelConfig model) {
    return switch (model.kind()) {
      case MASKED_TOKENS -> List.of("maskedLoss", "maskedAccuracy");
      case NEXT_TOKEN -> List.of("loss", "perplexity");
      case CLASSES, TEXT_CLASSES -> List.of("accuracy", "macroF1");
      case VALUES -> List.of("mse", "mae", "r2");
    };
  }

  private static JobSpec.EarlyStopping parseEarlyStopping(SpecNode e, ModelConfig model) {
    List<String> allowed = validationMetrics(model);
    String metric = e.string("metric", allowed.get(0));
    if (!allowed.contains(metric)) {
      e.record(e.pathOf("metric") + ": " + SpecNode.describe(metric) + " is not allowed for model "
          + model.name() + " (must be one of " + String.join(", ", allowed) + ")");
    }
    int patience = e.integer("patience");
    double minDelta = e.number("minDelta");
    e.finish();
    return new JobSpec.EarlyStopping(metric, patience, minDelta);
  }

  private static String resolveOrNull(String uri, Path base) {
    return uri == null ? null : resolve(uri, base);
  }

  /**
   * Leaves URIs with a scheme alone; makes plain relative paths absolute against base (the
   * working directory when base is null).
   */
  public static String resolve(String uri, Path base) {
    if (hasScheme(uri)) {
      return uri;
    }
    Path p = Path.of(uri);
    if (!p.isAbsolute() && base != null) {
      p = base.resolve(p).normalize();
    }
    return p.toAbsolutePath().toUri().toString();
  }

  private static boolean hasScheme(String uri) {
    try {
      String scheme = URI.create(uri.replace(" ", "%20")).getScheme();
      return scheme != null && scheme.length() > 1;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
