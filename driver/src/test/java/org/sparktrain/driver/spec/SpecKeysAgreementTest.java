package org.sparktrain.driver.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sparktrain.driver.spec.keys.SpecKey;
import org.sparktrain.driver.spec.keys.SpecKeys;

/**
 * The key table and the parser agree: the parser reads exactly the keys the table declares,
 * with the table's defaults, bounds and choices. The parser asks only for declared keys (it
 * throws otherwise, see {@code SpecNode}); these specs, one per context that opens keys of its
 * own (model, data format, optimizer, ...), prove every declared key is read somewhere.
 */
class SpecKeysAgreementTest {
  private static final Path BASE = Path.of("/data/specs");

  /** Specs that together reach every key; each but the last parses. */
  private static final List<String> CONTEXTS = List.of("""
      data: {uri: d.csv, numClasses: 10, header: true, labelColumn: 0, numFeatures: 4,
             testUri: t.csv, split: {train: 0.9, validation: 0.1, test: 0}}
      preprocess: {badRecords: fail, normalize: minmax}
      model: {name: mlp, hidden: [8], activation: tanh, dropout: 0.1, task: classification}
      train:
        epochs: 1
        batchSize: 8
        workers: 1
        averagingFrequency: 2
        optimizer: {name: nesterov, learningRate: 0.1, momentum: 0.8, decay: step,
                    decayRate: 0.5, decayEveryEpochs: 2, warmupSteps: 3}
        averageOptimizerState: false
        seed: 1
        threadsPerWorker: 1
        backend: cpu
        sync: driver
        syncPrecision: bfloat16
        outer: {name: nesterov, learningRate: 0.5, momentum: 0.8}
        earlyStopping: {metric: accuracy, patience: 2, minDelta: 0.01}
        init: {model: m, keepZeros: true}
        onDivergence: {rollbacks: 2, learningRateFactor: 0.25}
      eval: {validateEveryRounds: 10}
      checkpoint: {everyRounds: 5, everyEpoch: false, everyMinutes: 1, keepLast: 2,
                   keepBestBy: accuracy, onWriteFailure: stop, retries: 1, retryBackoffMs: 10}
      output: {dir: out}
      """, """
      data: {uri: i.gz, format: idx, labelsUri: l.gz, testUri: t.gz, testLabelsUri: tl.gz,
             numClasses: 10}
      preprocess:
        normalize: scale
        augmentation: {shiftPixels: 2, pShift: 0.4, rotationDegrees: 10, pRotate: 0.3,
                       scaleMin: 0.9, scaleMax: 1.1, pScale: 0.2, pFlipHorizontal: 0.1}
      model: {name: resnet, inputShape: [28, 28, 1], stemWidth: 8, stemStride: 2,
              widths: [8, 16], blocksPerStage: 2}
      train:
        optimizer: {name: adam, learningRate: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1.0e-7,
                    decay: cosine, minLearningRate: 0.001}
        privacy: {noiseMultiplier: 1.1, targetEpsilon: 3, delta: 1.0e-6, clipNorm: 2,
                  microbatchSize: 2, sampling: poisson}
      """, """
      data: {uri: c.txt, format: text, tokenizer: bpe, vocabSize: 300, documents: paragraph,
             split: {train: 0.9, validation: 0.1}}
      model: {name: gpt, blockSize: 32, layers: 2, width: 32, heads: 4}
      """, """
      data: {uri: r.csv, textColumn: 0, labelColumn: 1, numClasses: 2}
      model: {name: bert-classifier, pretrained: p, blockSize: 32, layers: 2, width: 32,
              heads: 4}
      """, """
      data: {uri: p.parquet, format: parquet, options: {mergeSchema: true},
             labelColumn: species, featureColumns: [a, b], categorical: [b], maxCategories: 10,
             numClasses: 3}
      preprocess: {missing: {numeric: mean, categorical: mostFrequent}, normalize: none,
                   scaleBy: 255}
      model: {name: mlp, teacher: teacher/model}
      train: {distillation: {temperature: 2, alpha: 0.5}}
      """, """
      data: {uri: d.csv, numClasses: 2}
      model: {name: dl4j, configuration: /nonexistent/mlp.json}
      """);

