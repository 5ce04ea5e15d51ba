package org.sparktrain.driver.train;

import org.apache.spark.api.java.JavaRDD;
import org.sparktrain.worker.data.ExampleBlock;
import org.sparktrain.worker.text.SpecialTokens;

/** Token frequencies of token blocks, counted on the executors. */
final class TokenCounts {
  private TokenCounts() {}

  /** The most frequent regular (non-special) token; ties go to the smaller id. */
  static int mostFrequent(JavaRDD<ExampleBlock> blocks, int vocabSize, SpecialTokens specials) {
    long[] counts = blocks.aggregate(new long[vocabSize], (acc, block) -> {
      for (float id : block.features()) {
        acc[(int) id]++;
      }
      return acc;
    }, (a, b) -> {
      for (int i = 0; i < a.length; i++) {
        a[i] += b[i];
      }
      return a;
    });
    int best = -1;
    for (int id = 0; id < vocabSize; id++) {
      if (!specials.isSpecial(id) && (best < 0 || counts[id] > counts[best])) {
        best = id;
      }
    }
    return best;
  }
}
