package org.sparktrain.worker.text;

import java.io.Serializable;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.sparktrain.worker.data.SeedMixer;

/**
 * BERT's masking (Devlin et al. 2019, section 3.1 and appendix A.1; Google's
 * create_pretraining_data.py): choose {@code maskFraction} of a block's positions to predict; of
 * those, replace {@code maskTokenFraction} with [MASK], {@code randomTokenFraction} with a random
 * token and keep the rest, so the model cannot rely on seeing [MASK] where it must predict.
 *
 * <p>As the reference code, the number chosen is exact, {@code max(1, round(fraction * n))} of the
 * n eligible positions, drawn without replacement (not an independent coin per position), so a
 * short block still gets a loss. Special tokens (PAD, UNK, CLS, SEP, MASK) are never chosen:
 * predicting them teaches nothing, and UNK has no original to recover. A block with no eligible
 * position gets no labels (all-zero mask). The random replacement is drawn from the regular
 * tokens only; the reference draws from the whole vocabulary, which could insert a [SEP].
 * Google's cap on predictions per sequence (20 at 128 tokens) is left to the caller's fraction.
 */
public record MaskingPolicy(SpecialTokens specials, int vocabSize, double maskFraction,
    double maskTokenFraction, double randomTokenFraction) implements Serializable {
  /** Seed stream of the masking draws (see {@link DocumentSplit} for the other streams). */
  private static final long STREAM = 12;

  public MaskingPolicy {
    if (!(maskFraction > 0 && maskFraction <= 1)) {
      throw new IllegalArgumentException("maskFraction must be in (0, 1], got " + maskFraction);
    }
    if (!(maskTokenFraction >= 0 && randomTokenFraction >= 0
        && maskTokenFraction + randomTokenFraction <= 1)) {
      throw new IllegalArgumentException("maskTokenFraction and randomTokenFraction must be >= 0 "
          + "with a sum <= 1, got " + maskTokenFraction + " and " + randomTokenFraction);
    }
    if (vocabSize <= SpecialTokens.NAMES.size()) {
      throw new IllegalArgumentException("vocabSize " + vocabSize + " leaves no regular token to "
          + "draw a random replacement from");
    }
  }

  /** 15% chosen; 80% of those [MASK], 10% random, 10% unchanged: the paper's setting. */
  public static MaskingPolicy bert(Tokenizer tokenizer) {
    return new MaskingPolicy(tokenizer.specialTokens(), tokenizer.vocabSize(), 0.15, 0.8, 0.1);
  }

  /** The random stream of one block: a pure function of where in the run it is masked. */
  public static SplittableRandom randomFor(long seed, long round, int partition,
      long blockIndex) {
    return new SplittableRandom(SeedMixer.mix(seed, STREAM, round, partition, blockIndex));
  }

  public MaskedBlock apply(int[] tokens, long seed, long round, int partition, long blockIndex) {
    return apply(tokens, randomFor(seed, round, partition, blockIndex));
  }

  public MaskedBlock apply(int[] tokens, SplittableRandom random) {
    int[] inputs = tokens.clone();
    int[] labels = new int[tokens.length];
    float[] labelMask = new float[tokens.length];
    Arrays.fill(labels, MaskedBlock.IGNORED);
    int[] eligible = new int[tokens.length];
    int n = 0;
    for (int i = 0; i < tokens.length; i++) {
      if (!specials.isSpecial(tokens[i])) {
        eligible[n++] = i;
      }
    }
    int chosen = n == 0 ? 0 : (int) Math.max(1, Math.min(n, Math.round(maskFraction * n)));
    for (int k = 0; k < chosen; k++) {
      // Partial Fisher-Yates: eligible[0..k] becomes a uniform sample without replacement.
      int j = k + random.nextInt(n - k);
      int position = eligible[j];
      eligible[j] = eligible[k];
      eligible[k] = position;
      labels[position] = tokens[position];
      labelMask[position] = 1f;
      double r = random.nextDouble();
      if (r < maskTokenFraction) {
        inputs[position] = specials.mask();
      } else if (r < maskTokenFraction + randomTokenFraction) {
        inputs[position] = randomRegularToken(random);
      }
    }
    return new MaskedBlock(inputs, labels, labelMask);
  }

  private int randomRegularToken(SplittableRandom random) {
    int id;
    do {
      id = random.nextInt(vocabSize);
    } while (specials.isSpecial(id));
    return id;
  }
}