  /** Keys whose bound or choices depend on other keys, so the parser's message shows others. */
  private static final Set<String> CONTEXT_DEPENDENT = Set.of(
      "data.numClasses",                  // per model: 2 for one sigmoid output, 0 for a regressor
      "train.optimizer.minLearningRate",  // at most the learning rate
      "train.earlyStopping.metric",       // the metrics the model reports
      "train.privacy.sampling",           // its message explains why only poisson
      "preprocess.missing.categorical");  // mean and median are refused after they are read

  @Test
  void theParserReadsExactlyTheDeclaredKeys() {
    Set<String> read = new LinkedHashSet<>();
    for (String context : CONTEXTS) {
      read.addAll(JobSpecParser.keysRead(tree(context), BASE));
    }
    Set<String> declared = new LinkedHashSet<>();
    SpecKeys.all().forEach(key -> declared.add(key.path()));
    Set<String> notRead = new LinkedHashSet<>(declared);
    notRead.removeAll(read);
    assertThat(notRead).as("declared in SpecKeys but never read by the parser (remove them, "
        + "or add a spec that reaches them to CONTEXTS)").isEmpty();
    assertThat(read).as("read by the parser").isSubsetOf(declared);
  }

  @Test
  void theContextsAreValidSpecs() {
    for (String context : CONTEXTS.subList(0, CONTEXTS.size() - 1)) {
      JobSpecParser.parseTree(tree(context), BASE);
    }
    assertThatThrownBy(() -> JobSpecParser.parseTree(tree(CONTEXTS.get(CONTEXTS.size() - 1)),
        BASE)).hasMessageContaining("model.configuration: cannot read");
  }

  /** The resolved spec (spec.yaml, the start-of-run log line) holds declared keys only. */
  @Test
  void theEchoHoldsDeclaredKeysOnly() {
    Set<String> echoed = new LinkedHashSet<>();
    for (String context : CONTEXTS.subList(0, CONTEXTS.size() - 1)) {
      collectPaths("", JobSpecParser.parseTree(tree(context), BASE).toMap(), echoed);
    }
    assertThat(echoed).hasSizeGreaterThan(100);
    for (String path : echoed) {
      assertThat(SpecKeys.declares(path)).as("JobSpec.toMap echoes " + path
          + ", which SpecKeys does not declare").isTrue();
    }
  }

