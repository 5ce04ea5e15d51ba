package org.sparktrain.driver.explain;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.driver.output.AtomicFiles;
import org.sparktrain.driver.output.ExplainPage;
import org.sparktrain.driver.output.Json;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.run.EvaluateJob;
import org.sparktrain.driver.spec.JobSpec;
import org.sparktrain.worker.data.ParsedRecord;
import org.sparktrain.worker.model.Network;

/**
 * {@code sparktrain explain}: which inputs a model relies on, on labelled data. Permutation
 * importance of every column, computed on the executors with confidence intervals, and
 * integrated-gradients attributions of chosen rows; written as explain.json and explain.html.
 */
public final class ExplainJob {
  private static final Logger LOG = LoggerFactory.getLogger(ExplainJob.class);
  public static final String JSON = "explain.json";
  public static final String HTML = "explain.html";

  /**
   * @param repeats shuffles per column
   * @param maxRows the first rows of the data used (importance costs columns x repeats passes)
   * @param rows row indexes (among those) whose attributions are computed
   * @param steps integrated gradients' path steps
   */
  public record Options(int repeats, int maxRows, List<Integer> rows, int steps, long seed) {
    public Options {
      if (repeats < 1) {
        throw new IllegalArgumentException("--repeats must be at least 1, got " + repeats);
      }
      if (maxRows < 1) {
        throw new IllegalArgumentException("--max-rows must be at least 1, got " + maxRows);
      }
      if (steps < 2) {
        throw new IllegalArgumentException("--steps must be at least 2, got " + steps);
      }
      rows = List.copyOf(rows);
    }
  }

  private ExplainJob() {}

  public static Map<String, Object> run(JavaSparkContext sc, String modelUri,
      EvaluateJob.DataOptions data, JobSpec.Table table, Options options, String outputUri)
      throws IOException {
    ModelBundle bundle = ModelBundle.load(modelUri, sc.hadoopConfiguration())
        .requireNumericInput("explain");
    ExplainData rows;
    List<ParsedRecord> records;
    List<String> classes;
    try (EvaluateJob.Labelled labelled = EvaluateJob.open(sc, modelUri, bundle, data, table,
        "explain")) {
      if (labelled.source().numFeatures() != bundle.numFeatures()) {
        throw new IllegalArgumentException(data.uri() + " has "
            + labelled.source().numFeatures() + " features, but the model at " + modelUri
            + " expects " + bundle.numFeatures());
      }
      records = labelled.source().records().filter(ParsedRecord::isOk).take(options.maxRows());
      rows = ExplainData.of(records, bundle.normalizer(), labelled.encoding());
      classes = labelled.encoding() == null ? null : labelled.encoding().labelClasses();
    }
    if (rows.rows() == 0) {
      throw new IllegalArgumentException("explain: " + data.uri() + " has no usable labelled "
          + "rows");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", bundle.modelName());
    out.put("from", modelUri);
    out.put("rows", rows.rows());
    long start = System.nanoTime();
    int tasks = sc.defaultParallelism();
    PermutationImportance.Result importance = PermutationImportance.onExecutors(sc,
        bundle.network(), bundle.classification(), rows, options.repeats(), options.seed(),
        tasks);
    Map<String, Object> perm = new LinkedHashMap<>();
    perm.put("score", importance.score());
    perm.put("baseline", importance.baseline());
    perm.put("repeats", importance.repeats());
    perm.put("seed", importance.seed());
    perm.put("tasks", tasks);
    perm.put("seconds", (System.nanoTime() - start) / 1e9);
    List<Map<String, Object>> columns = new ArrayList<>();
    importance.columns().stream()
        .sorted(Comparator.comparingDouble(PermutationImportance.Column::mean).reversed())
        .forEach(c -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("column", c.name());
          m.put("mean", c.mean());
          m.put("ciLow", c.ciLow());
          m.put("ciHigh", c.ciHigh());
          columns.add(m);
        });
    perm.put("columns", columns);
    out.put("permutationImportance", perm);
    IntegratedGradients ig;
    try {
      // A copy of the network that can be differentiated (see DifferentiableCopy).
      ig = new IntegratedGradients(bundle.network(), bundle.numFeatures(),
          bundle.classification(), options.steps());
    } catch (IllegalArgumentException e) {
      ig = null;
      out.put("attributions", "not computed: " + e.getMessage());
    }
    if (ig != null) {
      out.put("attributions", attributions(ig, bundle, rows, records, options, classes));
    }
    Map<String, Object> filters = firstFilters(bundle.network());
    if (filters != null) {
      out.put("firstConvolution", filters);
    }
    write(sc.hadoopConfiguration(), outputUri, out);
    LOG.info("explanations: {}", outputUri);
    return out;
  }

