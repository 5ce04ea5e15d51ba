package org.sparktrain.driver.privacy;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.driver.output.AtomicFiles;
import org.sparktrain.driver.output.AuditPage;
import org.sparktrain.driver.output.Json;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.driver.run.EvaluateJob;
import org.sparktrain.driver.run.PredictJob;
import org.sparktrain.worker.data.ParsedRecord;

/**
 * {@code sparktrain audit}: a membership-inference audit of a saved classifier. Reads the
 * examples it was trained on (members) and held-out ones (non-members) as {@code evaluate}
 * reads labelled data, computes each one's cross-entropy loss under the model with the model's
 * own preprocessing, and reports what the loss-threshold attack learns from them
 * ({@link AuditReport}), beside the accountant's epsilon when the model has a
 * {@link RecordedPrivacy privacy.json}; written as audit.json and audit.html.
 */
public final class MembershipAudit {
  public static final String JSON = "audit.json";
  public static final String HTML = "audit.html";
  /** Fewer rows per side than this give intervals too wide to say anything. */
  public static final int MIN_ROWS = 10;
  /** Rows scored per call into the network. */
  private static final int BATCH_ROWS = 1024;
  /**
   * Where a probability's complement is summed instead: below it, {@code 1 - p} in float has
   * lost its digits, while the other classes' probabilities still hold theirs.
   */
  private static final double COMPLEMENT_BELOW = 0.5;

  /**
   * How the two data sets are read and the audit is run.
   *
   * @param members how the members are read, as evaluate reads its data (an IDX label file
   *     as {@code labelsUri}); likewise {@code nonMembers}
   * @param maxRows the first rows of each data set used
   */
  public record Options(EvaluateJob.DataOptions members, EvaluateJob.DataOptions nonMembers,
      int maxRows, int resamples, long seed) {
    public Options {
      if (maxRows < MIN_ROWS) {
        throw new IllegalArgumentException("--max-rows must be at least " + MIN_ROWS + ", got "
            + maxRows);
      }
      if (resamples < 2) {
        throw new IllegalArgumentException("--resamples must be at least 2, got " + resamples);
      }
    }
  }

  private MembershipAudit() {}

  public static Map<String, Object> run(JavaSparkContext sc, String modelUri, Options options,
      String outputUri) throws IOException {
    Configuration conf = sc.hadoopConfiguration();
    ModelBundle bundle = ModelBundle.load(modelUri, conf).requireNumericInput("audit");
    if (!bundle.classification()) {
      throw new IllegalArgumentException("audit: the model at " + modelUri + " is a regressor; "
          + "the loss-threshold audit needs a classifier (its cross-entropy loss)");
    }
    if (bundle.tableEncodingJson() != null) {
      throw new IllegalArgumentException("audit: the model at " + modelUri + " was trained on "
          + "a table; audit reads files of numbers (csv, idx, libsvm) only");
    }
    RecordedPrivacy recorded = RecordedPrivacy.read(modelUri, conf);
    double[] memberLosses = losses(sc, modelUri, bundle, options.members(), "--members",
        "--member-labels", options.maxRows());
    double[] nonMemberLosses = losses(sc, modelUri, bundle, options.nonMembers(),
        "--non-members", "--non-member-labels", options.maxRows());
    Map<String, Object> report = AuditReport.compute(memberLosses, nonMemberLosses,
        new AuditReport.Settings(options.resamples(), options.seed(), recorded));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", bundle.modelName());
    out.put("from", modelUri);
    out.put("privacyFile", recorded != null ? RecordedPrivacy.file(modelUri).toString() : null);
    out.putAll(report);
    withUri(out, "members", options.members().uri());
    withUri(out, "nonMembers", options.nonMembers().uri());
    write(conf, outputUri, out);
    return out;
  }

