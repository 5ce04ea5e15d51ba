package org.sparktrain.driver.run;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.driver.output.ModelBundle;
import org.sparktrain.worker.model.TransformerConfig;
import org.sparktrain.worker.text.SpecialTokens;
import org.sparktrain.worker.text.Tokenizer;

/**
 * Samples text from a trained GPT, one token at a time, as nanoGPT's {@code sample.py} does:
 * the last blockSize tokens as context, the next token drawn from the softmax at the last
 * position, sharpened by a temperature and cut to the top k. The context sits at the start of
 * the fixed-length input and the rest is padding: the model is causal, so positions after the
 * last real token cannot change its output. Special tokens are never sampled.
 */
public final class TextGenerator {
  private final ModelBundle model;
  private final Tokenizer tokenizer;
  private final int blockSize;

  public TextGenerator(ModelBundle model) {
    if (model.tokenizerJson() != null && !model.modelName().equals(TransformerConfig.GPT)) {
      throw new IllegalArgumentException("generate samples from a gpt model; this one is a "
          + model.modelName() + " (its attention sees both sides, so it cannot continue text)");
    }
    if (model.tokenizerJson() == null) {
      throw new IllegalArgumentException("this model has no " + ModelBundle.TOKENIZER_FILE
          + ": generate needs a language model (model.name: gpt) trained by sparktrain");
    }
    this.model = model;
    this.tokenizer = Tokenizer.fromJson(model.tokenizerJson());
    this.blockSize = model.numFeatures() - 1;
  }

  /**
   * @param temperature above 0; below 1 sharper, above 1 flatter
   * @param topK keep only the k most probable tokens; 0 keeps all
   * @return the prompt followed by {@code tokens} generated tokens, decoded
   */
  public String generate(String prompt, int tokens, double temperature, int topK, long seed) {
    if (temperature <= 0) {
      throw new IllegalArgumentException("--temperature must be above 0, got " + temperature);
    }
    if (tokens < 0 || topK < 0) {
      throw new IllegalArgumentException("--tokens and --top-k must be 0 or more, got "
          + tokens + " and " + topK);
    }
    int[] context = tokenizer.encode(prompt);
    int[] all = Arrays.copyOf(context, context.length + tokens);
    SplittableRandom random = new SplittableRandom(seed);
    SpecialTokens specials = tokenizer.specialTokens();
    for (int n = context.length; n < all.length; n++) {
      int length = Math.min(n, blockSize);
      float[] input = new float[blockSize];
      Arrays.fill(input, specials.pad());
      for (int i = 0; i < length; i++) {
        input[i] = all[n - length + i];
      }
      INDArray out = model.network().output(Nd4j.create(input, new long[] {1, 1, blockSize}));
      double[] p = new double[(int) out.size(1)];
      for (int v = 0; v < p.length; v++) {
        p[v] = specials.isSpecial(v) ? 0 : out.getDouble(0, v, Math.max(0, length - 1));
      }
      all[n] = sample(p, temperature, topK, random);
    }
    return tokenizer.decode(all);
  }

  static int sample(double[] p, double temperature, int topK, SplittableRandom random) {
    double[] w = new double[p.length];
    double threshold = 0;
    if (topK > 0 && topK < p.length) {
      double[] sorted = p.clone();
      Arrays.sort(sorted);
      threshold = sorted[p.length - topK];
    }
    double total = 0;
    for (int v = 0; v < p.length; v++) {
      // p^(1/t) renormalized is softmax(logits / t).
      w[v] = p[v] > 0 && p[v] >= threshold ? Math.pow(p[v], 1.0 / temperature) : 0;
      total += w[v];
    }
    double u = random.nextDouble() * total;
    for (int v = 0; v < w.length; v++) {
      u -= w[v];
      if (u <= 0 && w[v] > 0) {
        return v;
      }
    }
    for (int v = w.length - 1; v >= 0; v--) {
      if (w[v] > 0) {
        return v;
      }
    }
    throw new IllegalStateException("the model gives no token any probability");
  }
}
