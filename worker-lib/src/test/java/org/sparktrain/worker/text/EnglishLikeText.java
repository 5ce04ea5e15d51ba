package org.sparktrain.worker.text;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Deterministic text with English's statistics where BPE cares: a Zipf-distributed vocabulary of
 * 20,000 pronounceable words, capitalized sentences, commas, full stops and paragraphs.
 */
final class EnglishLikeText {
  private static final String[] ONSETS = {"", "b", "c", "d", "f", "g", "h", "l", "m", "n", "p",
      "r", "s", "t", "w", "th", "st", "br", "ch", "sh", "pl", "gr"};
  private static final String[] VOWELS = {"a", "e", "i", "o", "u", "ea", "ou", "ai", "ee"};
  private static final String[] CODAS = {"", "", "n", "r", "s", "t", "l", "nd", "ng", "ck", "st"};

  private EnglishLikeText() {}

  static String generate(int chars, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    String[] words = new String[20_000];
    double[] cumulative = new double[words.length];
    double total = 0;
    for (int i = 0; i < words.length; i++) {
      StringBuilder w = new StringBuilder();
      int syllables = 1 + Math.min(3, (int) (Math.log(i + 2) / Math.log(12)) + random.nextInt(2));
      for (int s = 0; s < syllables; s++) {
        w.append(pick(ONSETS, random)).append(pick(VOWELS, random)).append(pick(CODAS, random));
      }
      words[i] = w.toString();
      total += 1.0 / (i + 1);
      cumulative[i] = total;
    }
    StringBuilder out = new StringBuilder(chars + 200);
    int sentence = 0;
    while (out.length() < chars) {
      int length = 5 + random.nextInt(16);
      for (int k = 0; k < length; k++) {
        String w = words[zipf(cumulative, random.nextDouble() * total)];
        if (k == 0) {
          w = Character.toUpperCase(w.charAt(0)) + w.substring(1);
        } else {
          out.append(random.nextInt(10) == 0 ? ", " : " ");
        }
        out.append(w);
      }
      out.append(++sentence % 6 == 0 ? ".\n\n" : ". ");
    }
    return out.substring(0, chars);
  }

  private static String pick(String[] options, SplittableRandom random) {
    return options[random.nextInt(options.length)];
  }

  private static int zipf(double[] cumulative, double u) {
    int i = Arrays.binarySearch(cumulative, u);
    return Math.min(cumulative.length - 1, i >= 0 ? i : -i - 1);
  }
}