  /** The cross-entropy loss of each of the first {@code maxRows} usable rows of {@code data}. */
  static double[] losses(JavaSparkContext sc, String modelUri, ModelBundle bundle,
      EvaluateJob.DataOptions data, String flag, String labelsFlag, int maxRows)
      throws IOException {
    requireExists(sc.hadoopConfiguration(), data.uri(), flag);
    if (data.labelsUri() != null) {
      requireExists(sc.hadoopConfiguration(), data.labelsUri(), labelsFlag);
    }
    List<ParsedRecord> records;
    try (EvaluateJob.Labelled labelled = EvaluateJob.open(sc, modelUri, bundle, data, null,
        "audit")) {
      if (labelled.source().numFeatures() != bundle.numFeatures()) {
        throw new IllegalArgumentException(flag + ": " + data.uri() + " has "
            + labelled.source().numFeatures() + " features, but the model at " + modelUri
            + " expects " + bundle.numFeatures());
      }
      records = labelled.source().records().filter(ParsedRecord::isOk).take(maxRows);
    }
    if (records.size() < MIN_ROWS) {
      throw new IllegalArgumentException(flag + ": " + data.uri() + " has " + records.size()
          + " usable labelled rows; the audit needs at least " + MIN_ROWS + " on each side");
    }
    double[] losses = new double[records.size()];
    for (int from = 0; from < records.size(); from += BATCH_ROWS) {
      List<float[]> rows = new ArrayList<>();
      int to = Math.min(records.size(), from + BATCH_ROWS);
      for (int i = from; i < to; i++) {
        rows.add(records.get(i).features());
      }
      float[][] outputs = PredictJob.outputs(bundle, rows);
      for (int i = from; i < to; i++) {
        losses[i] = crossEntropy(outputs[i - from], (int) records.get(i).label());
      }
    }
    return losses;
  }

  /**
   * {@code -ln p(label)} from the network's output: softmax probabilities, or one sigmoid unit
   * (the probability of class 1). When {@code p(label)} is near 1 the loss is
   * {@code -ln(1 - sum of the other probabilities)}: float32 rounds a probability of
   * 1 - 1e-9 to 1 (loss 0 for every well-fitted example, all tied), but keeps 1e-9 itself, so
   * the members an overfit model knows best still differ. A probability of 0 counts as the
   * smallest float.
   */
  static double crossEntropy(float[] output, int label) {
    if (output.length == 1) {
      double p = label == 1 ? output[0] : 1 - (double) output[0];
      return -Math.log(Math.max(p, Float.MIN_VALUE));
    }
    double others = 0;
    for (int k = 0; k < output.length; k++) {
      if (k != label) {
        others += output[k];
      }
    }
    if (others < COMPLEMENT_BELOW) {
      return -Math.log1p(-others);
    }
    return -Math.log(Math.max(output[label], Float.MIN_VALUE));
  }

  /** A missing input named by its flag, before Spark reports it as a failed stage. */
  private static void requireExists(Configuration conf, String uri, String flag)
      throws IOException {
    Path path = new Path(uri);
    FileStatus[] found = path.getFileSystem(conf).globStatus(path);
    if (found == null || found.length == 0) {
      throw new FileNotFoundException(flag + ": " + uri + " does not exist");
    }
  }

  @SuppressWarnings("unchecked")
  private static void withUri(Map<String, Object> out, String key, String uri) {
    Map<String, Object> side = new LinkedHashMap<>();
    side.put("uri", uri);
    side.putAll((Map<String, Object>) out.get(key));
    out.put(key, side);
  }

  /** audit.json and audit.html into the folder {@code outputUri}. */
  static void write(Configuration conf, String outputUri, Map<String, Object> out)
      throws IOException {
    Path dir = new Path(outputUri);
    FileSystem fs = dir.getFileSystem(conf);
    fs.mkdirs(dir);
    byte[] json = Json.pretty(out).getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(fs, new Path(dir, JSON), o -> o.write(json));
    byte[] html = AuditPage.render(out).getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(fs, new Path(dir, HTML), o -> o.write(html));
  }
}