  private static Object attributions(IntegratedGradients ig, ModelBundle bundle,
      ExplainData rows, List<ParsedRecord> records, Options options, List<String> classes) {
    if (options.rows().isEmpty()) {
      return List.of();
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (int row : options.rows()) {
      if (row < 0 || row >= rows.rows()) {
        throw new IllegalArgumentException("--rows: " + row + " is not a row of the data used "
            + "(0.." + (rows.rows() - 1) + ")");
      }
      float[] x = rows.features()[row];
      int target = bundle.classification() ? ig.predicted(x) : -1;
      IntegratedGradients.Attribution a = ig.explain(x, target);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("row", row);
      m.put("label", label(records.get(row).label(), bundle.classification(), classes));
      if (bundle.classification()) {
        m.put("explained", label(target, true, classes));
        m.put("f", "log p(explained class)");
      } else {
        m.put("f", "predicted value");
      }
      m.put("output", a.output());
      m.put("baselineOutput", a.baselineOutput());
      m.put("completenessGap", a.completenessGap());
      List<Map<String, Object>> inputs = new ArrayList<>();
      float[] raw = records.get(row).features();
      for (int i = 0; i < a.values().length; i++) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("input", rows.inputNames().get(i));
        input.put("value", raw[i]);
        input.put("attribution", a.values()[i]);
        inputs.add(input);
      }
      m.put("inputs", inputs);
      m.put("saliency", ig.saliency(x, target));
      List<Map<String, Object>> byColumn = new ArrayList<>();
      for (int g = 0; g < rows.groups().size(); g++) {
        double sum = 0;
        for (int slot : rows.groups().get(g)) {
          sum += a.values()[slot];
        }
        byColumn.add(Map.of("column", rows.groupNames().get(g), "attribution", sum));
      }
      m.put("columns", byColumn);
      out.add(m);
    }
    return out;
  }

  /**
   * The first convolution's filters, each input channel's kernel as a row-major list: what
   * the first layer of an image model responds to (edges, blobs, strokes).
   */
  private static Map<String, Object> firstFilters(Network network) {
    INDArray w = firstConvolutionWeights(network);
    if (w == null || w.rank() != 4) {
      return null;
    }
    long[] shape = w.shape();
    List<Map<String, Object>> kernels = new ArrayList<>();
    for (int o = 0; o < shape[0]; o++) {
      for (int i = 0; i < shape[1]; i++) {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("output", o);
        k.put("input", i);
        k.put("weights", w.get(NDArrayIndex.point(o),
            NDArrayIndex.point(i)).dup('c').reshape(-1)
            .toDoubleVector());
        kernels.add(k);
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("shape", shape);
    out.put("kernels", kernels);
    return out;
  }
  /**
   * The weights [out, in, kH, kW] of the network's first plain 2D convolution (in the order the
   * network computes its layers), or null when it has none.
   */
  private static INDArray firstConvolutionWeights(Network network) {
    List<Layer> layers = new ArrayList<>();
    if (network.isGraph()) {
      ComputationGraph graph = network.graph();
      for (int v : graph.topologicalSortOrder()) {
        if (graph.getVertices()[v].hasLayer()) {
          layers.add(graph.getVertices()[v].getLayer());
        }
      }
    } else {
      layers.addAll(List.of(network.layers().getLayers()));
    }
    for (Layer l : layers) {
      if (l.conf().getLayer().getClass()
          == ConvolutionLayer.class) {
        return l.getParam("W").dup();
      }
    }
    return null;
  }


  private static Object label(double value, boolean classification, List<String> classes) {
    if (!classification) {
      return value;
    }
    int k = (int) value;
    return classes != null && k < classes.size() ? classes.get(k) : (Object) k;
  }

  /** explain.json and explain.html into the folder {@code outputUri}. */
  static void write(Configuration conf, String outputUri,
      Map<String, Object> out) throws IOException {
    Path dir = new Path(outputUri);
    FileSystem fs = dir.getFileSystem(conf);
    fs.mkdirs(dir);
    byte[] json = Json.pretty(out).getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(fs, new Path(dir, JSON), o -> o.write(json));
    byte[] html = ExplainPage.render(out).getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(fs, new Path(dir, HTML), o -> o.write(html));
  }
}