  private static void collectPaths(String prefix, Map<?, ?> map, Set<String> out) {
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String path = prefix + e.getKey();
      out.add(path);
      SpecKey key = SpecKeys.get(path);
      boolean freeNames = key != null && key.type() == SpecKey.Type.STRING_MAP;
      if (e.getValue() instanceof Map<?, ?> inner && !freeNames) {
        collectPaths(path + ".", inner, out);
      }
    }
  }

  /** Every bound and choice in the table is the one the parser enforces, message and all. */
  @Test
  void theParserRefusesWhatTheTableRefuses() {
    List<String> checked = new ArrayList<>();
    for (SpecKey key : SpecKeys.all()) {
      String expected = refusal(key);
      if (expected == null || CONTEXT_DEPENDENT.contains(key.path())) {
        continue;
      }
      Map<String, Object> spec = contextReading(key.path());
      put(spec, key.path(), badValue(key));
      assertThatThrownBy(() -> JobSpecParser.parseTree(spec, BASE)).as(key.path())
          .hasMessageContaining(key.path() + ": ").hasMessageContaining(expected);
      checked.add(key.path());
    }
    assertThat(checked).hasSizeGreaterThan(60);
  }

  /** Keys with a declared default that no context's resolved spec echoes. */
  private static final Set<String> NOT_ECHOED = Set.of(
      "preprocess.missing",               // echoed as {numeric, categorical}, each checked
      "train.onDivergence.rollbacks");    // the echo leaves onDivergence out at 0 rollbacks

  /**
   * Every default in the table is what the parser takes, as the resolved spec echoes it: the
   * key is removed from each context that reads it until one still parses.
   */
  @Test
  void theParserTakesTheTableDefaults() {
    Set<String> unchecked = new LinkedHashSet<>();
    for (SpecKey key : SpecKeys.all()) {
      if (key.defaultValue() == null || key.type() == SpecKey.Type.SECTION) {
        continue;
      }
      Object echoed = echoedDefault(key.path());
      if (echoed == null || echoed instanceof Map<?, ?>) {
        // Not echoed, or echoed in its finer form (preprocess.missing as {numeric, categorical}).
        unchecked.add(key.path());
      } else if (echoed instanceof String uri && uri.startsWith("file:")) {
        // A path: the echo holds it resolved against the spec's folder.
        assertThat(uri).as(key.path()).endsWith("/" + key.defaultValue());
      } else if (key.defaultValue() instanceof Number n) {
        assertThat(((Number) echoed).doubleValue()).as(key.path()).isEqualTo(n.doubleValue());
      } else {
        assertThat(echoed).as(key.path()).isEqualTo(key.defaultValue());
      }
    }
    assertThat(unchecked).as("keys whose default no context echoes").isEqualTo(NOT_ECHOED);
  }

  /** The value the echo holds for a key left out, in the first context where that parses. */
  private static Object echoedDefault(String path) {
    for (String context : CONTEXTS) {
      Map<String, Object> spec = tree(context);
      if (!JobSpecParser.keysRead(spec, BASE).contains(path)) {
        continue;
      }
      remove(spec, path);
      try {
        Object echoed = get(JobSpecParser.parseTree(spec, BASE).toMap(), path);
        if (echoed != null) {
          return echoed;
        }
      } catch (SpecException e) {
        // This context needs the key (e.g. vocabSize goes with tokenizer: bpe): try the next.
      }
    }
    return null;
  }

  /** What the parser's message says is allowed, from the table; null where nothing is bounded. */
  private static String refusal(SpecKey key) {
    return switch (key.type()) {
      case INTEGER -> key.min() == null ? null : "is not allowed (must be an integer "
          + (key.max() == null ? ">= " + key.min() : "in [" + key.min() + ", " + key.max()
          + "]") + ")";
      case NUMBER -> "is not allowed (must be a number in " + (key.minExclusive() ? "(" : "[")
          + key.min().doubleValue() + ", " + key.max().doubleValue() + "])";
      case CHOICE -> "'zzz' is not allowed (must be one of " + String.join(", ", key.allowed())
          + ")";
      case BOOLEAN -> "is not allowed (must be true or false)";
      default -> null;
    };
  }

  private static Object badValue(SpecKey key) {
    return switch (key.type()) {
      case INTEGER -> key.max() == null ? key.min().longValue() - 1 : key.max().longValue() + 1;
      case NUMBER -> key.max().doubleValue() * 2 + 1;
      case CHOICE -> "zzz";
      default -> "zzz";
    };
  }

  /** A fresh copy of the first context in which the parser reads this key. */
  private static Map<String, Object> contextReading(String path) {
    for (String context : CONTEXTS) {
      if (JobSpecParser.keysRead(tree(context), BASE).contains(path)) {
        return tree(context);
      }
    }
    return fail("no context reads " + path);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> tree(String yaml) {
    return (Map<String, Object>) BoundedYaml.load(yaml, "a test spec");
  }

  @SuppressWarnings("unchecked")
  private static void put(Map<String, Object> tree, String path, Object value) {
    String[] parts = path.split("\\.");
    Map<String, Object> node = tree;
    for (int i = 0; i < parts.length - 1; i++) {
      if (!(node.get(parts[i]) instanceof Map<?, ?>)) {
        node.put(parts[i], new LinkedHashMap<String, Object>());
      }
      node = (Map<String, Object>) node.get(parts[i]);
    }
    node.put(parts[parts.length - 1], value);
  }

  @SuppressWarnings("unchecked")
  private static void remove(Map<String, Object> tree, String path) {
    int dot = path.lastIndexOf('.');
    Object parent = dot < 0 ? tree : get(tree, path.substring(0, dot));
    if (parent instanceof Map<?, ?> map) {
      ((Map<String, Object>) map).remove(path.substring(dot + 1));
    }
  }

  private static Object get(Map<String, ?> tree, String path) {
    Object node = tree;
    for (String part : path.split("\\.")) {
      if (!(node instanceof Map<?, ?> map)) {
        return null;
      }
      node = map.get(part);
    }
    return node;
  }
}
