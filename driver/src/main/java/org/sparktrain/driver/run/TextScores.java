package org.sparktrain.driver.run;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.model.Network;
import org.sparktrain.worker.text.SpecialTokens;
import org.sparktrain.worker.text.Tokenizer;
import org.sparktrain.worker.train.NativeArrays;
import org.sparktrain.worker.train.NextTokenBatches;
import org.sparktrain.worker.train.TextClassBatches;

/**
 * What a text model says about whole texts, in minibatches: a gpt's log-likelihood of each
 * text, a bert-classifier's class probabilities. The executors of {@code predict} and a single
 * JVM score through here alike.
 */
public final class TextScores {
  /** Rows (blocks of a text, or texts) per forward pass. */
  static final int ROWS_PER_PASS = 32;
  /** Probabilities are floats: a token the model gives exactly 0 costs this much, not inf. */
  private static final double MIN_PROBABILITY = 1e-30;

  private TextScores() {}

  /** A gpt's verdict on one text: its log-likelihood over {@code tokens} predicted tokens. */
  public record Likelihood(long tokens, double logLikelihood) {
    /** exp(-mean log-likelihood per token); NaN for a text of fewer than two tokens. */
    public double perplexity() {
      return tokens == 0 ? Double.NaN : Math.exp(-logLikelihood / tokens);
    }
  }

  /**
   * Each text's log-likelihood under a gpt: its tokens in consecutive blocks of
   * {@code blockSize + 1} (the last token of a block starts the next), every token after the
   * first predicted from the tokens before it in its block, as the validation loss is.
   */
  public static List<Likelihood> likelihoods(Network net, Tokenizer tokenizer, int blockSize,
      List<String> texts) {
    SpecialTokens specials = tokenizer.specialTokens();
    int width = blockSize + 1;
    // Every block of every text, with how many of its targets are real (not padding).
    List<float[]> blocks = new ArrayList<>();
    List<int[]> owners = new ArrayList<>();
    for (int t = 0; t < texts.size(); t++) {
      int[] ids = tokenizer.encode(texts.get(t) == null ? "" : texts.get(t));
      for (int start = 0; start + 1 < ids.length; start += blockSize) {
        int end = Math.min(ids.length, start + width);
        float[] block = new float[width];
        Arrays.fill(block, specials.pad());
        for (int i = start; i < end; i++) {
          block[i - start] = ids[i];
        }
        blocks.add(block);
        owners.add(new int[] {t, end - start - 1});
      }
    }
    double[] sums = new double[texts.size()];
    long[] counts = new long[texts.size()];
    for (int from = 0; from < blocks.size(); from += ROWS_PER_PASS) {
      int to = Math.min(blocks.size(), from + ROWS_PER_PASS);
      int n = to - from;
      float[] packed = new float[n * width];
      for (int i = 0; i < n; i++) {
        System.arraycopy(blocks.get(from + i), 0, packed, i * width, width);
      }
      DataSet batch = NextTokenBatches.assemble(new ExampleBlock(0, n, width, packed,
          new float[n]), null, 0, n);
      INDArray out = net.output(batch.getFeatures());
      int vocab = (int) out.size(1);
      float[] p = NativeArrays.toFloats(out);
      for (int i = 0; i < n; i++) {
        int[] owner = owners.get(from + i);
        for (int pos = 0; pos < owner[1]; pos++) {
          int target = (int) packed[i * width + pos + 1];
          sums[owner[0]] += Math.log(Math.max(p[(i * vocab + target) * blockSize + pos],
              MIN_PROBABILITY));
        }
        counts[owner[0]] += owner[1];
      }
    }
    List<Likelihood> out = new ArrayList<>();
    for (int t = 0; t < texts.size(); t++) {
      out.add(new Likelihood(counts[t], sums[t]));
    }
    return out;
  }

  /**
   * A bert-classifier's class probabilities for each text: [CLS] and the text's first
   * {@code width - 1} tokens, padded, as it was trained.
   */
  public static List<float[]> classProbabilities(Network net, Tokenizer tokenizer, int width,
      int classes, List<String> texts) {
    SpecialTokens specials = tokenizer.specialTokens();
    List<float[]> out = new ArrayList<>();
    for (int from = 0; from < texts.size(); from += ROWS_PER_PASS) {
      int to = Math.min(texts.size(), from + ROWS_PER_PASS);
      int n = to - from;
      float[] packed = new float[n * width];
      Arrays.fill(packed, specials.pad());
      for (int i = 0; i < n; i++) {
        String text = texts.get(from + i);
        int[] ids = tokenizer.encode(text == null ? "" : text);
        packed[i * width] = specials.cls();
        for (int k = 0; k < Math.min(ids.length, width - 1); k++) {
          packed[i * width + 1 + k] = ids[k];
        }
      }
      DataSet batch = TextClassBatches.assemble(new ExampleBlock(0, n, width, packed,
          new float[n]), null, 0, n, classes, specials.pad());
      float[] p = NativeArrays.toFloats(net.output(batch.getFeatures(),
          batch.getFeaturesMaskArray()));
      for (int i = 0; i < n; i++) {
        out.add(Arrays.copyOfRange(p, i * classes, (i + 1) * classes));
      }
    }
    return out;
  }
}
