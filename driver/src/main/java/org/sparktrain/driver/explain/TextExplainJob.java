package org.sparktrain.driver.explain;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.model.TransformerConfig;
import org.sparktrain.worker.model.transformer.TransformerBlock;
import org.sparktrain.worker.text.SpecialTokens;
import org.sparktrain.worker.text.Tokenizer;
import org.sparktrain.worker.train.NativeArrays;

/**
 * {@code sparktrain explain --text}: for a transformer (gpt, bert, bert-classifier), every
 * head's attention over the text's tokens ({@link AttentionMaps}); for a bert-classifier also
 * the predicted class and each token's attribution to it by occlusion: how much the log
 * probability of that class falls when the token is replaced by [MASK] (Zeiler and Fergus's
 * occlusion, per token). Written as explain.json and explain.html like the row explanations.
 */
public final class TextExplainJob {
  private TextExplainJob() {}

  public static Map<String, Object> run(String modelUri, String text, String outputUri,
      Configuration conf) throws IOException {
    ModelBundle bundle = ModelBundle.load(modelUri, conf);
    if (bundle.tokenizerJson() == null) {
      throw new IllegalArgumentException("explain --text is for models that read text (gpt, "
          + "bert, bert-classifier); " + modelUri + " is a " + bundle.modelName() + " model "
          + "of rows: explain it with --data");
    }
    Tokenizer tokenizer = Tokenizer.fromJson(bundle.tokenizerJson());
    SpecialTokens specials = tokenizer.specialTokens();
    Network net = bundle.network();
    int blockSize = blockSize(net);
    boolean classifier = bundle.modelName().equals(TransformerConfig.BERT_CLASSIFIER);
    boolean causal = bundle.modelName().equals(TransformerConfig.GPT);

    // The row as the model reads it: [CLS] first for a classifier, padded to the block.
    int[] ids = tokenizer.encode(text);
    int offset = classifier ? 1 : 0;
    int tokens = Math.min(ids.length + offset, blockSize);
    if (tokens == 0) {
      throw new IllegalArgumentException("explain --text: the text has no tokens");
    }
    float[] row = new float[blockSize];
    Arrays.fill(row, specials.pad());
    if (classifier) {
      row[0] = specials.cls();
    }
    for (int k = offset; k < tokens; k++) {
      row[k] = ids[k - offset];
    }
    List<String> labels = new ArrayList<>();
    for (int k = 0; k < tokens; k++) {
      int id = (int) row[k];
      labels.add(specials.isSpecial(id) ? specials.nameOf(id) : tokenizer.decode(new int[] {id}));
    }

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", bundle.modelName());
    out.put("from", modelUri);
    out.put("text", text);
    out.put("tokens", labels);
    if (ids.length + offset > blockSize) {
      out.put("truncated", "the text has " + (ids.length + offset) + " tokens; the model reads "
          + blockSize);
    }
    INDArray mask = causal ? null : maskOf(row, specials.pad());
    List<Map<String, Object>> heads = new ArrayList<>();
    for (AttentionMaps.Head h : AttentionMaps.of(net, features(row), mask, tokens)) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("layer", h.layer());
      m.put("head", h.head());
      m.put("weights", flat(h.weights()));
      heads.add(m);
    }
    out.put("attention", heads);
    if (classifier) {
      classify(net, row, tokens, labels, specials, out);
    }
    ExplainJob.write(conf, outputUri, out);
    return out;
  }

  /** The predicted class and each token's occlusion attribution to it. */
  private static void classify(Network net, float[] row, int tokens, List<String> labels,
      SpecialTokens specials, Map<String, Object> out) {
    int width = row.length;
    // Row 0 as it is; row k with token k replaced by [MASK] (k = 1..tokens-1; [CLS] stays).
    float[] packed = new float[tokens * width];
    for (int k = 0; k < tokens; k++) {
      System.arraycopy(row, 0, packed, k * width, width);
      if (k > 0) {
        packed[k * width + k] = specials.mask();
      }
    }
    INDArray features = NativeArrays.fromFloats(packed, tokens, width).reshape('c', tokens, 1,
        width);
    INDArray p = net.output(features, maskOf(packed, tokens, width, specials.pad()));
    int predicted = p.getRow(0).argMax().getInt(0);
    double logP = Math.log(p.getDouble(0, predicted));
    out.put("predicted", predicted);
    out.put("probabilities", p.getRow(0).toDoubleVector());
    List<Map<String, Object>> attributions = new ArrayList<>();
    for (int k = 1; k < tokens; k++) {
      Map<String, Object> a = new LinkedHashMap<>();
      a.put("position", k);
      a.put("token", labels.get(k));
      a.put("attribution", logP - Math.log(Math.max(p.getDouble(k, predicted), 1e-30)));
      attributions.add(a);
    }
    out.put("tokenAttributions", attributions);
    out.put("tokenAttributionMethod", "occlusion: log p(predicted class) minus the same with "
        + "the token replaced by [MASK]");
  }

  private static int blockSize(Network net) {
    for (Layer l : net.layers().getLayers()) {
      if (l.conf().getLayer() instanceof TransformerBlock block) {
        return block.getBlockSize();
      }
    }
    throw new IllegalArgumentException("the model has no transformer block");
  }

  private static INDArray features(float[] row) {
    return NativeArrays.fromFloats(row, 1, row.length).reshape('c', 1, 1, row.length);
  }

  private static INDArray maskOf(float[] row, int pad) {
    return maskOf(row, 1, row.length, pad);
  }

  /** 1 for a real token, 0 for padding, per row: [rows, width]. */
  private static INDArray maskOf(float[] packed, int rows, int width, int pad) {
    float[] m = new float[packed.length];
    for (int i = 0; i < packed.length; i++) {
      m[i] = packed[i] == pad ? 0f : 1f;
    }
    return NativeArrays.fromFloats(m, rows, width);
  }

  private static List<Double> flat(double[][] m) {
    List<Double> out = new ArrayList<>();
    for (double[] r : m) {
      for (double v : r) {
        out.add(v);
      }
    }
    return out;
  }
}
